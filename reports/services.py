"""Multi-step writes of reports: request one, generate it, schedule the monthly ones."""

import datetime as dt
import hashlib
import json
import logging

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.counts import CountRow, count_rows, data_version, first_month
from intake.models import Category, Outcome, Programme, Status
from intake.months import add_months, current_month, format_month

from .figures import report_figures
from .models import Report

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


def report_request(*, programme: Programme | None, month: dt.date, requested_by=None, send: bool = True) -> Report:
    """Create the next version of a report, queued, and send it to the worker once
    the row is committed (a lost message leaves the row queued, to be sent again).
    With send=False the caller runs the task itself."""
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
        # Read before the counts: a change committed in between makes the report look
        # changed (and a check then says it is not), never the other way round.
        stamp = data_version(programme=report.programme, until=report.month)
        figures = compute_figures(programme=report.programme, month=report.month, window=report.window)
    except Exception as exc:
        log.exception("Report %s failed.", report_id)
        reason = f"{type(exc).__name__}: {exc}"[:300]
        Report.objects.filter(pk=report_id).update(
            state=Report.State.FAILED, failure=reason, finished_at=timezone.now()
        )
        return
    figures = {"scope": {"programme": report.programme.slug if report.programme else None},
               "month": figures.pop("month"), "version": report.version, **figures}
    Report.objects.filter(pk=report_id).update(
        state=Report.State.READY,
        figures=figures,
        fingerprint=figures["fingerprint"],
        data_version=stamp,
        failure="",
        finished_at=timezone.now(),
    )


def compute_figures(*, programme: Programme | None, month: dt.date, window: int = 3) -> dict:
    """Every figure of a report and the fingerprint of the counts it came from."""
    start = check_report_month(programme=programme, month=month)
    rows = count_rows(programme=programme, until=month)
    series: dict[dt.date, int] = {}
    for row in rows:
        series[row.month] = series.get(row.month, 0) + row.requests
    figures = report_figures(counts=series, month=month, first_month=start, window=window)
    figures.update(breakdowns(rows, month=month))
    figures["fingerprint"] = fingerprint(rows, first=start, until=month)
    return figures


def breakdowns(rows: list[CountRow], *, month: dt.date) -> dict:
    by_category = dict.fromkeys(Category.values, 0)
    by_status = {"open": 0, "closed": 0}
    outcomes = dict.fromkeys(Outcome.values, 0)
    for row in rows:
        if row.month == month:
            by_category[row.category] += row.requests
        closed_by_then = row.status == Status.CLOSED and row.closed_month <= month
        by_status["closed" if closed_by_then else "open"] += row.requests
        if row.status == Status.CLOSED and row.closed_month == month:
            outcomes[row.outcome] += row.requests
    return {"by_category": by_category, "by_status_end_of_month": by_status, "outcomes_closed_in_month": outcomes}


def fingerprint(rows: list[CountRow], *, first: dt.date, until: dt.date) -> str:
    """sha256 of the canonical grouped counts: equal if and only if the data under a
    report is the same, so anyone can recompute it and see whether it changed."""
    canonical = {
        "first": format_month(first),
        "until": format_month(until),
        "rows": [
            [format_month(r.month), r.category, r.status, r.outcome,
             format_month(r.closed_month) if r.closed_month else "", r.requests]
            for r in rows
        ],
    }
    payload = json.dumps(canonical, separators=(",", ":"), sort_keys=True).encode()
    return "sha256:" + hashlib.sha256(payload).hexdigest()


def current_fingerprint(report: Report) -> str:
    rows = count_rows(programme=report.programme, until=report.month)
    return fingerprint(rows, first=first_month(report.programme), until=report.month)


def report_data_unchanged(report: Report) -> bool:
    """Whether the data under a ready report is known to be the one it was computed
    from: its stamp is still the current one. One small query; False means "may have
    changed" (a request logged and undone since changes the stamp, not the data)."""
    return report.data_version is not None and report.data_version == data_version(
        programme=report.programme, until=report.month
    )


def report_check_data(report: Report) -> bool:
    """Recompute the fingerprint of the data under a ready report: whether it is still
    the data the report was computed from. When it is, the report takes the current
    stamp, so that its page says so without checking again."""
    stamp = data_version(programme=report.programme, until=report.month)
    unchanged = current_fingerprint(report) == report.fingerprint
    if unchanged:
        Report.objects.filter(pk=report.pk).update(data_version=stamp)
        report.data_version = stamp
    return unchanged


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
