"""The workflow of one request: new -> in progress -> closed (with an outcome and the
month closed), closed -> reopened. A change the workflow does not allow is refused
with a message, and the request stays as it was."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError

from intake.models import TRANSITIONS, AuditEvent, ChangedElsewhere, HelpRequest, Status, TransitionError
from intake.months import add_months, format_month
from intake.services import request_move
from tests.conftest import THIS_MONTH, add_request, text_of

MAY, JUNE = dt.date(2023, 5, 1), dt.date(2023, 6, 1)
NEXT_MONTH = add_months(THIS_MONTH, 1)


def make_request(programme, status=Status.NEW) -> HelpRequest:
    closed = status == Status.CLOSED
    return add_request(
        programme=programme, month=MAY, category="desertion", status=status,
        outcome="referred" if closed else "", closed_month=JUNE if closed else None,
    )


def state_of(request: HelpRequest) -> tuple:
    return HelpRequest.objects.values_list("status", "outcome", "closed_month").get(pk=request.pk)


# --- the allowed changes, through the pages --------------------------------------------


def test_coordinator_starts_a_new_request(coordinator_client, programme):
    request = make_request(programme)

    response = coordinator_client.post(f"/requests/{request.reference}/start/", {"seen": "new"}, follow=True)

    assert response.redirect_chain == [(f"/requests/{request.reference}/", 302)]
    assert "The request is now in progress." in text_of(response)
    assert state_of(request) == ("in_progress", "", None)


@pytest.mark.parametrize("status", [Status.NEW, Status.IN_PROGRESS])
def test_coordinator_closes_an_open_request_with_outcome_and_month(coordinator_client, programme, status):
    request = make_request(programme, status)

    response = coordinator_client.post(f"/requests/{request.reference}/close/",
                                       {"seen": status, "outcome": "left_country", "month": "2023-07"}, follow=True)

    assert response.redirect_chain == [(f"/requests/{request.reference}/", 302)]
    assert "The request is closed." in text_of(response)
    assert state_of(request) == ("closed", "left_country", dt.date(2023, 7, 1))


def test_a_request_can_be_closed_in_the_month_it_was_received(coordinator_client, programme):
    request = make_request(programme, Status.IN_PROGRESS)

    coordinator_client.post(f"/requests/{request.reference}/close/",
                 {"seen": "in_progress", "outcome": "detained", "month": format_month(MAY)})

    assert state_of(request) == ("closed", "detained", MAY)


def test_coordinator_reopens_a_closed_request_which_loses_its_outcome(coordinator_client, programme):
    request = make_request(programme, Status.CLOSED)

    response = coordinator_client.post(f"/requests/{request.reference}/reopen/", {"seen": "closed"}, follow=True)

    assert "The request is now in progress." in text_of(response)
    assert state_of(request) == ("in_progress", "", None)


def test_detail_page_offers_the_actions_of_the_current_status(coordinator_client, programme):
    new, in_progress, closed = (make_request(programme, s) for s in (Status.NEW, Status.IN_PROGRESS, Status.CLOSED))

    pages = {r.status: coordinator_client.get(f"/requests/{r.reference}/").content.decode()
             for r in (new, in_progress, closed)}

    assert f'action="/requests/{new.reference}/start/"' in pages["new"]
    assert f'action="/requests/{new.reference}/close/"' in pages["new"]
    assert "/start/" not in pages["in_progress"] and "/reopen/" not in pages["in_progress"]
    assert f'action="/requests/{in_progress.reference}/close/"' in pages["in_progress"]
    assert f'action="/requests/{closed.reference}/reopen/"' in pages["closed"]
    assert "/close/" not in pages["closed"]
    assert "Referred elsewhere" in pages["closed"]


@pytest.mark.parametrize("status, allowed", [
    (Status.NEW, {"start", "close"}),
    (Status.IN_PROGRESS, {"close"}),
    (Status.CLOSED, {"reopen"}),
])
def test_a_request_says_which_changes_its_status_allows(programme, status, allowed):
    request = make_request(programme, status)

    said = {action for action in ("start", "close", "reopen") if getattr(request, f"can_{action}")}

    assert said == allowed


def test_the_actions_offered_follow_the_workflow_table_alone(coordinator_client, programme, monkeypatch):
    # Were a new request no longer allowed to be closed at once, its page would offer no close.
    monkeypatch.setitem(TRANSITIONS, Status.NEW, {Status.IN_PROGRESS})
    new = make_request(programme, Status.NEW)

    page = coordinator_client.get(f"/requests/{new.reference}/").content.decode()

    assert not new.can_close
    assert f'action="/requests/{new.reference}/start/"' in page
    assert "/close/" not in page


# --- refused changes, through the pages --------------------------------------------------


@pytest.mark.parametrize(
    "status, action, message",
    [
        (Status.NEW, "reopen", "Only a closed request can be reopened."),
        (Status.IN_PROGRESS, "reopen", "Only a closed request can be reopened."),
        (Status.IN_PROGRESS, "start", "Only a new request can be started."),
        (Status.CLOSED, "start", "Only a new request can be started."),
    ],
)
def test_an_invalid_transition_is_refused_with_a_message(coordinator_client, programme, status, action, message):
    request = make_request(programme, status)
    before = state_of(request)

    response = coordinator_client.post(f"/requests/{request.reference}/{action}/", {"seen": status}, follow=True)

    assert response.redirect_chain == [(f"/requests/{request.reference}/", 302)]
    assert message in text_of(response)
    assert "The request is now" not in text_of(response)
    assert state_of(request) == before


@pytest.mark.parametrize(
    "status, form, message",
    [
        pytest.param(Status.CLOSED, {"outcome": "left_country", "month": "2023-07"},
                     "A request that is closed cannot become closed.", id="already-closed"),
        pytest.param(Status.IN_PROGRESS, {"outcome": "left_country", "month": "2023-04"},
                     "The month closed cannot be before the month received.", id="closed-before-received"),
        pytest.param(Status.IN_PROGRESS, {"outcome": "left_country", "month": format_month(NEXT_MONTH)},
                     "The month closed cannot be in the future.", id="closed-in-the-future"),
        pytest.param(Status.IN_PROGRESS, {"outcome": "", "month": "2023-07"},
                     "Choose an outcome.", id="no-outcome"),
        pytest.param(Status.NEW, {"outcome": "vanished", "month": "2023-07"},
                     "Select a valid choice. vanished is not one of the available choices.", id="unknown-outcome"),
        pytest.param(Status.IN_PROGRESS, {"outcome": "left_country", "month": ""},
                     "Enter the month closed, as YYYY-MM, e.g. 2023-11.", id="no-month"),
        pytest.param(Status.IN_PROGRESS, {"outcome": "left_country", "month": "July"},
                     "Enter a month as YYYY-MM, e.g. 2023-11.", id="malformed-month"),
    ],
)
@pytest.mark.usefixtures("this_month")  # so that NEXT_MONTH is in the future
def test_an_invalid_close_is_refused_with_a_message(coordinator_client, programme, status, form, message):
    request = make_request(programme, status)
    before = state_of(request)

    response = coordinator_client.post(f"/requests/{request.reference}/close/", {"seen": status, **form})

    assert response.status_code == 400
    assert message in text_of(response)
    assert state_of(request) == before
    # The page shows the request as stored, not as the refused change left it in memory.
    assert response.context["help_request"].status == status


# --- a change decided on a status the request no longer has ------------------------------
# Each form carries the status the person saw; the change is made only if the request is
# still in it. (Two people at the same instant: tests/intake/test_concurrency.py.)

CHANGED = "This request was changed by someone else; it is now {}."
OUT_OF_DATE = "Nothing was changed: the form came from an out-of-date page."
CLOSING = {"outcome": "left_country", "month": "2023-07"}


def test_detail_page_forms_carry_the_status_seen(coordinator_client, programme):
    new, closed = make_request(programme), make_request(programme, Status.CLOSED)

    new_page = coordinator_client.get(f"/requests/{new.reference}/").content.decode()
    closed_page = coordinator_client.get(f"/requests/{closed.reference}/").content.decode()

    assert new_page.count('<input type="hidden" name="seen" value="new">') == 2  # start and close
    assert closed_page.count('<input type="hidden" name="seen" value="closed">') == 1  # reopen


@pytest.mark.parametrize(
    "seen, now, action, form",
    [
        pytest.param(Status.NEW, Status.IN_PROGRESS, "start", {}, id="start-after-someone-started"),
        pytest.param(Status.NEW, Status.CLOSED, "start", {}, id="start-after-someone-closed"),
        pytest.param(Status.CLOSED, Status.IN_PROGRESS, "reopen", {}, id="reopen-after-someone-reopened"),
    ],
)
def test_a_change_decided_on_a_status_the_request_no_longer_has_is_refused(coordinator_client, programme, seen, now,
                                                                            action, form):
    request = make_request(programme, now)
    before, events = state_of(request), AuditEvent.objects.count()

    response = coordinator_client.post(f"/requests/{request.reference}/{action}/", {"seen": seen, **form}, follow=True)

    assert response.redirect_chain == [(f"/requests/{request.reference}/", 302)]
    assert CHANGED.format(Status(now).label.lower()) in text_of(response)
    assert "The request is now" not in text_of(response)
    assert state_of(request) == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("seen, now", [(Status.NEW, Status.IN_PROGRESS), (Status.IN_PROGRESS, Status.CLOSED),
                                       (Status.NEW, Status.CLOSED)])
def test_a_close_decided_on_a_status_the_request_no_longer_has_is_refused(coordinator_client, programme, seen, now):
    request = make_request(programme, now)
    before, events = state_of(request), AuditEvent.objects.count()

    response = coordinator_client.post(f"/requests/{request.reference}/close/", {"seen": seen, **CLOSING})

    assert response.status_code == 409
    assert CHANGED.format(Status(now).label.lower()) in text_of(response)
    assert state_of(request) == before
    assert AuditEvent.objects.count() == events
    # The page shows the request as it is now, with the actions of its status now.
    assert response.context["help_request"].status == now
    assert f'<input type="hidden" name="seen" value="{now}">' in response.content.decode()


@pytest.mark.parametrize("now, words", [(Status.IN_PROGRESS, "теперь он в работе."), (Status.CLOSED, "теперь он закрыт.")])
def test_the_refusal_of_a_change_made_meanwhile_is_in_russian(coordinator_client, programme, now, words):
    request = make_request(programme, now)

    response = coordinator_client.post(f"/requests/{request.reference}/start/", {"seen": "new"}, follow=True,
                            HTTP_ACCEPT_LANGUAGE="ru")

    assert f"Этот запрос изменил кто-то другой; {words} Ваше изменение не сохранено" in text_of(response)


@pytest.mark.parametrize("seen", [None, "", "open", "Новый"], ids=["missing", "empty", "unknown", "a-label"])
@pytest.mark.parametrize("status, action", [(Status.NEW, "start"), (Status.CLOSED, "reopen"), (Status.NEW, "close")])
def test_a_change_whose_form_does_not_say_what_was_seen_is_refused(coordinator_client, programme, seen, status, action):
    # A page from before the forms carried the status, or a hand-made post: the change
    # may not rest on what the person saw, so it is refused and they are sent to look.
    request = make_request(programme, status)
    before, events = state_of(request), AuditEvent.objects.count()
    form = (CLOSING if action == "close" else {}) | ({} if seen is None else {"seen": seen})

    response = coordinator_client.post(f"/requests/{request.reference}/{action}/", form, follow=True)

    assert OUT_OF_DATE in text_of(response)
    assert "Check the request as it is now and try again." in text_of(response)
    assert response.status_code == (400 if action == "close" else 200)
    assert state_of(request) == before
    assert AuditEvent.objects.count() == events


# --- the rules on the model ----------------------------------------------------------


# The workflow: new, in progress, closed; a new request may be closed at once, and a
# closed one reopened (in progress again).
WORKFLOW = {("new", "in_progress"), ("new", "closed"), ("in_progress", "closed"), ("closed", "in_progress")}


@pytest.mark.parametrize("current, new", list(itertools.product(Status.values, repeat=2)))
def test_move_to_allows_exactly_the_transitions_of_the_workflow(programme, current, new):
    request = make_request(programme, current)
    before = state_of(request)
    closing = {"outcome": "withdrew", "closed_month": JUNE} if new == Status.CLOSED else {}

    if (current, new) in WORKFLOW:
        request_move(request, new, **closing)
        assert state_of(request)[0] == new
    else:
        with pytest.raises(TransitionError):
            request_move(request, new, **closing)
        assert state_of(request) == before


def test_close_without_an_outcome_is_refused_and_nothing_saved(programme):
    request = make_request(programme, Status.IN_PROGRESS)

    with pytest.raises(ValidationError) as refused:
        request_move(request, Status.CLOSED, outcome="", closed_month=JUNE)

    assert refused.value.message_dict == {"outcome": ["A closed request needs an outcome."]}
    assert state_of(request) == ("in_progress", "", None)


def test_close_before_the_month_received_is_refused_and_nothing_saved(programme):
    request = make_request(programme, Status.NEW)

    with pytest.raises(ValidationError) as refused:
        request_move(request, Status.CLOSED, outcome="referred", closed_month=dt.date(2023, 4, 1))

    assert refused.value.message_dict == {"closed_month": ["The month closed cannot be before the month received."]}
    assert state_of(request) == ("new", "", None)


def test_move_to_saves_nothing_over_a_change_made_since_the_request_was_loaded(programme):
    seen_by_alice = make_request(programme)
    seen_by_bob = HelpRequest.objects.get(pk=seen_by_alice.pk)
    request_move(seen_by_alice, Status.CLOSED, outcome="left_country", closed_month=JUNE)

    with pytest.raises(ChangedElsewhere) as refused:
        request_move(seen_by_bob, Status.IN_PROGRESS)

    assert refused.value.messages == [
        "This request was changed by someone else; it is now closed. Your change was not saved: check the request "
        "as it is now and act again if it is still needed."
    ]
    assert state_of(seen_by_alice) == ("closed", "left_country", JUNE)
    assert (seen_by_bob.status, seen_by_bob.outcome, seen_by_bob.closed_month) == ("closed", "left_country", JUNE)
