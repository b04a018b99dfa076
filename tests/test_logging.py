"""The logs name no one and no request (docs/design.md, Security and privacy): no client
address, no request reference, no entry id, whether gunicorn or Django writes them."""

import datetime as dt
import io
import logging
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from django.test import Client

from intake.models import Entry
from intake.services import RequestSpec, requests_log
from tests.gunicorn import PROJECT, gunicorn

IPV4 = re.compile(r"\b\d{1,3}(\.\d{1,3}){3}\b")
CLIENT_ADDRESS = "127.0.0.2"  # the server listens on 127.0.0.1: its own address is no client's


def send_from_another_address(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(CLIENT_ADDRESS, 0)) as client:
        client.sendall(data)
        return client.recv(65536)


def test_gunicorn_logs_a_bad_request_line_without_the_address_or_the_request(tmp_path):
    log = tmp_path / "gunicorn.log"
    # The access log switched on too: its format leaves out the address and the path.
    with gunicorn(log, "--access-logfile", "-") as port:
        answer = send_from_another_address(port, b"GET /requests/K7Q2-9XWD/\r\n\r\n")
        send_from_another_address(port, b"GET /requests/K7Q2-9XWD/ HTTP/1.1\r\nHost: localhost\r\n\r\n")
        time.sleep(0.5)  # let the worker write its log

    written = log.read_text()
    assert answer.startswith(b"HTTP/1.1 400")
    assert "Invalid HTTP request line" in written
    assert CLIENT_ADDRESS not in written and "K7Q2-9XWD" not in written, written
    beyond_start = "\n".join(line for line in written.splitlines() if "Listening at" not in line)
    assert not IPV4.search(beyond_start), written


# A reference with a control or non-ASCII character after it, in a path no route takes
# and in one a route takes (its request is then not found). Django writes such a path
# escaped ("\\x16"), and neither the path nor its escaped form may reach the log.
ODD_CHARACTERS = ["%16", "%00", "%C3%A9"]
ODD_PATHS = [f"/requests/7JTC-RBCA/{odd}/" for odd in ODD_CHARACTERS] + [
    f"/requests/7JTC-RBCA{odd}/" for odd in ODD_CHARACTERS]


def assert_no_path(written: str) -> None:
    assert "7JTC" not in written and "RBCA" not in written, written
    assert "/requests" not in written and "x16" not in written and "xe9" not in written, written


def test_gunicorn_and_django_log_no_path_with_odd_characters(committed_db, tmp_path):
    from bench.servers import database_url

    log = tmp_path / "gunicorn.log"
    with gunicorn(log, "--access-logfile", "-", DATABASE_URL=database_url()) as port:
        for path in ODD_PATHS:
            answer = send_from_another_address(port, f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
            assert answer.startswith((b"HTTP/1.1 404", b"HTTP/1.1 302")), log.read_text()
        time.sleep(0.5)  # let the worker write its log

    written = log.read_text()
    assert "Not Found" in written and " GET 404 " in written, written  # Django's log, and the access log
    assert_no_path(written)


@pytest.fixture
def django_log():
    """What the configured log handler writes (settings.LOGGING), as a string."""
    [handler] = [handler for handler in logging.getLogger().handlers if handler.name == "console"]
    written = io.StringIO()
    # Not setStream, which flushes the stream it replaces: that may be the capture of an
    # earlier test, closed since (a Celery worker started in a test re-points logging).
    previous, handler.stream = handler.stream, written
    yield written
    handler.stream = previous


@pytest.fixture
def a_request(this_month, programme):
    entry = requests_log(spec=RequestSpec(programme=programme, month=this_month, category="legal"), author=None)
    return entry.requests.get()


def assert_names_nothing(written: str, *secrets: str) -> None:
    for secret in secrets:
        assert not re.search(rf"\b{re.escape(secret)}\b", written), written
    assert not IPV4.search(written), written
    assert "Traceback" not in written, written


def test_a_refused_page_is_logged_without_its_reference_the_address_or_a_traceback(
    a_request, auditor, client_for, django_log
):
    response = client_for(auditor).get(f"/requests/{a_request.reference}/", REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 403
    assert "Forbidden" in django_log.getvalue()
    assert_names_nothing(django_log.getvalue(), a_request.reference, "198.51.100.7")


def test_a_missing_entry_is_logged_without_its_id(this_month, other_programme, coordinator, client_for, django_log):
    Entry.objects.create(pk=987654, programme=other_programme, month=this_month, kind=Entry.Kind.COUNT)

    response = client_for(coordinator).post("/requests/entries/987654/undo/")

    assert response.status_code == 404
    assert "Not Found" in django_log.getvalue()
    assert_names_nothing(django_log.getvalue(), "987654")


def test_a_post_refused_for_its_csrf_token_is_logged_without_its_reference(a_request, coordinator, django_log):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator)

    response = browser.post(f"/requests/{a_request.reference}/close/", {"outcome": "left"})

    assert response.status_code == 403
    assert "CSRF" in django_log.getvalue()
    assert_names_nothing(django_log.getvalue(), a_request.reference)


def test_a_server_error_is_logged_with_its_type_but_not_the_page_or_the_message(
    logged_in, unreachable_database, django_log
):
    unreachable_database()

    response = logged_in.get("/requests/K7Q2-9XWD/")

    written = django_log.getvalue()
    assert response.status_code == 500
    assert "Internal Server Error" in written and "OperationalError" in written
    assert "K7Q2-9XWD" not in written
    assert "unable to open" not in written and "Connection refused" not in written  # the error's own message
    assert not IPV4.search(written), written


@contextmanager
def a_worker_process(log_path, queue: str):
    """`celery worker -l info` in a subprocess, as production runs it, on the test
    database and broker, taking only `queue`; what it writes goes to log_path."""
    from django.db import connection

    database = connection.settings_dict
    if connection.vendor == "postgresql":
        url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"
    else:
        url = f"sqlite:///{database['NAME']}"
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info", "--pool", "solo",
               "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle"]
    with open(log_path, "w") as log:
        worker = subprocess.Popen(command, cwd=PROJECT, env=os.environ | {"DATABASE_URL": url}, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while "ready" not in log_path.read_text():
            assert worker.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        yield
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_the_worker_logs_its_tasks_naming_no_one_and_no_error_message(committed_db, demo_programme, staff, tmp_path):
    from reports.models import Report
    from reports.services import report_request
    from reports.tasks import generate_report
    from shell.tasks import clean_up
    from tests.conftest import wait_for

    made = report_request(programme=demo_programme, month=dt.date(2023, 11, 1), send=False)
    failing = report_request(programme=demo_programme, month=dt.date(2023, 11, 1), send=False)
    # A month before the programme's first: the report fails, with a message that names it.
    Report.objects.filter(pk=failing.pk).update(month=dt.date(2001, 1, 1))
    log_path = tmp_path / "worker.log"
    with a_worker_process(log_path, queue="logs-test"):
        generate_report.apply_async((made.pk,), queue="logs-test")
        generate_report.apply_async((failing.pk,), queue="logs-test")
        clean_up.apply_async(queue="logs-test")
        assert wait_for(made.pk).state == "ready" and wait_for(failing.pk).state == "failed"
        time.sleep(1)  # the clean-up, after them

    written = log_path.read_text()
    after_banner = written.partition("[tasks]")[2]
    assert re.search(r"Task reports\.generate\[[\w-]+\] received", written), written
    assert re.search(r"Task shell\.clean_up\[[\w-]+\] succeeded", written), written
    assert "ReportError" in written  # the failure is logged, by its type...
    assert "2001-01" not in written and "(2023-04)" not in written, written  # ...not its message
    assert_names_nothing(after_banner.replace("Traceback (most recent call last)", ""), staff.username)


@pytest.mark.parametrize("path", ODD_PATHS)
def test_a_path_with_odd_characters_is_not_logged_escaped_or_not(path, coordinator, client_for, django_log):
    response = client_for(coordinator).get(path)

    assert response.status_code == 404
    assert "Not Found" in django_log.getvalue()
    assert_no_path(django_log.getvalue())
