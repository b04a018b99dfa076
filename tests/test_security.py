"""Headers, sessions and deployment checks (docs/design.md, Security and privacy)."""

import os
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command

from config.middleware import SESSION_STARTED

PROJECT = Path(__file__).resolve().parent.parent


def test_check_deploy_finds_no_issue_under_production_settings():
    env = {name: value for name, value in os.environ.items() if name not in ("DEBUG", "HTTPS", "BROKER_DIR")}
    env.update(DEBUG="0", SECRET_KEY="a-" + "9f3k" * 15, ALLOWED_HOSTS="intake.example.org",
               DATABASE_URL="postgres://postgres@127.0.0.1:5432/intake", CELERY_BROKER_URL="redis://127.0.0.1:6379/0")

    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


class InlineCode(HTMLParser):
    """Finds what a strict Content-Security-Policy would block: inline scripts,
    <style> elements, style="" attributes, on...="" handlers."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag} {name}=" for name in attrs if name == "style" or name.startswith("on")]


@pytest.fixture
def pages(demo_programme, staff, coordinator, auditor, client_for, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open(os.devnull, "w"))
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline", stdout=open(os.devnull, "w"))
    return {
        "staff": (staff, ["/", "/reports/", "/reports/desertion-help/2023-11/", "/reports/desertion-help/2023-11/v1/print/",
                          "/reports/reference/", "/requests/import/", "/requests/move/"]),
        "coordinator": (coordinator, ["/", "/requests/new/", "/requests/counts/", "/requests/find/"]),
        "auditor": (auditor, ["/", "/reports/desertion-help/2023-11/"]),
    }


def test_every_page_has_a_strict_policy_and_no_inline_code(pages, client_for, client):
    login = client.get("/login/")
    checked = [("/login/", login)]
    for user, paths in pages.values():
        logged_in = client_for(user)
        checked += [(path, logged_in.get(path)) for path in paths]
        logged_in.post("/logout/")

    for path, response in checked:
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
        parser = InlineCode()
        parser.feed(response.content.decode())
        assert parser.found == [], (path, parser.found)


def test_every_page_forbids_caching_sniffing_and_framing(pages, client_for):
    user, paths = pages["staff"]
    client = client_for(user)
    for path in paths:
        response = client.get(path)
        assert "no-store" in response["Cache-Control"], path
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"


def test_under_https_settings_pages_send_hsts_and_cookies_are_secure_httponly_samesite(staff, client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True

    insecure = client.get("/login/")
    page = client.get("/login/", secure=True)
    login = client.post("/login/", {"username": staff.username, "password": "a-long-test-password"}, secure=True)

    assert insecure.status_code == 301 and insecure["Location"].startswith("https://")
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    for response in (page, login):  # the login form's session (its CSRF token), then the account's
        session = response.cookies["sessionid"]
        assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_an_idle_session_lasts_30_minutes_renewed_on_each_request(staff, client_for):
    from django.contrib.sessions.models import Session

    client = client_for(staff)

    response = client.get("/")

    assert response.cookies["sessionid"]["max-age"] == 30 * 60
    # A row of the database: the scheduled clean-up deletes it once it has expired.
    assert Session.objects.filter(pk=response.cookies["sessionid"].value).exists()


def test_a_session_ends_12_hours_after_login_however_active(staff, client_for):
    client = client_for(staff)
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - 12 * 3600 - 1
    session.save()

    response = client.get("/")

    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/reports/").status_code == 302  # logged out for good


def test_a_session_younger_than_12_hours_goes_on(staff, client_for):
    client = client_for(staff)
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - 11 * 3600
    session.save()

    assert client.get("/").status_code == 200


def test_no_cookie_outlives_the_session(coordinator, client, client_for):
    client.get("/login/")  # the login form, before logging in
    client = client_for(coordinator)

    form_page = client.get("/requests/new/")

    assert form_page.status_code == 200 and "csrfmiddlewaretoken" in form_page.content.decode()
    lifetimes = {name: cookie["max-age"] for name, cookie in client.cookies.items() if cookie.value}
    assert lifetimes == {"sessionid": 30 * 60}  # no CSRF cookie kept for a year after logout
