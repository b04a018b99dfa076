"""Two people acting on the same request or entry at the same instant, each in a browser
of their own, with committed transactions: exactly one of them wins, the other is told
what happened instead, and nothing the winner wrote is lost or written twice.

Each race is run for several rounds: a lost update needs the two requests to overlap,
and a round where they happen not to must pass too."""

import datetime as dt
import threading

import pytest
from django.db import connections
from django.test import Client

from intake.audit_actions import Action
from intake.models import AuditEvent, Entry, HelpRequest, Status
from intake.services import RequestSpec, requests_log
from tests.conftest import add_request, make_user, text_of

ROUNDS = 10
MAY, JULY = dt.date(2023, 5, 1), dt.date(2023, 7, 1)


def at_once(*posts: tuple[Client, str, dict]) -> list:
    """Send each (browser, url, data) POST from a thread of its own, released together,
    and return the pages they end on (redirects followed)."""
    barrier = threading.Barrier(len(posts))
    pages: list = [None] * len(posts)
    failures: list[BaseException] = []

    def send(index: int, browser: Client, url: str, data: dict) -> None:
        try:
            barrier.wait(timeout=30)
            pages[index] = browser.post(url, data, follow=True)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)
        finally:
            connections.close_all()  # this thread's connection: none may outlive the test

    threads = [threading.Thread(target=send, args=(i, *post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert all(page is not None for page in pages), "a post did not finish"
    return pages


def state_of(request: HelpRequest) -> tuple:
    return HelpRequest.objects.values_list("status", "outcome", "closed_month").get(pk=request.pk)


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


@pytest.fixture
def two_coordinators(committed_db, programme, coordinator, new_client_for):
    """Two coordinators of the same programme, each logged in in a browser of their own."""
    colleague = make_user("colleague", "Coordinator", [programme])
    return new_client_for(coordinator), new_client_for(colleague)


def new_request(programme) -> HelpRequest:
    return add_request(programme=programme, month=MAY, category="desertion")


CHANGED = "This request was changed by someone else; it is now {}."


# --- one request: start, close, reopen -----------------------------------------------------


def test_start_and_close_at_once_one_wins_and_the_other_is_told(two_coordinators, programme):
    alice, bob = two_coordinators
    for round_ in range(ROUNDS):
        request = new_request(programme)
        changes_before = events(Action.REQUEST_CHANGED)

        start, close = at_once(
            (alice, f"/requests/{request.reference}/start/", {"seen": "new"}),
            (bob, f"/requests/{request.reference}/close/", {"seen": "new", "outcome": "left_country",
                                                            "month": "2023-07"}),
        )

        started = "The request is now in progress." in text_of(start)
        closed = "The request is closed." in text_of(close)
        assert started + closed == 1, f"round {round_}: both or neither told it worked"
        if started:
            assert state_of(request) == ("in_progress", "", None), f"round {round_}"
            assert CHANGED.format("in progress") in text_of(close), f"round {round_}"
        else:
            assert state_of(request) == ("closed", "left_country", JULY), f"round {round_}: the close vanished"
            assert CHANGED.format("closed") in text_of(start), f"round {round_}"
        assert events(Action.REQUEST_CHANGED) == changes_before + 1, f"round {round_}"


def test_two_closes_with_different_outcomes_at_once_keep_one_and_tell_the_other(two_coordinators, programme):
    alice, bob = two_coordinators
    for round_ in range(ROUNDS):
        request = new_request(programme)
        changes_before = events(Action.REQUEST_CHANGED)
        url = f"/requests/{request.reference}/close/"

        pages = at_once(
            (alice, url, {"seen": "new", "outcome": "left_country", "month": "2023-07"}),
            (bob, url, {"seen": "new", "outcome": "detained", "month": "2023-07"}),
        )

        told_closed = ["The request is closed." in text_of(page) for page in pages]
        assert told_closed.count(True) == 1, f"round {round_}: {told_closed.count(True)} told it worked"
        winner = told_closed.index(True)
        loser = pages[1 - winner]
        assert state_of(request) == ("closed", ["left_country", "detained"][winner], JULY), (
            f"round {round_}: the winner's outcome was overwritten")
        assert CHANGED.format("closed") in text_of(loser), f"round {round_}"
        assert loser.status_code == 409
        assert events(Action.REQUEST_CHANGED) == changes_before + 1, f"round {round_}"


def test_two_reopens_at_once_write_once(two_coordinators, programme):
    alice, bob = two_coordinators
    for round_ in range(ROUNDS):
        request = add_request(programme=programme, month=MAY, category="legal", status=Status.CLOSED,
                              outcome="referred", closed_month=JULY)
        changes_before = events(Action.REQUEST_CHANGED)
        url = f"/requests/{request.reference}/reopen/"

        pages = at_once((alice, url, {"seen": "closed"}), (bob, url, {"seen": "closed"}))

        told = ["The request is now in progress." in text_of(page) for page in pages]
        assert told.count(True) == 1, f"round {round_}"
        assert CHANGED.format("in progress") in text_of(pages[told.index(False)]), f"round {round_}"
        assert state_of(request) == ("in_progress", "", None)
        assert events(Action.REQUEST_CHANGED) == changes_before + 1, f"round {round_}"


# --- one entry: undone by its author and by staff at once ------------------------------------


ALREADY_UNDONE = "This entry has already been undone; nothing was removed."


def test_an_entry_undone_at_once_by_its_author_and_by_staff_is_undone_once(this_month, committed_db, programme,
                                                                            coordinator, staff, new_client_for):
    author, staff_member = new_client_for(coordinator), new_client_for(staff)
    for round_ in range(ROUNDS):
        entry = requests_log(spec=RequestSpec(programme=programme, month=this_month, category="legal"),
                             count=3, author=coordinator)
        undone_before = events(Action.ENTRY_UNDONE)
        url = f"/requests/entries/{entry.pk}/undo/"

        pages = at_once((author, url, {}), (staff_member, url, {}))

        texts = [text_of(page) for page in pages]
        told_undone = ["Undone: 3 requests removed." in text for text in texts]
        assert told_undone.count(True) == 1, f"round {round_}: {texts}"
        assert ALREADY_UNDONE in texts[told_undone.index(False)], f"round {round_}"
        assert all(page.status_code == 200 for page in pages), f"round {round_}: the loser got an error page"
        assert not any("0 requests removed" in text for text in texts)
        assert not Entry.objects.filter(pk=entry.pk).exists()
        assert not HelpRequest.objects.filter(entry_id=entry.pk).exists()
        assert events(Action.ENTRY_UNDONE) == undone_before + 1, f"round {round_}"
