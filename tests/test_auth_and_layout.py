"""Logging in and out, and a layout that loads nothing from another host."""

from html.parser import HTMLParser
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.conftest import PASSWORD

URL_ATTRIBUTES = {"src", "href", "action", "formaction", "srcset", "poster", "data"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value is not None:
                self.urls.append((tag, name, value))


def links_in(html: str) -> list[tuple[str, str, str]]:
    parser = _Links()
    parser.feed(html)
    return parser.urls


def session_exists(key: str) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_login_with_a_wrong_password_shows_an_error_and_logs_nobody_in(client, staff):
    response = client.post("/login/", {"username": staff.username, "password": "not-the-password"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get("/").status_code == 302


def test_login_with_the_right_password_opens_the_home_page(client, staff):
    response = client.post("/login/", {"username": staff.username, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_gives_the_browser_a_new_session_key(client, staff):
    # A session the browser already had (or one an attacker planted: session fixation).
    client.session.save()
    before = session_key(client)
    assert session_exists(before)

    client.post("/login/", {"username": staff.username, "password": PASSWORD})

    after = session_key(client)
    assert after != before
    assert not session_exists(before)
    assert session_exists(after)


def test_logout_refuses_get(client_for, staff):
    client = client_for(staff)

    response = client.get("/logout/")

    assert response.status_code == 405
    assert client.get("/").status_code == 200


def test_logout_ends_the_session_on_the_server(client_for, staff):
    client = client_for(staff)
    key = session_key(client)
    assert session_exists(key)

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert not session_exists(key)
    assert client.get("/").status_code == 302


def test_page_loads_bootstrap_served_by_the_app_itself(client_for, staff):
    client = client_for(staff)
    page = client.get("/").content.decode()

    # (The icon is an empty data: URL, so that browsers ask for no favicon at all.)
    stylesheets = [value for tag, name, value in links_in(page)
                   if tag == "link" and name == "href" and not value.startswith("data:")]
    bootstrap = [href for href in stylesheets if "bootstrap" in href]
    assert len(bootstrap) == 1 and bootstrap[0].startswith("/static/"), stylesheets
    for href in stylesheets:
        response = client.get(href)
        assert response.status_code == 200, href
        assert response["Content-Type"].startswith("text/css"), href
        assert b"".join(response.streaming_content), href


def test_page_scripts_are_served_by_the_app_itself(client_for, staff):
    client = client_for(staff)
    page = client.get("/").content.decode()

    scripts = [value for tag, name, value in links_in(page) if tag == "script" and name == "src"]
    assert scripts and all(src.startswith("/static/") for src in scripts), scripts
    for src in scripts:
        response = client.get(src)
        assert response.status_code == 200, src
        assert "javascript" in response["Content-Type"], src
        b"".join(response.streaming_content)


@pytest.mark.parametrize("persona", [None, "staff", "coordinator", "auditor"])
def test_no_link_or_resource_on_the_home_or_login_page_points_to_another_host(
    db, request, client, client_for, persona
):
    # `db`: the login page keeps its form's CSRF token in the session, in the database.
    if persona:
        page = client_for(request.getfixturevalue(persona)).get("/")
    else:
        page = client.get("/login/")
    assert page.status_code == 200

    urls = links_in(page.content.decode())

    assert any(name == "src" for _tag, name, _value in urls)
    assert any(name == "href" for _tag, name, _value in urls)
    for tag, name, value in urls:
        parts = urlsplit(value.strip())
        if parts.scheme == "data":
            continue  # inline data: loads nothing from anywhere
        assert parts.netloc in ("", "testserver") and parts.scheme in ("", "http", "https"), f"<{tag} {name}={value}>"


def test_the_layout_has_a_skip_link_marks_the_current_page_and_keeps_the_language_switch_out_of_the_menu(
    coordinator, client_for
):
    page = client_for(coordinator).get("/").content.decode()

    assert '<a class="visually-hidden-focusable btn btn-light position-absolute m-1" href="#main">' in page
    assert '<main class="container mb-5" id="main" tabindex="-1">' in page
    assert 'href="/" aria-current="page">Home</a>' in page
    menu = page.split('id="main-nav"')[1].split("</nav>")[0]
    assert 'name="language"' not in menu  # visible on a phone without opening the menu
    assert 'name="language"' in page
