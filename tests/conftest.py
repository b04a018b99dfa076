import datetime as dt
import re
import time
from collections.abc import Iterator
from html import unescape

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils import translation

from intake.models import HelpRequest, Programme, User
from intake.months import current_month
from intake.services import requests_add
from reports.models import Report
from reports.services import report_generate, report_request
from tests.demo_data import DemoCopy

PASSWORD = "a-long-test-password"
# The clock of the tests that depend on the current month (the this_month fixture):
# mid-month, so that they read the same month as the app on any day they run.
NOW = dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC)
THIS_MONTH = NOW.date().replace(day=1)


def make_user(username: str, role: str | None, programmes=(), **extra) -> User:
    user = User.objects.create_user(username, PASSWORD, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    for programme in programmes:
        programme.members.add(user)
    return user


def text_of(response) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def this_month() -> Iterator[dt.date]:
    """The current month, with the clock set to NOW for the test (it runs on from there,
    in every thread of the test process, but not in subprocesses)."""
    with time_machine.travel(NOW):
        yield current_month()


def add_request(**fields) -> HelpRequest:
    """One request, stored as the app stores requests: counted in the same transaction
    (a request made with HelpRequest.objects.create would be missing from the counts)."""
    return requests_add([HelpRequest(**fields)])[0]


def add_requests(count: int, **fields) -> list[HelpRequest]:
    """`count` requests alike, stored as add_request stores one, all in one transaction."""
    return requests_add([HelpRequest(**fields) for _ in range(count)])


@pytest.fixture
def programme(db) -> Programme:
    return Programme.objects.create(slug="help", name="Help", first_month=dt.date(2023, 4, 1))


@pytest.fixture
def other_programme(db) -> Programme:
    return Programme.objects.create(slug="other", name="Other", first_month=dt.date(2023, 1, 1))


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


@pytest.fixture(scope="session", autouse=True)
def _demo_copy(request, django_db_blocker) -> DemoCopy | None:
    # Made first in each test process, before any test has written anything, in a
    # transaction it rolls back (tests/demo_data.py). A run with no test of the database
    # makes none.
    if not any(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())) for item in request.session.items):
        return None
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        return DemoCopy()


@pytest.fixture
def demo_programme(db, _demo_copy) -> Programme:
    """The demo programme as load_demo leaves it: its requests made once per session
    (tests/demo_data.py), its accounts by load_demo."""
    return _demo_copy.insert()


@pytest.fixture
def november_report(demo_programme) -> Report:
    """The demo programme's report of November 2023, made through the report services."""
    report = report_request(programme=demo_programme, month=dt.date(2023, 11, 1), send=False)
    report_generate(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == Report.State.READY, report.failure
    return report


@pytest.fixture
def coordinator(programme) -> User:
    return make_user("coord", "Coordinator", [programme])


@pytest.fixture
def other_coordinator(other_programme) -> User:
    return make_user("other-coord", "Coordinator", [other_programme])


@pytest.fixture
def staff(db) -> User:
    return make_user("staff-member", "Staff")


@pytest.fixture
def auditor(db) -> User:
    return make_user("auditor-1", "Auditor")


@pytest.fixture
def administrator(db) -> User:
    return make_user("admin-1", "Administrator", is_staff=True)


def log_in(client: Client, user: User) -> Client:
    """The client, logged in as that user through the login form."""
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "login failed"
    return client


@pytest.fixture
def client_for(client):
    """client_for(user): the test client, logged in as that user through the login form."""

    def log_in_as(user: User) -> Client:
        client.logout()  # the login page sends a logged-in user away: start afresh
        return log_in(client, user)

    return log_in_as


@pytest.fixture
def new_client_for():
    """new_client_for(user): a client of its own, logged in as that user through the
    login form; two people working at once use two clients."""
    return lambda user: log_in(Client(), user)


@pytest.fixture
def coordinator_client(client_for, coordinator) -> Client:
    """The coordinator's client, logged in."""
    return client_for(coordinator)


# A real Celery worker, in a thread of the test process, on the configured broker
# (the filesystem by default; Redis when CELERY_BROKER_URL says so).


@pytest.fixture(scope="session")
def _worker_session(django_db_setup):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.control.purge()  # messages left by an earlier, interrupted run
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


@pytest.fixture
def committed_db(django_db_serialized_rollback, transactional_db):
    """A database whose writes are committed, so other threads (the worker, a live
    server) see them. The roles, made by a migration, are restored after each test."""


@pytest.fixture
def celery_worker(_worker_session, committed_db):
    """A running worker; the test's writes are committed, so the worker sees them."""
    return _worker_session


def wait_for(report_id: int, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = Report.objects.get(pk=report_id)
        if not report.is_pending:
            return report
        time.sleep(0.1)
    raise AssertionError(f"report {report_id} still {report.state} after {timeout} s")


@pytest.fixture(autouse=True)
def _default_language_after_each_test(settings):
    """A page asked for in Russian leaves Russian active in the test's thread (the
    locale middleware activates a language for each request and never resets it): the
    next test starts in the default language again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; the tests log in a lot.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def unreachable_database(committed_db):
    """The database goes away: every new connection fails, as during a restart."""

    def cut_off():
        connection.close()
        if connection.vendor == "postgresql":
            connection.settings_dict["PORT"] = "1"  # nothing listens there: connection refused
        else:
            connection.settings_dict["NAME"] = "/proc/no-such-folder/db.sqlite3"

    saved = dict(connection.settings_dict)
    yield cut_off
    connection.close()
    connection.settings_dict.update(saved)


@pytest.fixture
def logged_in(staff, client):
    """The test client, logged in as staff, answering a failure as the server would."""
    assert client.post("/login/", {"username": staff.username, "password": PASSWORD}).status_code == 302
    client.raise_request_exception = False  # answer as the server would, with the 500 page
    return client


def table_rows(response, marker: str) -> list[list[str]]:
    """The cell texts of each body row of the page's table marked with the attribute `marker`."""
    html = response.content.decode()
    body = re.search(rf"<table[^>]*{marker}.*?<tbody>(.*?)</tbody>", html, flags=re.S)[1]
    return [
        [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
         for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    ]


def current_fingerprint(report) -> str:
    """The fingerprint of the data a report counts, as it is now."""
    from intake.counts import count_rows, first_month
    from reports.document import fingerprint

    rows = count_rows(programme=report.programme, until=report.month)
    return fingerprint(rows, first=first_month(report.programme), until=report.month)
