"""Multi-step writes of reports and reference figures: request a report, generate it,
schedule the monthly ones; save or delete a reference figure. Each writes its audit
event in the transaction of its change, with the account passed in (None: the command
line, the schedule or the worker)."""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from intake import audit
from intake.counts import count_rows, first_month
from intake.models import Programme, User
from intake.months import add_months, current_month, format_month

from .document import fingerprint, fingerprint_basis, report_document
from .models import ReferenceFigure, Report

log = logging.getLogger(__name__)

# A report left running this long was lost with its worker (the hard time limit is
# far shorter): it may be claimed again.
STALE_RUNNING = dt.timedelta(minutes=10)
# A report still queued this long has most likely lost its message: send it again
# (a duplicate delivery does nothing).
RESEND_QUEUED_AFTER = dt.timedelta(minutes=2)


class ReportError(ValueError):
    """A report that cannot be made, with a message for the person who asked."""


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
    by `requested_by`, and send it to the worker once the row is committed (a lost
    message leaves the row queued, to be sent again). With send=False the caller runs
    the task itself."""
    check_report_month(programme=programme, month=month)
    for _attempt in range(5):
        latest = Report.objects.for_scope(programme).filter(month=month).aggregate(v=Max("version"))["v"]
        try:
            return _queue_report(
                programme=programme, month=month, version=(latest or 0) + 1, requested_by=requested_by, send=send
            )
        except IntegrityError:
            continue  # another request took this version number at the same moment
    raise ReportError(_("Too many reports were requested at once; please try again."))


def _queue_report(
    *, programme: Programme | None, month: dt.date, version: int, requested_by=None, send: bool = True
) -> Report:
    with transaction.atomic():
        report = Report.objects.create(programme=programme, month=month, version=version, requested_by=requested_by)
        audit.record(requested_by, audit.Action.REPORT_REQUESTED, str(report))
        if send:
            transaction.on_commit(lambda: report_enqueue(report_id=report.pk))
    return report


def report_enqueue(*, report_id: int) -> None:
    """Send a queued report to the worker; if the broker is down, the row stays queued."""
    from .tasks import generate_report

    try:
        generate_report.delay(report_id)
    except Exception:  # noqa: BLE001 - any broker failure: the report stays queued
        log.exception("Could not send report %s to the worker; it stays queued.", report_id)


def report_generate(*, report_id: int) -> None:
    """Compute a queued report. A report that is already ready, failed or being made
    by another worker is left alone, so a duplicate delivery does nothing."""
    now = timezone.now()
    claimable = Q(state=Report.State.QUEUED) | Q(state=Report.State.RUNNING, started_at__lt=now - STALE_RUNNING)
    claimed = Report.objects.filter(claimable, pk=report_id).update(state=Report.State.RUNNING, started_at=now)
    if not claimed:
        return
    report = Report.objects.select_related("programme").get(pk=report_id)
    try:
        figures, basis = report_compute(report=report)
    except Exception as exc:
        log.exception("Report %s failed.", report_id)
        reason = f"{type(exc).__name__}: {exc}"[:300]
        Report.objects.filter(pk=report_id).update(
            state=Report.State.FAILED, failure=reason, finished_at=timezone.now()
        )
        return
    with transaction.atomic():
        Report.objects.filter(pk=report_id).update(
            state=Report.State.READY,
            figures=figures,
            fingerprint=figures["fingerprint"],
            basis=basis,
            failure="",
            finished_at=timezone.now(),
        )
        audit.record(None, audit.Action.REPORT_GENERATED, str(report))


def report_compute(*, report: Report) -> tuple[dict, dict]:
    """The report's document (docs/report-json.md) and the grouped counts its
    fingerprint is computed over, from the data as it stands now."""
    start = check_report_month(programme=report.programme, month=report.month)
    rows = count_rows(programme=report.programme, until=report.month)
    document = report_document(
        programme=report.programme, month=report.month, version=report.version, window=report.window,
        rows=rows, first_month=start,
    )
    return document, fingerprint_basis(rows, first=start, until=report.month)


def current_fingerprint(report: Report) -> str:
    rows = count_rows(programme=report.programme, until=report.month)
    return fingerprint(rows, first=first_month(report.programme), until=report.month)


def report_export_record(*, report: Report, actor: User, kind: str) -> None:
    """Note that `actor` took the report away as `kind` (print, json, csv): a read, but
    one that leaves the app."""
    audit.record(actor, audit.Action.REPORT_EXPORTED, f"{report} {kind}")


def report_verify_record(*, report: Report, actor: User | None, kind: str) -> None:
    """Note that `actor` checked the report against `kind` (the data as it stands, or
    a file): a read, but one an auditor's work is traced by."""
    audit.record(actor, audit.Action.REPORT_VERIFIED, f"{report} {kind}")


def reports_for_last_month() -> list[Report]:
    """The reports of the month just ended, one per programme and one for all, each
    made once however often this runs (beat may fire twice, a task may be retried)."""
    month = add_months(current_month(), -1)
    made = []
    scopes: list[Programme | None] = [*Programme.objects.filter(first_month__lte=month), None]
    for programme in scopes:
        try:
            check_report_month(programme=programme, month=month)
            # Version 1 exists at most once (a unique constraint): a second run finds it.
            made.append(_queue_report(programme=programme, month=month, version=1))
        except (ReportError, IntegrityError):
            continue
    return made


def reports_resend_stuck() -> int:
    """Send again every report whose message seems lost; returns how many."""
    now = timezone.now()
    stuck = Report.objects.filter(
        Q(state=Report.State.QUEUED, created_at__lt=now - RESEND_QUEUED_AFTER)
        | Q(state=Report.State.RUNNING, started_at__lt=now - STALE_RUNNING)
    ).values_list("pk", flat=True)
    report_ids = list(stuck)
    for report_id in report_ids:
        report_enqueue(report_id=report_id)
    return len(report_ids)


def reference_figure_save(*, figure: ReferenceFigure, actor: User) -> ReferenceFigure:
    """Add or change a reference figure (already validated, e.g. by its form), and note it."""
    action = audit.Action.REFERENCE_FIGURE_CHANGED if figure.pk else audit.Action.REFERENCE_FIGURE_ADDED
    with transaction.atomic():
        figure.save()
        audit.record(actor, action, f"#{figure.pk}")
    return figure


def reference_figure_delete(*, figure: ReferenceFigure, actor: User) -> None:
    """Delete a reference figure, and note it."""
    subject = f"#{figure.pk}"
    with transaction.atomic():
        figure.delete()
        audit.record(actor, audit.Action.REFERENCE_FIGURE_DELETED, subject)
