"""Report generation survives lost messages, duplicate deliveries, failures and a
broker that refuses or hangs, each shown with a real worker or a real broker client."""

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from reports.models import Report
from reports.services import RESEND_QUEUED_AFTER, STALE_RUNNING, STORED_TO, report_request
from reports.tasks import generate_last_month, generate_report, resend_stuck
from tests.conftest import wait_for

PROJECT = Path(__file__).resolve().parent.parent.parent
NOVEMBER = dt.date(2023, 11, 1)


def test_a_report_is_sent_to_the_worker_only_once_its_row_is_committed(demo_programme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        report = report_request(programme=demo_programme, month=NOVEMBER)
        assert callbacks == []  # nothing sent while the row is uncommitted
    assert len(callbacks) == 1
    assert report.state == Report.State.QUEUED


def test_a_duplicate_delivery_makes_one_version_and_leaves_it_as_it_was(celery_worker, demo_programme):
    report = report_request(programme=demo_programme, month=NOVEMBER)
    ready = wait_for(report.pk)

    generate_report.delay(report.pk)  # the same message delivered again
    generate_report.delay(report.pk)
    resend_stuck.delay()  # and a sweep: nothing is stuck, so nothing is sent
    # A marker task sent last: once it has run, the worker has handled the others.
    marker = report_request(programme=demo_programme, month=dt.date(2023, 10, 1))
    wait_for(marker.pk)

    again = Report.objects.get(pk=report.pk)
    assert Report.objects.filter(month=NOVEMBER).count() == 1
    assert (again.state, again.version, again.finished_at, again.body) == (
        "ready", 1, ready.finished_at, ready.body)


def test_a_failing_generation_is_stored_as_failed_with_its_reason(celery_worker, demo_programme):
    # A month before the programme started cannot be reported: the worker says why.
    report = Report.objects.create(programme=demo_programme, month=dt.date(2023, 1, 1), version=1)

    generate_report.delay(report.pk)

    failed = wait_for(report.pk)
    assert failed.state == Report.State.FAILED
    assert "before the first month" in failed.failure


def test_the_sweep_resends_a_report_whose_message_was_lost(celery_worker, demo_programme):
    lost = report_request(programme=demo_programme, month=NOVEMBER, send=False)
    Report.objects.filter(pk=lost.pk).update(created_at=timezone.now() - RESEND_QUEUED_AFTER - STORED_TO - dt.timedelta(seconds=1))

    resend_stuck.delay()

    assert wait_for(lost.pk).state == Report.State.READY


def due(task: str, *, last_run: dt.datetime, now: dt.datetime, time_machine) -> bool:
    """Whether Celery beat would run the task at `now`, had it last run it at `last_run`."""
    [schedule] = [entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == task]
    time_machine.move_to(now, tick=False)
    return schedule.is_due(last_run).is_due


def test_beat_makes_the_monthly_reports_at_two_on_the_first_of_each_month(time_machine):
    zone = ZoneInfo(settings.TIME_ZONE)
    made = dt.datetime(2026, 3, 1, 2, 0, tzinfo=zone)

    for now, expected in [
        (dt.datetime(2026, 3, 15, 12, 0, tzinfo=zone), False),
        (dt.datetime(2026, 3, 31, 23, 59, tzinfo=zone), False),
        (dt.datetime(2026, 4, 1, 1, 59, tzinfo=zone), False),
        (dt.datetime(2026, 4, 1, 2, 0, tzinfo=zone), True),
    ]:
        assert due("reports.generate_last_month", last_run=made, now=now, time_machine=time_machine) == expected, now


def test_beat_sweeps_for_lost_reports_every_minute(time_machine):
    swept = dt.datetime(2026, 3, 15, 12, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))

    for seconds, expected in [(30, False), (59, False), (60, True)]:
        now = swept + dt.timedelta(seconds=seconds)
        assert due("reports.resend_stuck", last_run=swept, now=now, time_machine=time_machine) == expected, now


def test_a_report_lost_with_a_broker_or_a_worker_is_sent_again_within_a_minute():
    # Queued this long: sent again at the next sweep, so about a minute after the
    # broker comes back. Running this long on SQLite (which cannot tell a live worker
    # from a dead one): taken over, as no live run outlasts the hard time limit.
    assert RESEND_QUEUED_AFTER <= dt.timedelta(seconds=30)
    assert STALE_RUNNING <= dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + dt.timedelta(minutes=1)


def test_the_worker_acknowledges_late_requeues_on_worker_loss_and_limits_time():
    from config.celery import app  # the app every worker runs, the celery_worker fixture's too

    task = app.tasks["reports.generate"]
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit <= 300
    assert app.conf.worker_prefetch_multiplier == 1


class HangingServer:
    """A TCP server that accepts connections and never answers: a hung broker."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()


# Runs in a fresh process, so that its Celery app talks to the broker named by
# CELERY_BROKER_URL: a staff member asks for a report through the web page.
REQUEST_A_REPORT = """
import datetime, json, time
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import Group
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from intake.models import Programme, User
from reports.models import Report
Programme.objects.create(slug="p", name="P", first_month=datetime.date(2023, 1, 1))
staff = User.objects.create_user("staff", "long-enough-password")
staff.groups.add(Group.objects.get(name="Staff"))
client = Client()
client.force_login(staff)
started = time.monotonic()
response = client.post("/reports/generate/", {"programme": "p", "month": "2023-11"}, follow=True)
elapsed = time.monotonic() - started
print(json.dumps({"status": response.status_code, "elapsed": elapsed, "state": Report.objects.get().state,
                  "page_says_queued": "queued" in response.content.decode()}))
"""


@pytest.mark.parametrize("broker", ["refuses", "hangs"])
def test_a_broker_that_refuses_or_hangs_does_not_hang_or_break_the_web_request(tmp_path, broker):
    server = HangingServer() if broker == "hangs" else None
    port = server.port if server else 1  # nothing listens on port 1
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0",
    }
    try:
        result = subprocess.run([sys.executable, "-c", REQUEST_A_REPORT], cwd=PROJECT, env=env,
                                capture_output=True, text=True, timeout=120)
    finally:
        if server:
            server.close()

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 200
    assert outcome["state"] == "queued"
    assert outcome["page_says_queued"]
    assert outcome["elapsed"] < 15, outcome


def test_beat_job_run_twice_by_the_worker_makes_last_months_reports_once(this_month, celery_worker, db):
    from intake.models import Programme
    from intake.months import add_months

    last_month = add_months(this_month, -1)
    Programme.objects.create(slug="a", name="A", first_month=add_months(last_month, -3))
    Programme.objects.create(slug="b", name="B", first_month=last_month)

    generate_last_month.delay()
    generate_last_month.delay()  # a second beat, or a retry
    # A marker report sent after both jobs: the worker takes messages in order, so
    # once it is made, both jobs have run.
    marker = report_request(programme=None, month=add_months(last_month, -1))
    wait_for(marker.pk)
    made = [wait_for(report.pk) for report in Report.objects.filter(month=last_month)]

    assert sorted((r.scope_slug, r.version, r.state) for r in made) == [
        ("a", 1, "ready"), ("all", 1, "ready"), ("b", 1, "ready")]
