"""A report outlives the worker making it: a worker killed mid-report, or a database
connection dropped mid-report, leaves a report that is made again (once) or marked
failed with the reason, within a minute, not ten.

On PostgreSQL the worker making a report holds a lock that dies with its connection,
so these tests kill real worker processes and drop real connections. SQLite has no
such lock (a report left running is taken over after STALE_RUNNING): see
test_services.py for that."""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import OperationalError, connection

from intake.models import HelpRequest, Programme
from reports.models import Report
from reports.services import ReportBusy, report_generate, report_lock, report_request, reports_resend_stuck
from reports.tasks import generate_report
from tests.conftest import wait_for

from .article import assert_article_figures

PROJECT = Path(__file__).resolve().parent.parent.parent
NOVEMBER = dt.date(2023, 11, 1)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a live worker is known by a PostgreSQL lock held by its connection; SQLite goes by time",
)


def side_connection():
    """A connection of the test's own to the test database, beside Django's."""
    import psycopg

    db = settings.DATABASES["default"]
    return psycopg.connect(dbname=db["NAME"], host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
                           password=db["PASSWORD"] or None)


@contextmanager
def computation_blocked():
    """Hold every table the computation of a report reads, in a transaction of a
    connection of our own: a worker that has claimed a report then waits mid-report."""
    side = side_connection()
    try:
        tables = ", ".join(model._meta.db_table for model in (HelpRequest, Programme))
        side.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
        yield side
    finally:
        side.rollback()
        side.close()


def waiting_backends(side) -> list[int]:
    """The database sessions (of workers) waiting for the tables we hold."""
    side.execute("SELECT pg_stat_clear_snapshot()")  # else a transaction sees the activity of its start
    rows = side.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        " AND pid <> pg_backend_pid()"
    ).fetchall()
    return [pid for (pid,) in rows]


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what}: not after {timeout} s")


def wait_until_blocked_mid_report(side, report_id: int, timeout: float = 60) -> int:
    """The pid of the worker's database session, once it has claimed the report and
    waits for the tables."""
    def blocked():
        backends = waiting_backends(side)
        running = Report.objects.filter(pk=report_id, state=Report.State.RUNNING).exists()
        return backends[0] if backends and running else None

    return wait_until(blocked, timeout, "a worker running the report and waiting for the tables")


def backend_gone(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 0


class Workers:
    """Celery workers, each in processes of its own (prefork, one child), on the test
    database and the test broker. Every one is killed when the test ends."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.started: list[subprocess.Popen] = []
        db = settings.DATABASES["default"]
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{db['HOST']}:"
                            f"{db['PORT'] or 5432}/{db['NAME']}",
        }

    def start(self, *queues: str) -> subprocess.Popen:
        number = len(self.started)
        log = open(self.folder / f"worker-{number}.log", "wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
             "-Q", ",".join(queues), "-n", f"lost-{number}-{uuid.uuid4().hex[:8]}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        self.started.append(process)
        return process

    @staticmethod
    def children(process: subprocess.Popen) -> list[int]:
        return [int(pid) for pid in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]

    def kill_all(self) -> None:
        for process in self.started:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=30)

    def logs(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')}"
                         for path in sorted(self.folder.glob("worker-*.log")))


@pytest.fixture
def workers(tmp_path):
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.kill_all()
        print(started.logs())  # shown by pytest when the test failed


@pytest.mark.parametrize("killed", ["the pool child", "the whole worker"])
def test_a_report_whose_worker_is_killed_mid_report_is_made_once_within_a_minute(
    committed_db, demo_programme, workers, killed
):
    report = report_request(programme=demo_programme, month=NOVEMBER, send=False)
    # A queue of this test's own, so that the worker started here is the one that
    # takes the report (any other worker of the test run listens to the default queue).
    queue = f"lost-worker-{uuid.uuid4().hex[:8]}"

    with computation_blocked() as side:
        worker = workers.start(queue, "celery")
        generate_report.apply_async([report.pk], queue=queue)
        backend = wait_until_blocked_mid_report(side, report.pk)
        if killed == "the pool child":
            (child,) = Workers.children(worker)
            os.kill(child, signal.SIGKILL)
            # The report is delivered again at once, and finds the killed child's
            # session still holding its lock (that session waits for the tables):
            # rather than dropped, it is tried again a few seconds later.
            wait_until(lambda: "reports.generate" in workers.logs() and "retry: Retry in" in workers.logs(),
                       30, "the report delivered again to be retried")
        else:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    # The tables are free again, and the killed worker's session ends as it answers.
    wait_until(lambda: backend_gone(backend), 30, "the killed worker's database session to end")
    if killed == "the whole worker":
        workers.start(queue, "celery")
    available = time.monotonic()

    made = wait_for(report.pk, timeout=60)

    assert time.monotonic() - available < 60
    assert (made.state, made.version, made.failure) == (Report.State.READY, 1, "")
    assert_article_figures(made.body)
    assert Report.objects.for_scope(demo_programme).filter(month=NOVEMBER).count() == 1


def test_a_report_whose_database_connection_drops_mid_report_is_made_again_within_a_minute(
    celery_worker, demo_programme
):
    report = report_request(programme=demo_programme, month=NOVEMBER, send=False)

    with computation_blocked() as side:
        generate_report.delay(report.pk)
        backend = wait_until_blocked_mid_report(side, report.pk)
        side.execute("SELECT pg_terminate_backend(%s)", [backend])  # as a database restart does
    dropped = time.monotonic()

    made = wait_for(report.pk, timeout=60)

    assert time.monotonic() - dropped < 60
    assert (made.state, made.version, made.failure) == (Report.State.READY, 1, "")
    assert_article_figures(made.body)
    assert Report.objects.for_scope(demo_programme).filter(month=NOVEMBER).count() == 1


def drop_my_connection_once_blocked(side, started: threading.Event):
    started.set()
    (backend,) = wait_until(lambda: waiting_backends(side), 30, "the report to wait for the tables")
    side.execute("SELECT pg_terminate_backend(%s)", [backend])


def test_on_its_last_attempt_a_report_whose_connection_drops_is_marked_failed_with_the_reason(
    committed_db, demo_programme
):
    report = report_request(programme=demo_programme, month=NOVEMBER, send=False)
    started = threading.Event()

    with computation_blocked() as side:
        dropper = threading.Thread(target=drop_my_connection_once_blocked, args=(side, started))
        dropper.start()
        started.wait()
        report_generate(report_id=report.pk, last_attempt=True)
        dropper.join()

    report.refresh_from_db()
    assert report.state == Report.State.FAILED
    assert report.failure.startswith("OperationalError: ")
    assert "terminating connection due to administrator command" in report.failure
    assert report.body is None


def test_before_its_last_attempt_a_report_whose_connection_drops_goes_back_to_the_queue(
    committed_db, demo_programme
):
    report = report_request(programme=demo_programme, month=NOVEMBER, send=False)
    started = threading.Event()

    with computation_blocked() as side:
        dropper = threading.Thread(target=drop_my_connection_once_blocked, args=(side, started))
        dropper.start()
        started.wait()
        with pytest.raises(OperationalError, match="terminating connection"):
            report_generate(report_id=report.pk, last_attempt=False)
        dropper.join()

    report.refresh_from_db()  # on a new connection: the broken one was closed
    assert (report.state, report.started_at, report.failure) == (Report.State.QUEUED, None, "")
    report_generate(report_id=report.pk, last_attempt=False)
    report.refresh_from_db()
    assert report.state == Report.State.READY


# --- who is making a report ---------------------------------------------------------


@contextmanager
def live_worker_on(report_id: int):
    """Another connection holds the report's lock, as the live worker making it does."""
    holding, done = threading.Event(), threading.Event()

    def run():
        try:
            with report_lock(report_id) as free:
                assert free
                holding.set()
                done.wait(timeout=60)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert holding.wait(timeout=30)
    try:
        yield
    finally:
        done.set()
        thread.join()


def running_report(programme, started: dt.datetime) -> Report:
    report = report_request(programme=programme, month=NOVEMBER, send=False)
    Report.objects.filter(pk=report.pk).update(state=Report.State.RUNNING, started_at=started)
    return report


def test_a_report_whose_worker_is_alive_is_left_alone_however_long_it_runs(demo_programme):
    started = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    report = running_report(demo_programme, started)

    with live_worker_on(report.pk):
        with pytest.raises(ReportBusy):
            report_generate(report_id=report.pk)
        resent = reports_resend_stuck()

    report.refresh_from_db()
    assert (report.state, report.started_at, report.body) == (Report.State.RUNNING, started, None)
    assert resent == 0


def test_a_report_left_running_by_a_dead_worker_is_taken_over_at_once(demo_programme):
    # Two minutes ago: the start times kept are cut to the minute.
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    report = running_report(demo_programme, started)

    report_generate(report_id=report.pk)

    report.refresh_from_db()
    assert report.state == Report.State.READY
    assert report.started_at > started
    assert_article_figures(report.body)


def test_the_sweep_resends_at_once_a_report_left_running_by_a_dead_worker(demo_programme):
    running_report(demo_programme, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))

    assert reports_resend_stuck() == 1
