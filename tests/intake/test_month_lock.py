"""A locked month cannot change (docs/design.md, "Month review"): every service that
writes requests refuses a change to a month that is submitted, returned or accepted,
with a message naming the month and who can unlock it, and writes nothing. The
services are called directly here: the lock is theirs, not the pages'.

The clock is set (this_month): LOCKED is the previous month, so that its entries can
still be undone, EARLIER the month before it and LATER the current one.
"""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum

from intake.imports import ImportRefused, read_csv
from intake.models import (
    AuditEvent,
    Entry,
    HelpRequest,
    MonthLocked,
    MonthlyCount,
    MonthReview,
    Status,
)
from intake.services import (
    Move,
    RequestSpec,
    entry_undo,
    request_close,
    request_reopen,
    request_start,
    requests_add,
    requests_import,
    requests_log,
    requests_move,
)
from tests.conftest import NOW, THIS_MONTH, add_request, make_user, text_of

EARLIER, LOCKED, LATER = dt.date(2026, 1, 1), dt.date(2026, 2, 1), THIS_MONTH
ACCEPTED_MESSAGE = ("February 2026 of Help is accepted and locked. Staff can ask an auditor to unlock it on its "
                    "review page.")
THROUGH_EARLIER = "This would change the figures of February 2026, which count every month up to it. "


def lock(programme, month=LOCKED, state=MonthReview.State.ACCEPTED, **fields) -> MonthReview:
    """The month's review in `state`, as the review services leave it."""
    fields.setdefault("report_version", None if state in ("open", "returned") else 1)
    if state == MonthReview.State.ACCEPTED:
        fields.setdefault("accepted_in", THIS_MONTH)
    if state == MonthReview.State.RETURNED:
        fields.setdefault("return_reason", MonthReview.ReturnReason.DUPLICATES)
    return MonthReview.objects.create(programme=programme, month=month, state=state, **fields)


def snapshot() -> tuple:
    """Everything a write of requests changes."""
    return (
        sorted(HelpRequest.objects.values_list("pk", "month", "status", "outcome", "closed_month")),
        sorted(Entry.objects.values_list("pk", "size")),
        sorted(MonthlyCount.objects.values_list("programme", "month", "category", "status", "outcome",
                                               "closed_month", "requests")),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def refused(this_month):
    """refused(action, message): the action raises MonthLocked with exactly that
    message, and nothing is written."""

    def check(action, message=ACCEPTED_MESSAGE):
        before = snapshot()
        with pytest.raises(MonthLocked) as caught:
            action()
        assert caught.value.messages == [message]
        assert snapshot() == before

    return check


def spec(programme, month=LOCKED, **fields) -> RequestSpec:
    return RequestSpec(programme=programme, month=month, category="legal", **fields)


def logged(programme, month, count=1, **fields) -> Entry:
    """An entry of `count` requests, logged before the month was locked."""
    return requests_log(spec=spec(programme, month, **fields), count=count, author=None)


def received(programme, month, status=Status.NEW, **fields) -> HelpRequest:
    return add_request(programme=programme, month=month, category="legal", status=status, **fields)


# --- logging, importing, undoing ------------------------------------------------------------


def test_logging_into_an_accepted_month_is_refused(refused, programme):
    lock(programme)

    refused(lambda: requests_log(spec=spec(programme), count=3, author=None))


def test_logging_into_an_earlier_month_is_refused_since_the_accepted_figures_count_it(refused, programme):
    lock(programme)

    refused(lambda: requests_log(spec=spec(programme, EARLIER), count=3, author=None),
            THROUGH_EARLIER + ACCEPTED_MESSAGE)


def test_logging_into_a_later_month_or_another_programme_goes_on(this_month, programme, other_programme):
    lock(programme)

    requests_log(spec=spec(programme, LATER), count=3, author=None)
    requests_log(spec=spec(other_programme, LOCKED), count=2, author=None)
    # Received in the month after, closed in it: nothing of the locked month.
    requests_log(spec=spec(programme, LATER, status=Status.CLOSED, outcome="referred", closed_month=LATER),
                 author=None)

    assert HelpRequest.objects.count() == 6


def test_a_request_closed_in_the_accepted_month_cannot_be_logged_either(refused, programme):
    lock(programme)

    refused(lambda: requests_log(spec=spec(programme, EARLIER, status=Status.CLOSED, outcome="referred",
                                           closed_month=LOCKED), author=None),
            ACCEPTED_MESSAGE)


def test_importing_a_group_into_an_accepted_month_is_refused(refused, programme):
    groups = [(spec(programme, LATER), 4), (spec(programme, LOCKED), 2)]
    lock(programme)

    refused(lambda: requests_import(groups, author=None))


def test_adding_requests_made_elsewhere_is_refused_too(refused, programme):
    lock(programme)

    refused(lambda: requests_add([HelpRequest(programme=programme, month=LOCKED, category="legal")]))


def test_undoing_an_entry_of_an_accepted_month_is_refused(refused, programme):
    entry = logged(programme, LOCKED, count=5)
    lock(programme)

    refused(lambda: entry_undo(entry=entry, actor=None))
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_undoing_an_import_that_reaches_into_an_accepted_month_is_refused(refused, programme):
    entry, = requests_import([(spec(programme, LATER), 4), (spec(programme, LOCKED), 2)], author=None)
    lock(programme)

    refused(lambda: entry_undo(entry=entry, actor=None))


# --- moving, starting, closing, reopening ------------------------------------------------------


def move(programme, month, count=2, to_status=Status.IN_PROGRESS, **fields) -> Move:
    return Move(programme=programme, month=month, category="legal", from_status=Status.NEW, count=count,
                to_status=to_status, **fields)


def test_moving_requests_of_an_accepted_month_is_refused(refused, programme):
    logged(programme, LOCKED, count=5)
    lock(programme)

    refused(lambda: requests_move(move(programme, LOCKED), actor=None))


@pytest.mark.parametrize("closed_month, message", [
    (LOCKED, ACCEPTED_MESSAGE),  # closed in the accepted month: its outcomes change
    (EARLIER, THROUGH_EARLIER + ACCEPTED_MESSAGE),  # closed by its end: its open and closed figures change
])
def test_closing_earlier_requests_by_the_end_of_an_accepted_month_is_refused(refused, programme, closed_month,
                                                                              message):
    logged(programme, EARLIER, count=5)
    lock(programme)

    refused(lambda: requests_move(move(programme, EARLIER, to_status=Status.CLOSED, outcome="referred",
                                       closed_month=closed_month), actor=None), message)


def test_work_on_earlier_requests_that_leaves_the_accepted_figures_alone_goes_on(this_month, programme):
    logged(programme, EARLIER, count=5)
    lock(programme)

    # Started (open before, open after), then closed in the month after the accepted one.
    requests_move(move(programme, EARLIER, count=3), actor=None)
    requests_move(move(programme, EARLIER, count=2, to_status=Status.CLOSED, outcome="referred",
                       closed_month=LATER), actor=None)

    assert sorted(HelpRequest.objects.values_list("status", flat=True)) == ["closed"] * 2 + ["in_progress"] * 3


def test_starting_a_request_of_an_accepted_month_is_refused(refused, programme):
    request = received(programme, LOCKED)
    lock(programme)

    refused(lambda: request_start(help_request=request, seen=Status.NEW, actor=None))
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_closing_a_request_of_an_accepted_month_is_refused_whatever_the_month_closed(refused, programme):
    request = received(programme, LOCKED, Status.IN_PROGRESS)
    lock(programme)

    refused(lambda: request_close(help_request=request, seen=Status.IN_PROGRESS, outcome="referred", month=LATER,
                                  actor=None))


def test_closing_an_earlier_request_into_the_accepted_month_is_refused(refused, programme):
    request = received(programme, EARLIER, Status.IN_PROGRESS)
    lock(programme)

    refused(lambda: request_close(help_request=request, seen=Status.IN_PROGRESS, outcome="referred", month=LOCKED,
                                  actor=None))


def test_reopening_a_request_closed_in_the_accepted_month_is_refused(refused, programme):
    request = received(programme, EARLIER, Status.CLOSED, outcome="referred", closed_month=LOCKED)
    lock(programme)

    refused(lambda: request_reopen(help_request=request, seen=Status.CLOSED, actor=None))


def test_reopening_a_request_closed_after_the_accepted_month_goes_on(this_month, programme):
    request = received(programme, EARLIER, Status.CLOSED, outcome="referred", closed_month=LATER)
    lock(programme)

    request_reopen(help_request=request, seen=Status.CLOSED, actor=None)

    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS


# --- which states lock, and for how long --------------------------------------------------------


@pytest.mark.parametrize("state, message", [
    ("submitted", "February 2026 of Help is submitted for review and locked until an auditor accepts or returns it."),
    ("returned", "February 2026 of Help was returned by an auditor and stays locked until staff reopen it on its "
                 "review page."),
])
def test_a_month_under_review_or_returned_is_locked_too(refused, programme, state, message):
    lock(programme, state=state)

    refused(lambda: requests_log(spec=spec(programme), author=None), message)


def test_an_open_month_takes_changes(this_month, programme):
    lock(programme, state=MonthReview.State.OPEN)

    requests_log(spec=spec(programme), count=2, author=None)

    assert HelpRequest.objects.count() == 2


def test_an_unlocked_month_takes_changes_until_its_unlock_ends_then_is_locked_again(refused, programme):
    lock(programme, unlocked_until=NOW + dt.timedelta(days=2))

    requests_log(spec=spec(programme), count=2, author=None)
    assert HelpRequest.objects.count() == 2

    with time_machine.travel(NOW + dt.timedelta(days=2, seconds=1)):
        refused(lambda: requests_log(spec=spec(programme), count=2, author=None))
    assert HelpRequest.objects.count() == 2


def test_check_counts_fix_mends_the_table_of_a_locked_month(this_month, programme):
    logged(programme, LOCKED, count=3)
    MonthlyCount.objects.filter(programme=programme, month=LOCKED).update(requests=1)  # the table drifted
    lock(programme)

    call_command("check_counts", "--fix", stdout=io.StringIO())

    assert MonthlyCount.objects.filter(programme=programme, month=LOCKED).aggregate(n=Sum("requests"))["n"] == 3


# --- the CSV import: line-numbered errors, the whole file refused ----------------------------------


def test_an_import_with_rows_into_a_locked_month_is_refused_line_by_line(this_month, programme):
    lock(programme)
    data = (
        b"month,programme,category,status,outcome,closed_month,count\n"
        b"2026-03,help,legal,new,,,4\n"
        b"2026-02,help,legal,new,,,2\n"
        b"2026-01,help,desertion,closed,referred,2026-03,1\n"
    )

    with pytest.raises(ImportRefused) as caught:
        read_csv(data, programmes=[programme])

    assert caught.value.errors == [(3, ACCEPTED_MESSAGE), (4, THROUGH_EARLIER + ACCEPTED_MESSAGE)]


def test_reading_a_large_import_asks_for_the_locked_months_once(this_month, programme, django_assert_max_num_queries):
    lock(programme)
    data = ("month,programme,category,status,outcome,closed_month,count\n"
            + "2026-03,help,legal,new,,,1\n" * 500).encode()

    with django_assert_max_num_queries(1):
        groups = read_csv(data, programmes=[programme])

    assert len(groups) == 500


# --- on the web: a form error, or a message, naming the month --------------------------------------


@pytest.fixture
def staff_client(db, client_for, this_month):
    return client_for(make_user("staff-2", "Staff"))


def test_the_counts_form_shows_the_lock_as_its_error(staff_client, programme):
    lock(programme)

    response = staff_client.post("/requests/counts/", {
        "programme": "help", "month": "2026-02", "category": "legal", "status": "new", "count": "3"})

    assert response.status_code == 400
    assert ACCEPTED_MESSAGE in text_of(response)
    assert not HelpRequest.objects.exists()


def test_the_move_form_shows_the_lock_as_its_error(staff_client, programme):
    logged(programme, LOCKED, count=3)
    lock(programme)

    response = staff_client.post("/requests/move/", {
        "programme": "help", "month": "2026-02", "category": "legal", "from_status": "new", "count": "2",
        "to_status": "in_progress"})

    assert response.status_code == 400
    assert ACCEPTED_MESSAGE in text_of(response)
    assert not HelpRequest.objects.exclude(status=Status.NEW).exists()


def test_the_close_form_shows_the_lock_as_its_error(staff_client, programme):
    request = received(programme, LOCKED, Status.IN_PROGRESS)
    lock(programme)

    response = staff_client.post(f"/requests/{request.reference}/close/", {
        "seen": "in_progress", "outcome": "referred", "month": "2026-03"})

    assert response.status_code == 400
    assert ACCEPTED_MESSAGE in text_of(response)
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS


def test_starting_and_undoing_on_the_web_say_why_they_were_refused(staff_client, programme):
    entry = logged(programme, LOCKED, count=1)
    request = entry.requests.get()
    lock(programme)

    started = staff_client.post(f"/requests/{request.reference}/start/", {"seen": "new"}, follow=True)
    undone = staff_client.post(f"/requests/entries/{entry.pk}/undo/", follow=True)

    assert ACCEPTED_MESSAGE in text_of(started)
    assert ACCEPTED_MESSAGE in text_of(undone)
    assert HelpRequest.objects.get().status == Status.NEW


def test_the_import_page_lists_the_refused_lines(staff_client, programme):
    lock(programme)
    data = b"month,programme,category,status,outcome,closed_month,count\n2026-02,help,legal,new,,,2\n"
    upload = io.BytesIO(data)
    upload.name = "counts.csv"

    response = staff_client.post("/requests/import/", {"file": upload})

    assert response.status_code == 400
    assert f"Nothing was imported. Line 2: {ACCEPTED_MESSAGE}" in text_of(response)
    assert not HelpRequest.objects.exists()
