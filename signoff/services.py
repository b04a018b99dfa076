"""Month sign-off (docs/design.md, "Month review"): the steps of a programme's month
from open to accepted, and the unlock of an accepted one.

Each step is one transaction: the programme's write lock is taken and the review row
locked (the lock order, intake/locks.py), changed by its rule on the model
(MonthReview.submit, .accept, ...) and saved with its audit event, noted with the
acting account passed in. Submitting and accepting check the version of the month's
report the step rests on (signoff/report_checks.py); tests of the steps alone may pass
their own `check_report`.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from intake import audit
from intake.locks import hold_programmes
from intake.models import UNLOCK_DAYS, MonthReview, Programme, User
from intake.months import format_month
from reports.publication import publication_queue

from .audit_actions import Action
from .report_checks import ReportCheck, review_report_check


def _review_for_update(programme: Programme, month: dt.date) -> MonthReview:
    """The month's review, its row locked until the transaction ends; an unsaved open
    one if it has none (a submit creates it)."""
    hold_programmes([programme.pk])
    review = MonthReview.objects.select_for_update().filter(programme=programme, month=month).first()
    if review is None:
        review = MonthReview(programme=programme, month=month)
    review.programme = programme
    return review


def _subject(review: MonthReview, detail: str = "") -> str:
    subject = f"{review.programme.slug} {format_month(review.month)}"
    return f"{subject} {detail}" if detail else subject


def review_submit(*, programme: Programme, month: dt.date, actor: User | None, version: int | None = None,
                  check_report: ReportCheck | None = None) -> MonthReview:
    """Submit an open month for review on a version of its report (the latest ready
    one unless `version` says which): from then on the month is locked."""
    with transaction.atomic():
        hold_programmes([programme.pk])
        # The months its figures count are held first, as a writer holds them: a write
        # under way commits before the report is checked, and any later one finds the
        # month locked. (Two submits of the month at once go one after the other here.)
        MonthReview(programme=programme, month=month).hold_months()
        review = _review_for_update(programme, month)
        review.check_can_submit()  # before the report is looked at
        check = check_report or review_report_check(programme, month)
        review.submit(version=check(version), by=actor)
        review.save()
        audit.record(actor, Action.MONTH_SUBMITTED, _subject(review, f"v{review.report_version}"))
    return review


def review_accept(*, programme: Programme, month: dt.date, actor: User,
                  check_report: ReportCheck | None = None) -> MonthReview:
    """Accept a submitted month, by an auditor who neither submitted it nor logged
    requests in it, once its report version is checked again against the data; the
    worker publishes it once this commits (reports/publication.py)."""
    with transaction.atomic():
        review = _review_for_update(programme, month)
        review.accept(by=actor)
        (check_report or review_report_check(programme, month))(review.report_version)
        review.save()
        audit.record(actor, Action.MONTH_ACCEPTED, _subject(review, f"v{review.report_version}"))
        publication_queue(programme=programme, month=month, version=review.report_version)
    return review


def review_return(*, programme: Programme, month: dt.date, reason: str, actor: User | None) -> MonthReview:
    """Return a submitted month to staff, with a reason from the fixed list."""
    with transaction.atomic():
        review = _review_for_update(programme, month)
        review.return_to_staff(reason=reason)
        review.save()
        audit.record(actor, Action.MONTH_RETURNED, _subject(review, reason))
    return review


def review_reopen(*, programme: Programme, month: dt.date, actor: User | None) -> MonthReview:
    """Open a returned month again, for staff to correct it and submit it anew."""
    with transaction.atomic():
        review = _review_for_update(programme, month)
        review.reopen()
        review.save()
        audit.record(actor, Action.MONTH_REOPENED, _subject(review))
    return review


def review_request_unlock(*, programme: Programme, month: dt.date, reason: str, actor: User | None) -> MonthReview:
    """Ask for an accepted month to be unlocked, with a reason from the fixed list."""
    with transaction.atomic():
        review = _review_for_update(programme, month)
        review.request_unlock(reason=reason, by=actor)
        review.save()
        audit.record(actor, Action.UNLOCK_REQUESTED, _subject(review, reason))
    return review


def review_grant_unlock(*, programme: Programme, month: dt.date, actor: User, days: int = UNLOCK_DAYS) -> MonthReview:
    """Unlock an accepted month for `days` days, as asked by someone else; then it is
    locked again by itself, still accepted."""
    with transaction.atomic():
        review = _review_for_update(programme, month)
        review.grant_unlock(by=actor, days=days)
        review.save()
        audit.record(actor, Action.UNLOCK_GRANTED, _subject(review, f"{days} d"))
    return review


def review_forget_ended_unlocks(now: dt.datetime | None = None) -> int:
    """Forget when each unlock that has ended ended (the month is locked again either
    way): the end of an unlock tells the day it was granted. Returns how many. The rows
    are locked in the order of their ids first, as the emergency purge locks them."""
    with transaction.atomic():
        ended = MonthReview.objects.filter(unlocked_until__lte=now or timezone.now())
        ids = list(ended.select_for_update().order_by("pk").values_list("pk", flat=True))
        return MonthReview.objects.filter(pk__in=ids).update(unlocked_until=None)


def review_actions(review: MonthReview, user: User) -> list[str]:
    """The steps `user` may take on the month now (the page offers these and no others)."""
    actions = []
    State = review.State
    if user.has_perm("intake.submit_month"):
        if review.state == State.OPEN or review.is_unlocked():
            actions.append("submit")
        elif review.state == State.RETURNED:
            actions.append("reopen")
        elif review.state == State.ACCEPTED and not review.unlock_reason and not review.is_unlocked():
            actions.append("request_unlock")
    if user.has_perm("intake.decide_month"):
        if review.state == State.SUBMITTED:
            if review.acceptance_refused(user) is None:
                actions.append("accept")
            actions.append("return")
        elif review.state == State.ACCEPTED and review.unlock_reason and review.unlock_requested_by_id != user.pk:
            actions.append("grant_unlock")
    return actions
