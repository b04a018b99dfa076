"""Collapse (docs/design.md, "Collapse"): once a month is accepted, the closed requests
closed in it can be replaced by their counts. Their rows and references are deleted;
the counts table keeps every number, and knows how many of each cell are counts only,
so check_counts stays exact. Open requests stay rows; entries that logged or moved a
collapsed request can no longer be undone, and say so."""

import datetime as dt
import io
import time

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from intake.models import AuditEvent, Entry, HelpRequest, MonthlyCount, MonthReview, MovedRequest, Status
from intake.retention import collapsible_count, month_collapse, months_to_collapse
from intake.services import AlreadyUndone, Move, RequestSpec, entry_undo, requests_log, requests_move
from intake.tasks import collapse_accepted_months
from signoff.services import review_grant_unlock, review_request_unlock, review_submit
from tests.conftest import make_user, text_of
from tests.reports.accepting import accept_month

from .counting import counted

pytestmark = pytest.mark.usefixtures("this_month")
FEBRUARY = dt.date(2026, 2, 1)  # the month before the test clock's: over, so it can be accepted
JANUARY = dt.date(2026, 1, 1)


def accept(programme, month: dt.date) -> MonthReview:
    """Accept the month through the review services (the report check is reports' job)."""
    staff = make_user(f"staff-{month:%Y%m}", "Staff")
    auditor = make_user(f"auditor-{month:%Y%m}", "Auditor")
    return accept_month(programme, month, staff=staff, auditor=auditor, check_report=lambda version: version or 1)


def log(programme, author, count, *, month=FEBRUARY, status=Status.NEW, outcome="", closed_month=None):
    return requests_log(spec=RequestSpec(programme=programme, month=month, category="legal", status=status,
                                         outcome=outcome, closed_month=closed_month), count=count, author=author)


def table() -> dict:
    return {row[:-1]: row[-1] for row in MonthlyCount.objects.values_list(
        "programme", "month", "category", "status", "outcome", "closed_month", "requests")}


def check_counts() -> str:
    out = io.StringIO()
    call_command("check_counts", stdout=out)
    return out.getvalue()


@pytest.fixture
def february(programme, coordinator):
    """Requests received in January and February: 3 closed in February, 2 closed in
    January, 4 still open; February is accepted, January is not."""
    closed_in_february = log(programme, coordinator, 3, status=Status.CLOSED, outcome="left_country",
                             closed_month=FEBRUARY)
    log(programme, coordinator, 2, month=JANUARY, status=Status.CLOSED, outcome="detained", closed_month=JANUARY)
    log(programme, coordinator, 4)
    return closed_in_february


def test_collapsing_an_accepted_month_deletes_the_requests_closed_in_it_and_keeps_every_count(programme, february):
    accept(programme, FEBRUARY)
    references = set(february.requests.values_list("reference", flat=True))
    counts_before = table()
    assert collapsible_count(programme=programme, month=FEBRUARY) == 3

    collapsed = month_collapse(programme=programme, month=FEBRUARY, actor=None)

    assert collapsed == 3
    assert not HelpRequest.objects.filter(reference__in=references).exists()
    # Open requests, and those closed in a month not accepted, stay rows.
    assert sorted(HelpRequest.objects.values_list("status", "closed_month")) == [
        ("closed", JANUARY), ("closed", JANUARY), ("new", None), ("new", None), ("new", None), ("new", None)]
    assert table() == counts_before
    assert collapsible_count(programme=programme, month=FEBRUARY) == 0
    assert check_counts() == "Counts match: 2 cells (3 requests kept as counts only).\n"
    assert AuditEvent.objects.filter(action="month_collapsed").values_list("subject", flat=True).get() == (
        "help 2026-02, 3")


def test_a_second_collapse_of_the_same_month_finds_nothing_and_changes_nothing(programme, february):
    accept(programme, FEBRUARY)
    month_collapse(programme=programme, month=FEBRUARY, actor=None)
    counts = table()

    assert month_collapse(programme=programme, month=FEBRUARY, actor=None) == 0
    assert table() == counts
    assert HelpRequest.objects.count() == 6


def test_check_counts_still_finds_a_request_missing_beside_collapsed_ones(programme, february):
    accept(programme, FEBRUARY)
    month_collapse(programme=programme, month=FEBRUARY, actor=None)
    HelpRequest.objects.filter(status=Status.NEW).first().delete()  # behind the app's back

    with pytest.raises(CommandError, match="differs from the requests in 1 cell"):
        check_counts()
    call_command("check_counts", "--fix", stdout=io.StringIO())
    assert check_counts() == "Counts match: 2 cells (3 requests kept as counts only).\n"
    assert counted()[next(iter(c for c in counted() if c.status == Status.NEW))] == 3


@pytest.mark.parametrize("state", ["open", "submitted"])
def test_only_an_accepted_month_can_be_collapsed(programme, february, state):
    if state == "submitted":
        review_submit(programme=programme, month=FEBRUARY, actor=make_user("s", "Staff"),
                      check_report=lambda version: 1)

    with pytest.raises(ValidationError, match="Only the requests of an accepted month can be collapsed"):
        month_collapse(programme=programme, month=FEBRUARY, actor=None)
    assert HelpRequest.objects.count() == 9


def test_a_month_unlocked_for_corrections_is_not_collapsed_until_it_locks_again(programme, february):
    accept(programme, FEBRUARY)
    review_request_unlock(programme=programme, month=FEBRUARY, reason="correction", actor=make_user("s", "Staff"))
    review_grant_unlock(programme=programme, month=FEBRUARY, actor=make_user("a", "Auditor"))

    with pytest.raises(ValidationError, match="unlocked for corrections"):
        month_collapse(programme=programme, month=FEBRUARY, actor=None)
    assert HelpRequest.objects.count() == 9


def unlock(programme, month):
    review_request_unlock(programme=programme, month=month, reason="correction", actor=make_user("s2", "Staff"))
    review_grant_unlock(programme=programme, month=month, actor=make_user("a2", "Auditor"))


def test_an_entry_whose_requests_were_collapsed_can_no_longer_be_undone_and_says_why(programme, february):
    accept(programme, FEBRUARY)
    month_collapse(programme=programme, month=FEBRUARY, actor=None)
    unlock(programme, FEBRUARY)  # the month's lock no longer refuses the undo: the collapse does
    february.refresh_from_db()
    assert february.collapsed

    with pytest.raises(ValidationError, match="were kept as counts only"):
        entry_undo(entry=february, actor=None)
    assert Entry.objects.filter(pk=february.pk).exists()
    assert check_counts().startswith("Counts match")


def test_a_move_of_collapsed_requests_can_no_longer_be_undone(programme, coordinator):
    log(programme, coordinator, 5)
    move = Move(programme=programme, month=FEBRUARY, category="legal", from_status="new", count=2,
                to_status="closed", outcome="referred", closed_month=FEBRUARY)
    requests_move(move, actor=coordinator)
    moved = Entry.objects.get(kind="move")
    accept(programme, FEBRUARY)

    month_collapse(programme=programme, month=FEBRUARY, actor=None)

    assert not MovedRequest.objects.exists()
    moved.refresh_from_db()
    assert moved.collapsed
    with pytest.raises(ValidationError, match="were kept as counts only"):
        entry_undo(entry=moved, actor=None)


def test_undoing_a_collapsed_entry_on_its_page_is_refused_with_a_message_not_an_error(
        programme, february, coordinator_client):
    accept(programme, FEBRUARY)
    month_collapse(programme=programme, month=FEBRUARY, actor=None)
    unlock(programme, FEBRUARY)

    home = text_of(coordinator_client.get("/"))
    page = coordinator_client.get(f"/requests/entries/{february.pk}/undo/", follow=True)
    posted = coordinator_client.post(f"/requests/entries/{february.pk}/undo/", follow=True)

    assert "Kept as counts only: cannot be undone" in home
    for response in (page, posted):
        assert response.status_code == 200
        assert "were kept as counts only" in text_of(response)
    assert Entry.objects.filter(pk=february.pk).exists()


def test_a_collapsed_request_looked_up_by_reference_is_explained_without_confirming_it_existed(
        programme, february, coordinator_client):
    accept(programme, FEBRUARY)
    reference = february.requests.first().reference
    month_collapse(programme=programme, month=FEBRUARY, actor=None)

    found = coordinator_client.get("/requests/find/", {"reference": reference})
    never = coordinator_client.get("/requests/find/", {"reference": "ZZZZ-ZZZZ"})
    detail = coordinator_client.get(f"/requests/{reference}/")

    explanation = ("Requests closed in a month that has been accepted are kept only as counts after a while: "
                   "their references can no longer be found.")
    assert found.status_code == never.status_code == detail.status_code == 404
    assert explanation in text_of(found)
    assert explanation in text_of(detail)
    assert text_of(found).replace(reference, "X") == text_of(never).replace("ZZZZ-ZZZZ", "X")


def test_collapse_after_months_is_off_by_default_and_the_task_then_collapses_nothing(programme, february):
    accept(programme, FEBRUARY)
    assert django_settings.COLLAPSE_AFTER_MONTHS is None

    collapse_accepted_months()

    assert HelpRequest.objects.count() == 9


def test_months_to_collapse_are_those_accepted_at_least_n_months_ago(programme, february, settings):
    settings.COLLAPSE_AFTER_MONTHS = 2
    review = accept(programme, FEBRUARY)
    accept(programme, JANUARY)
    assert months_to_collapse() == []  # both accepted this month

    MonthReview.objects.filter(pk=review.pk).update(accepted_in=JANUARY)

    assert [(review.programme, review.month) for review in months_to_collapse()] == [(programme, FEBRUARY)]


def test_beat_runs_the_automatic_collapse_every_day():
    entry = django_settings.CELERY_BEAT_SCHEDULE["collapse-accepted-months"]
    assert entry["task"] == "intake.collapse_accepted_months"
    assert str(entry["schedule"]) == str(crontab(minute=30, hour=3))


def test_the_worker_collapses_months_accepted_long_enough_ago(celery_worker, programme, february, settings):
    settings.COLLAPSE_AFTER_MONTHS = 1
    review = accept(programme, FEBRUARY)
    MonthReview.objects.filter(pk=review.pk).update(accepted_in=FEBRUARY)  # accepted a month ago: due
    counts = table()

    collapse_accepted_months.delay()

    deadline = time.monotonic() + 60
    while HelpRequest.objects.filter(closed_month=FEBRUARY).exists():
        assert time.monotonic() < deadline, "the worker did not collapse the month"
        time.sleep(0.1)
    assert HelpRequest.objects.count() == 6
    assert table() == counts
    assert check_counts() == "Counts match: 2 cells (3 requests kept as counts only).\n"


def test_an_entry_undone_before_the_collapse_is_not_affected(programme, coordinator):
    entry = log(programme, coordinator, 2, status=Status.CLOSED, outcome="withdrew", closed_month=FEBRUARY)
    entry_undo(entry=entry, actor=None)
    accept(programme, FEBRUARY)

    assert month_collapse(programme=programme, month=FEBRUARY, actor=None) == 0
    with pytest.raises(AlreadyUndone):
        entry_undo(entry=entry, actor=None)
