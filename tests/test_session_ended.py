"""A session that ends while a request runs (a logout in another tab, the clean-up of
expired sessions, a purge) or before the next form is sent.

- A POST whose session row is deleted while it runs, after the view saved what it was
  sent, is answered that it WAS saved and the session ended: never "nothing was saved,
  try again", which would make the retry write it twice. A POST the view refused says
  nothing was saved.
- The next POST, made without a session, goes to the login page, back to the page its
  form was on, with a message that the session had ended and nothing was saved; it
  still does nothing (CSRF: a cross-site POST without a session does nothing either).

The accounts are made as in production (an authenticator app, each session past its
second factor); the browsers check CSRF tokens, as a browser's requests are checked."""

import re
from contextlib import contextmanager
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.test import Client
from django.test.signals import template_rendered

from config.middleware import SESSION_STARTED
from intake.audit_actions import Action
from intake.models import AuditEvent, Entry, HelpRequest
from tests.accounts import Person, with_authenticator
from tests.conftest import THIS_MONTH, text_of

FORM = "/requests/counts/?programme=help"
MONTH = THIS_MONTH.strftime("%Y-%m")
COUNT = {"programme": "help", "month": MONTH, "category": "legal", "status": "new", "count": "3"}

TEXTS = {
    "en": {
        "logged": "3 requests logged: legal consultation, new.",
        "saved": "What you sent was saved.",
        "ended": "Your session ended",
        "again": "Do not send it again",
        "not saved": "Nothing was saved.",
        "page": "Log in again to open it.",
        "login": "Log in",
        "had ended": "Your session had ended",
    },
    "ru": {
        "logged": "Внесено 3 запроса: юридическая консультация, новый.",
        "saved": "То, что вы отправили, сохранено.",
        "ended": "Ваш сеанс завершился",
        "again": "Не отправляйте это ещё раз",
        "not saved": "Ничего не сохранено.",
        "page": "Войдите снова, чтобы открыть её.",
        "login": "Войти",
        "had ended": "Ваш сеанс уже был завершён",
    },
}


@pytest.fixture(params=["en", "ru"])
def language(request) -> str:
    return request.param


@pytest.fixture
def coordinator_person(this_month, settings, coordinator) -> Person:
    settings.TWO_FACTOR_REQUIRED = True
    return with_authenticator(coordinator)


def browser_of(person: Person, language: str) -> Client:
    """The person's browser, checking CSRF tokens as a browser's requests are, in a language."""
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    browser.cookies = person.browser.cookies
    return browser


def login_next(url: str) -> str:
    """Where the login page at `url` goes back to; fails unless it is the login page."""
    parts = urlsplit(unescape(url))
    assert parts.path == "/login/", url
    return parse_qs(parts.query)["next"][0]


def login_link(answer) -> str:
    """Where the page's link to the login page goes back to."""
    return login_next(re.search(r'href="(/login/\?[^"]*)"', answer.content.decode())[1])


def token_of(page) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]


def session_key(browser: Client) -> str:
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


def end_session(browser: Client) -> None:
    """The session's row is deleted, as a logout elsewhere, the clean-up or a purge does."""
    assert Session.objects.filter(session_key=session_key(browser)).delete()[0] == 1


@contextmanager
def session_ends_when(signal, test, **connect):
    """The session ends while a request runs: when `signal` is sent with what `test`
    accepts, the session's row is deleted (in the request's own transaction, so on any
    database; the view then goes on, and commits, as if nothing had happened)."""
    ended = []

    def delete(sender, **kwargs):
        if not ended and test(sender, **kwargs):
            ended.append(Session.objects.all().delete()[0])

    signal.connect(delete, weak=False, **connect)
    try:
        yield ended
    finally:
        signal.disconnect(delete, **connect)
    assert ended and ended[0] >= 1, "the session did not end during the request"


def when_logged(sender, instance, **kwargs) -> bool:
    return instance.action == Action.REQUESTS_LOGGED


def when_rendering(template_name: str):
    return lambda sender, template, **kwargs: template.name == template_name


def test_a_count_saved_while_the_session_ended_is_saved_once_and_the_answer_says_so(coordinator_person, language):
    browser = browser_of(coordinator_person, language)
    token = token_of(browser.get(FORM))

    with session_ends_when(post_save, when_logged, sender=AuditEvent):
        answer = browser.post(FORM, COUNT | {"csrfmiddlewaretoken": token}, HTTP_REFERER=f"http://testserver{FORM}")

    texts, page = TEXTS[language], text_of(answer)
    assert HelpRequest.objects.count() == 3
    assert answer.status_code == 200
    assert texts["logged"] in page and texts["saved"] in page and texts["ended"] in page and texts["again"] in page
    assert "nothing was saved" not in page.lower() and "ничего не сохранено" not in page.lower()
    assert login_link(answer) == f"/requests/month/help/{MONTH}/?changed=legal%3Anew"  # where the count shows
    assert answer.cookies[settings.SESSION_COOKIE_NAME].value == ""  # the ended session's cookie is dropped
    # The headers of every page: kept by no cache, no script or style from elsewhere, not framed.
    assert "no-store" in answer["Cache-Control"] and "default-src 'none'" in answer["Content-Security-Policy"]
    assert answer["X-Frame-Options"] == "DENY"

    # Sent again (the back button and the form once more): nothing is written twice.
    again = browser.post(FORM, COUNT | {"csrfmiddlewaretoken": token}, HTTP_REFERER=f"http://testserver{FORM}")

    assert again.status_code == 302 and login_next(again["Location"]) == FORM
    assert HelpRequest.objects.count() == 3 and Entry.objects.count() == 1


def test_a_form_refused_while_the_session_ended_says_nothing_was_saved(coordinator_person, language):
    browser = browser_of(coordinator_person, language)
    token = token_of(browser.get(FORM))

    with session_ends_when(template_rendered, when_rendering("intake/form.html")):
        answer = browser.post(FORM, COUNT | {"count": "0", "csrfmiddlewaretoken": token})

    texts, page = TEXTS[language], text_of(answer)
    assert answer.status_code == 400
    assert texts["ended"] in page and texts["not saved"] in page and texts["saved"] not in page
    assert not HelpRequest.objects.exists()


def test_a_page_opened_while_the_session_ended_asks_to_log_in_again(coordinator_person, language):
    browser = browser_of(coordinator_person, language)

    with session_ends_when(template_rendered, when_rendering("shell/home.html")):
        answer = browser.get("/")

    texts, page = TEXTS[language], text_of(answer)
    assert texts["ended"] in page and texts["page"] in page
    assert login_link(answer) == "/"
    assert "could not be read" not in page


def test_a_post_after_the_session_was_deleted_goes_to_the_login_page_and_back_to_the_form(
        coordinator_person, language):
    browser = browser_of(coordinator_person, language)
    token = token_of(browser.get(FORM))
    end_session(browser)  # expired and cleaned up, or purged

    answer = browser.post(FORM, COUNT | {"csrfmiddlewaretoken": token}, HTTP_REFERER=f"http://testserver{FORM}")

    assert answer.status_code == 302 and login_next(answer["Location"]) == FORM
    login = browser.get(answer["Location"])
    assert TEXTS[language]["login"] in text_of(login) and TEXTS[language]["had ended"] in text_of(login)
    assert not HelpRequest.objects.exists()
    # Logging in again, with its second factor, opens the form's page.
    logged_in = browser.post(answer["Location"], {"username": "coord", "password": "a-long-test-password",
                                                  "csrfmiddlewaretoken": token_of(login)}, follow=True)
    verified = browser.post(logged_in.request["PATH_INFO"] + "?" + logged_in.request["QUERY_STRING"], {
        "token": coordinator_person.backup_codes.pop(), "csrfmiddlewaretoken": token_of(logged_in)})
    assert verified.status_code == 302 and verified["Location"] == FORM


def test_a_post_from_a_tab_whose_session_was_logged_out_in_another_goes_to_the_login_page(coordinator_person, language):
    browser = browser_of(coordinator_person, language)  # one browser, two tabs: one cookie jar
    token = token_of(browser.get(FORM))
    assert browser.post("/logout/", {"csrfmiddlewaretoken": token}, follow=True).status_code == 200  # the other tab

    answer = browser.post(FORM, COUNT | {"csrfmiddlewaretoken": token}, HTTP_REFERER=f"http://testserver{FORM}")

    assert answer.status_code == 302 and login_next(answer["Location"]) == FORM
    assert TEXTS[language]["had ended"] in text_of(browser.get(answer["Location"]))
    assert not HelpRequest.objects.exists()


def test_a_post_12_hours_after_login_goes_to_the_login_page_and_back_to_the_form(coordinator_person, language):
    browser = browser_of(coordinator_person, language)
    token = token_of(browser.get(FORM))
    session = SessionStore(session_key(browser))
    session[SESSION_STARTED] -= settings.SESSION_ABSOLUTE_AGE
    session.save()

    answer = browser.post(FORM, COUNT | {"csrfmiddlewaretoken": token}, HTTP_REFERER=f"http://testserver{FORM}")

    assert answer.status_code == 302 and login_next(answer["Location"]) == FORM
    assert TEXTS[language]["had ended"] in text_of(browser.get(answer["Location"]))
    assert not HelpRequest.objects.exists()


def test_a_cross_site_post_without_a_session_does_nothing_and_never_returns_to_the_other_site(programme):
    browser = Client(enforce_csrf_checks=True)

    answer = browser.post("/requests/counts/", COUNT, HTTP_REFERER="https://elsewhere.example/requests/counts/")

    assert answer.status_code == 302 and login_next(answer["Location"]) == "/requests/counts/"
    assert not HelpRequest.objects.exists() and not Entry.objects.exists()
