"""The aggregate form of the workflow: move N of the requests of one month, category
and status to another status, the ones logged first (lowest id), all or none."""

import datetime as dt

import pytest

from intake.models import HelpRequest, Outcome, Status
from tests.conftest import add_request, text_of

OCTOBER, SEPTEMBER, NOVEMBER = dt.date(2023, 10, 1), dt.date(2023, 9, 1), dt.date(2023, 11, 1)


def make(programme, *, month=OCTOBER, category="desertion", status=Status.NEW) -> HelpRequest:
    closed = status == Status.CLOSED
    return add_request(
        programme=programme, month=month, category=category, status=status,
        outcome=Outcome.REFERRED if closed else "", closed_month=NOVEMBER if closed else None,
    )


@pytest.fixture
def october_new_desertion(programme, other_programme) -> list[HelpRequest]:
    """Five new desertion requests of October, logged between requests that differ in
    one respect each (and so must never move with them)."""
    matching = []
    for _ in range(5):
        make(programme, category="legal")
        matching.append(make(programme))
        make(programme, month=SEPTEMBER)
        make(programme, status=Status.IN_PROGRESS)
        make(other_programme)
    return matching


def move_form(**fields) -> dict:
    return {"programme": "help", "month": "2023-10", "category": "desertion", "from_status": "new", "count": 3,
            "to_status": "closed", "outcome": "left_country", "closed_month": "2023-11", **fields}


def snapshot() -> dict[str, tuple]:
    rows = HelpRequest.objects.values_list("reference", "status", "outcome", "closed_month")
    return {reference: tuple(state) for reference, *state in rows}


def moved_since(before: dict[str, tuple]) -> set[str]:
    return {reference for reference, state in snapshot().items() if state != before[reference]}


def test_moving_n_requests_moves_the_n_logged_first(coordinator_client, october_new_desertion):
    before = snapshot()

    response = coordinator_client.post("/requests/move/", move_form(count=3), follow=True)

    assert response.redirect_chain == [("/requests/month/help/2023-10/?changed=desertion%3Aclosed&changed=desertion%3Anew",
                                        302)]
    assert "3 requests moved from new to closed: desertion (leave a unit)." in text_of(response)
    first_three = {r.reference for r in october_new_desertion[:3]}
    assert moved_since(before) == first_three
    moved = HelpRequest.objects.filter(reference__in=first_three)
    assert set(moved.values_list("status", "outcome", "closed_month")) == {("closed", "left_country", NOVEMBER)}


def test_a_second_move_takes_the_next_ones_in_the_same_order(coordinator_client, october_new_desertion):
    coordinator_client.post("/requests/move/", move_form(count=3))
    before = snapshot()

    coordinator_client.post("/requests/move/", move_form(count=1, outcome="detained"))

    assert moved_since(before) == {october_new_desertion[3].reference}


def test_asking_to_move_more_than_match_moves_none(coordinator_client, october_new_desertion):
    before = snapshot()

    response = coordinator_client.post("/requests/move/", move_form(count=6))

    assert response.status_code == 400
    assert "Only 5 requests match; nothing was moved." in text_of(response)
    assert snapshot() == before


def test_moving_exactly_all_that_match_moves_them_all(coordinator_client, october_new_desertion):
    before = snapshot()

    coordinator_client.post("/requests/move/", move_form(count=5))

    assert moved_since(before) == {r.reference for r in october_new_desertion}


def test_moving_requests_to_in_progress_and_reopening_in_bulk(coordinator_client, programme):
    closed = [make(programme, status=Status.CLOSED) for _ in range(3)]
    before = snapshot()

    response = coordinator_client.post("/requests/move/", move_form(from_status="closed", to_status="in_progress",
                                                                   count=2, outcome="", closed_month=""))

    assert response.status_code == 302
    assert moved_since(before) == {r.reference for r in closed[:2]}
    assert set(HelpRequest.objects.filter(status="in_progress").values_list("outcome", "closed_month")) == {("", None)}


@pytest.mark.parametrize(
    "fields, message",
    [
        pytest.param({"to_status": "new", "outcome": "", "closed_month": ""},
                     "A request that is new cannot become new.", id="new-to-new"),
        pytest.param({"from_status": "in_progress", "to_status": "new", "outcome": "", "closed_month": ""},
                     "A request that is in progress cannot become new.", id="in-progress-to-new"),
        pytest.param({"to_status": "in_progress", "closed_month": ""},
                     "Only a closed request has an outcome.", id="outcome-on-open"),
        pytest.param({"outcome": ""}, "A closed request needs an outcome.", id="closed-without-outcome"),
        pytest.param({"closed_month": ""}, "A closed request needs the month it was closed.", id="no-closed-month"),
        pytest.param({"closed_month": "2023-09"}, "The month closed cannot be before the month received.",
                     id="closed-before-received"),
        pytest.param({"count": 0}, "Enter a count from 1 to 5,000.", id="zero"),
        pytest.param({"count": 5001}, "Enter a count from 1 to 5,000.", id="huge"),
        pytest.param({"count": "٣"}, "Enter the count in digits, e.g. 12.", id="arabic-indic-digit"),
        pytest.param({"count": "1_0"}, "Enter the count in digits, e.g. 12.", id="underscore"),
        pytest.param({"month": "٢٠٢٣-١٠"}, "Enter a month as YYYY-MM, e.g. 2023-11.", id="arabic-indic-month"),
        pytest.param({"closed_month": "２０２３-１１"}, "Enter a month as YYYY-MM, e.g. 2023-11.", id="fullwidth-month"),
    ],
)
def test_an_invalid_move_is_refused_with_a_message_and_moves_nothing(coordinator_client, october_new_desertion, fields,
                                                                     message):
    before = snapshot()

    response = coordinator_client.post("/requests/move/", move_form(**fields))

    assert response.status_code == 400
    assert message in text_of(response)
    assert snapshot() == before


def test_staff_moves_requests_of_any_programme(client_for, staff, other_programme):
    moved = [make(other_programme) for _ in range(2)]
    before = snapshot()

    response = client_for(staff).post("/requests/move/", move_form(programme="other", count=2))

    assert response.status_code == 302
    assert moved_since(before) == {r.reference for r in moved}


def test_move_form_explains_the_rule(coordinator_client, programme):
    response = coordinator_client.get("/requests/move/")

    assert response.status_code == 200
    assert "the ones logged first. If fewer match, nothing is moved." in text_of(response)
