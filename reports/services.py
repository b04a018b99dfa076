"""Multi-step writes of reports and reference figures: request a report, generate it,
schedule the monthly ones; save or delete a reference figure. Each writes its audit
event in the transaction of its change, with the account passed in (None: the command
line, the schedule or the worker)."""

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from intake import audit
from intake.counts import data_version, first_month, grouped_counts
from intake.models import Programme, User
from intake.months import add_months, current_month, format_month, to_the_minute_now

from .audit_actions import ReportAction
from .document import fingerprint_basis, report_document
from .models import ReferenceFigure, Report

log = logging.getLogger(__name__)

# Who is making a report. On PostgreSQL the worker making one holds a session-level
# advisory lock keyed by the report for as long as it works on it, and the server
# drops the lock the moment that worker's connection ends, however the worker died
# (SIGKILL, out of memory, a database restart). So a delivery that takes the lock
# knows that nobody is making the report and takes a "running" one over at once; one
# that cannot knows that a live worker is on it. (A row lock would keep a transaction
# open for the whole computation; a heartbeat would need a period and a guess.)
# SQLite has no such lock: there a report left running is taken over once it has run
# longer than the hard time limit, which no live run outlasts.
STALE_RUNNING = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
# A report still queued this long has most likely lost its message (a broker that was
# down, a worker killed with the message): send it again (a duplicate delivery does
# nothing).
RESEND_QUEUED_AFTER = dt.timedelta(seconds=30)
# The times kept of a report's run are cut to the minute (issue 17): one may be up to a
# minute earlier than the moment, so the two waits above count from a minute later.
STORED_TO = dt.timedelta(minutes=1)
# After these the database connection cannot be trusted (the server restarted or
# dropped it, a lock wait timed out): it is closed and the report tried again.
CONNECTION_ERRORS = (OperationalError, InterfaceError)


class ReportError(ValueError):
    """A report that cannot be made, with a message for the person who asked."""


class ReportBusy(Exception):
    """A live worker is making this report: ask again later."""


def check_report_month(*, programme: Programme | None, month: dt.date) -> dt.date:
    """The scope's first month, once `month` is known to be reportable; ReportError otherwise."""
    start = first_month(programme)
    if start is None:
        raise ReportError(_("There is no programme yet, so there is nothing to report."))
    if month < start:
        raise ReportError(_("%(month)s is before the first month of this scope (%(first)s).")
                          % {"month": format_month(month), "first": format_month(start)})
    if month > current_month():
        raise ReportError(_("%(month)s is in the future.") % {"month": format_month(month)})
    return start


def report_request(
    *, programme: Programme | None, month: dt.date, requested_by: User | None = None, send: bool = True
) -> Report:
    """Create the next version of a report, queued, noted in the audit log as requested
    by `requested_by` (the report itself does not say who asked), and send it to the worker once the row is committed (a lost
    message leaves the row queued, to be sent again). With send=False the caller runs
    the task itself."""
    check_report_month(programme=programme, month=month)
    return _queue_report(programme=programme, month=month, requested_by=requested_by, send=send)


def _queue_report(
    *, programme: Programme | None, month: dt.date, requested_by=None, send: bool = True, first_only: bool = False
) -> Report | None:
    """The next version of a scope's month, queued; with first_only, version 1 or None."""
    with transaction.atomic():
        _lock_versions(programme, month)
        latest = Report.objects.for_scope(programme).filter(month=month).aggregate(v=Max("version"))["v"] or 0
        if first_only and latest:
            return None
        report = Report.objects.create(programme=programme, month=month, version=latest + 1)
        audit.record(requested_by, ReportAction.REPORT_REQUESTED, str(report))
        if send:
            transaction.on_commit(lambda: report_enqueue(report_id=report.pk))
    return report


def _lock_versions(programme: Programme | None, month: dt.date) -> None:
    """Let one transaction at a time number the versions of a scope's month, until it
    commits: requests made at the same moment take 1, 2, 3... in turn and none meets
    a duplicate number. (SQLite's IMMEDIATE transactions let in one writer at a time.)"""
    if connection.vendor == "postgresql":
        key = _lock_key("report-versions", programme.pk if programme else "all", month.isoformat())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _lock_key(*parts: object) -> int:
    """A PostgreSQL advisory lock key (a signed 64-bit number) for what `parts` name."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def report_lock(report_id: int) -> Iterator[bool]:
    """Hold the lock of the worker making a report while inside, if it is free, and
    say whether it was. Always True on SQLite, which has no such lock."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = _lock_key("report-runner", report_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        taken = cursor.fetchone()[0]
    held_by = connection.connection
    try:
        yield taken
    finally:
        # A connection closed meanwhile took the lock with it.
        if taken and connection.connection is held_by:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except DatabaseError:
                connection.close()


def _abandoned(now: dt.datetime) -> Q:
    """Running reports whose worker may be dead: on PostgreSQL every one (its lock
    tells), on SQLite those running for longer than STALE_RUNNING."""
    if connection.vendor == "postgresql":
        return Q(state=Report.State.RUNNING)
    return Q(state=Report.State.RUNNING, started_at__lt=now - STALE_RUNNING - STORED_TO)


# The name of the task that makes a report (reports/tasks.py, generate_report): sent by
# name, so that the services the tasks call need not import the tasks.
GENERATE_TASK = "reports.generate"


def report_enqueue(*, report_id: int) -> None:
    """Send a queued report to the worker; if the broker is down, the row stays queued."""
    try:
        current_app.send_task(GENERATE_TASK, args=[report_id])
    except Exception:  # noqa: BLE001 - any broker failure: the report stays queued
        log.exception("Could not send report %s to the worker; it stays queued.", report_id)


def report_generate(*, report_id: int, last_attempt: bool = True) -> None:
    """Compute a queued report, or one whose worker died. A report that is ready or
    failed is left alone, so a duplicate delivery does nothing; ReportBusy while a
    live worker makes it.

    If the database connection breaks meanwhile, it is closed so that nothing reuses
    it, and the report goes back to the queue with the error raised, for the task to
    try again; on the last attempt the report is marked failed with the reason."""
    with report_lock(report_id) as free:
        if not free:
            raise ReportBusy(report_id)
        started = _claim(report_id)
        if started is None:
            return
        try:
            _make(report_id)
        except CONNECTION_ERRORS as exc:
            connection.close()
            if last_attempt:
                _fail(report_id, exc)
                return
            # Unless another worker has taken it over since (its start time differs).
            Report.objects.filter(pk=report_id, state=Report.State.RUNNING, started_at=started).update(
                state=Report.State.QUEUED, started_at=None
            )
            raise
        except Exception as exc:
            _fail(report_id, exc)


def _claim(report_id: int) -> dt.datetime | None:
    """Mark a report running, made by the caller, who holds its lock: the start time,
    or None if it is ready, failed or unknown. ReportBusy if it is running on a worker
    that may be alive (SQLite only: on PostgreSQL its lock said so)."""
    now = to_the_minute_now()
    claimable = Q(state=Report.State.QUEUED) | _abandoned(timezone.now())
    if Report.objects.filter(claimable, pk=report_id).update(state=Report.State.RUNNING, started_at=now):
        return now
    if connection.vendor != "postgresql" and Report.objects.filter(pk=report_id, state=Report.State.RUNNING).exists():
        raise ReportBusy(report_id)
    return None


def _make(report_id: int) -> None:
    report = Report.objects.select_related("programme").get(pk=report_id)
    # Read before the counts: a change committed in between makes the report look
    # changed (and a check then says it is not), never the other way round.
    stamp = data_version(programme=report.programme, until=report.month)
    document, basis = report_compute(report=report)
    with transaction.atomic():
        Report.objects.filter(pk=report_id).update(
            state=Report.State.READY,
            body=document,
            fingerprint=document["fingerprint"],
            data_version=stamp,
            basis=basis,
            failure="",
            finished_at=to_the_minute_now(),
        )
        audit.record(None, ReportAction.REPORT_GENERATED, str(report))


def report_compute(*, report: Report) -> tuple[dict, dict]:
    """The report's document (docs/report-json.md) and the grouped counts its
    fingerprint is computed over, from the data as it stands now."""
    start = check_report_month(programme=report.programme, month=report.month)
    rows = grouped_counts(programme=report.programme, until=report.month)
    basis = fingerprint_basis(rows, first=start, until=report.month)  # once: the document's fingerprint hashes it
    document = report_document(
        programme=report.programme, month=report.month, version=report.version, window=report.window,
        rows=rows, first_month=start, basis=basis,
    )
    return document, basis


def _fail(report_id: int, exc: Exception) -> None:
    log.exception("Report %s failed.", report_id)
    # The first line only: a database error goes on with the SQL it interrupted.
    first_line = str(exc).partition("\n")[0]
    reason = f"{type(exc).__name__}: {first_line}"[:300]
    Report.objects.filter(pk=report_id).update(state=Report.State.FAILED, failure=reason, finished_at=to_the_minute_now())


def report_export_record(*, report: Report, actor: User, kind: str, profile: str = "internal") -> None:
    """Note that `actor` took the report away as `kind` (print, json, csv) in `profile`
    (internal, partner, public): a read, but one that leaves the app."""
    audit.record(actor, ReportAction.REPORT_EXPORTED, f"{report} {kind} {profile}")

def report_data_unchanged(report: Report) -> bool:
    """Whether the data under a ready report is known to be the one it was computed
    from: its stamp is still the current one. One small query; False means "may have
    changed" (a request logged and undone since changes the stamp, not the data)."""
    return report.data_version is not None and report.data_version == data_version(
        programme=report.programme, until=report.month
    )


def report_verify_record(*, report: Report, actor: User | None, kind: str) -> None:
    """Note that `actor` checked the report against `kind` (the data as it stands, or
    a file): a read, but one an auditor's work is traced by."""
    audit.record(actor, ReportAction.REPORT_VERIFIED, f"{report} {kind}")


def reports_for_last_month() -> list[Report]:
    """The reports of the month just ended, one per programme and one for all, each
    made once however often this runs (beat may fire twice, a task may be retried)."""
    month = add_months(current_month(), -1)
    made = []
    scopes: list[Programme | None] = [*Programme.objects.filter(first_month__lte=month), None]
    for programme in scopes:
        try:
            check_report_month(programme=programme, month=month)
        except ReportError:
            continue
        # A second run, or a version made on demand, finds version 1 and makes none.
        report = _queue_report(programme=programme, month=month, first_only=True)
        if report is not None:
            made.append(report)
    return made


def reports_resend_stuck() -> int:
    """Send again every report whose message seems lost (queued for a while) or whose
    worker died (running, and nobody holds its lock); returns how many."""
    now = timezone.now()
    # Unordered: the reports' default order would join the programmes for nothing.
    queued = Report.objects.filter(state=Report.State.QUEUED, created_at__lt=now - RESEND_QUEUED_AFTER - STORED_TO).order_by()
    running = Report.objects.filter(_abandoned(now)).order_by()
    report_ids = [*queued.values_list("pk", flat=True),
                  *(pk for pk in running.values_list("pk", flat=True) if _nobody_makes(pk))]
    for report_id in report_ids:
        report_enqueue(report_id=report_id)
    return len(report_ids)


def reference_figure_save(*, figure: ReferenceFigure, actor: User) -> ReferenceFigure:
    """Add or change a reference figure (already validated, e.g. by its form), and note it."""
    action = ReportAction.REFERENCE_FIGURE_CHANGED if figure.pk else ReportAction.REFERENCE_FIGURE_ADDED
    with transaction.atomic():
        figure.save()
        audit.record(actor, action, f"#{figure.pk}")
    return figure


def reference_figure_delete(*, figure: ReferenceFigure, actor: User) -> None:
    """Delete a reference figure, and note it."""
    subject = f"#{figure.pk}"
    with transaction.atomic():
        figure.delete()
        audit.record(actor, ReportAction.REFERENCE_FIGURE_DELETED, subject)


def _nobody_makes(report_id: int) -> bool:
    with report_lock(report_id) as free:
        return free
