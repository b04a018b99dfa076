"""Months accepted the way the review pages accept them: a report of the month made
through the report services, submitted by staff, accepted by an auditor, and published
as the worker publishes it once the acceptance commits (here in this process)."""

import datetime as dt
from collections.abc import Callable

from intake.models import MonthReview, Programme, User
from intake.months import month_range
from reports.models import Report
from reports.publication import publish
from reports.services import report_generate, report_request
from signoff.report_checks import review_report_check
from signoff.services import review_accept, review_submit


def make_report(programme: Programme | None, month: dt.date) -> Report:
    """The next version of a scope's report of `month`, made in this process."""
    report = report_request(programme=programme, month=month, send=False)
    report_generate(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == Report.State.READY, report.failure
    return report


def accept_month(programme: Programme, month: dt.date, *, staff: User, auditor: User,
                 check_report: Callable[[int | None], int] | None = None, published: bool = True) -> MonthReview:
    """Staff submit the month and an auditor accepts it, on its latest ready report as
    the review page checks it, and the month is published (or on what check_report
    says, with no report to publish). `published=False` leaves the publication out, for
    tests of what acceptance alone allows (a collapse), where its audit is only cost."""
    check = check_report or review_report_check(programme, month)
    review_submit(programme=programme, month=month, actor=staff, check_report=check)
    review = review_accept(programme=programme, month=month, actor=auditor, check_report=check)
    if check_report is None and published:
        publish(programme, month)
    return review


def accept_months(programme: Programme, last: dt.date, *, staff: User, auditor: User, first: dt.date | None = None):
    """Make a report of every month of `programme` from `first` (its first month) to
    `last`, and submit and accept each month on it."""
    for month in month_range(first or programme.first_month, last):
        make_report(programme, month)
        accept_month(programme, month, staff=staff, auditor=auditor)
