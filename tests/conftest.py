import datetime as dt
import time

import pytest
from django.contrib.auth.models import Group

from intake import demo
from intake.models import HelpRequest, Programme, User
from intake.services import requests_add

PASSWORD = "a-long-test-password"


def make_user(username: str, role: str | None, programmes=(), **extra) -> User:
    user = User.objects.create_user(username, PASSWORD, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    for programme in programmes:
        programme.members.add(user)
    return user


def add_request(**fields) -> HelpRequest:
    """One request, stored as the app stores requests: counted in the same transaction
    (a request made with HelpRequest.objects.create would be missing from the counts)."""
    return requests_add([HelpRequest(**fields)])[0]


@pytest.fixture
def programme(db) -> Programme:
    return Programme.objects.create(slug="help", name="Help", first_month=dt.date(2023, 4, 1))


@pytest.fixture
def other_programme(db) -> Programme:
    return Programme.objects.create(slug="other", name="Other", first_month=dt.date(2023, 1, 1))


@pytest.fixture
def demo_programme(db) -> Programme:
    demo.load_demo()
    return Programme.objects.get(slug=demo.SLUG)


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


@pytest.fixture
def client_for(client):
    """client_for(user): the test client, logged in as that user through the login form."""

    def log_in(user: User):
        client.logout()  # the login page sends a logged-in user away: start afresh
        response = client.post("/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, "login failed"
        return client

    return log_in


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
    from reports.models import Report

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = Report.objects.get(pk=report_id)
        if not report.is_pending:
            return report
        time.sleep(0.1)
    raise AssertionError(f"report {report_id} still {report.state} after {timeout} s")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; the tests log in a lot.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
