"""Month sign-off, step by step (signoff/services.py): open -> submitted (staff, on a report
version) -> accepted or returned (an auditor, a reason from the list) -> returned months
reopened; accepted months unlocked by two people for a limited time. Every step is in
the audit log; separation of duties is kept by account, whatever roles it holds."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from intake.models import AuditEvent, HelpRequest, MonthReview
from intake.services import RequestSpec, requests_log
from signoff.services import (
    review_accept,
    review_actions,
    review_grant_unlock,
    review_reopen,
    review_request_unlock,
    review_return,
    review_submit,
)
from tests.conftest import NOW, THIS_MONTH, make_user

MONTH = dt.date(2026, 2, 1)  # the month before the test clock's: over, so it can be submitted
State = MonthReview.State


def report_is(version: int = 3):
    """A check_report that finds `version` ready and matching the data (reports/ does the real one)."""
    return lambda asked: asked or version


def failing_report(message: str):
    def check(_asked):
        raise ValidationError(message)

    return check


@pytest.fixture
def people(this_month, programme):
    return {
        "staff": make_user("staff-a", "Staff"),
        "other_staff": make_user("staff-b", "Staff"),
        "auditor": make_user("auditor-a", "Auditor"),
        "other_auditor": make_user("auditor-b", "Auditor"),
    }


def submitted(programme, people, **kwargs) -> MonthReview:
    return review_submit(programme=programme, month=MONTH, actor=people["staff"], check_report=report_is(), **kwargs)


def accepted(programme, people) -> MonthReview:
    submitted(programme, people)
    return review_accept(programme=programme, month=MONTH, actor=people["auditor"], check_report=report_is())


def events() -> list[tuple]:
    return list(AuditEvent.objects.order_by("pk").values_list("actor__username", "action", "subject", "month"))


def row(programme) -> tuple:
    review = MonthReview.objects.get(programme=programme, month=MONTH)
    return (review.state, review.report_version, review.return_reason, review.unlock_reason)


# --- open -> submitted ---------------------------------------------------------------------------


def test_staff_submit_an_open_month_on_its_latest_ready_report(programme, people):
    review = submitted(programme, people)

    assert row(programme) == (State.SUBMITTED, 3, "", "")
    assert review.submitted_by == people["staff"]
    assert events() == [("staff-a", "month_submitted", "help 2026-02 v3", THIS_MONTH)]


def test_staff_may_name_the_version_they_submit(programme, people):
    submitted(programme, people, version=2)

    assert row(programme)[:2] == (State.SUBMITTED, 2)


def test_a_month_whose_report_does_not_check_out_is_not_submitted(programme, people):
    message = "There is no ready report of February 2026 for Help yet: generate one, then submit the month."

    with pytest.raises(ValidationError) as caught:
        review_submit(programme=programme, month=MONTH, actor=people["staff"], check_report=failing_report(message))

    assert caught.value.messages == [message]
    assert not MonthReview.objects.exists()
    assert events() == []


@pytest.mark.parametrize("month, message", [
    (THIS_MONTH, "March 2026 has not ended yet: submit it once it is over."),
    (dt.date(2023, 3, 1), "March 2023 is before Help started."),
])
def test_a_month_not_over_or_before_the_programme_cannot_be_submitted(programme, people, month, message):
    with pytest.raises(ValidationError) as caught:
        review_submit(programme=programme, month=month, actor=people["staff"], check_report=report_is())

    assert caught.value.messages == [message]
    assert not MonthReview.objects.exists()


def test_a_submitted_month_cannot_be_submitted_again(programme, people):
    submitted(programme, people)

    with pytest.raises(ValidationError) as caught:
        submitted(programme, people)

    assert caught.value.messages == ["Only an open month can be submitted; February 2026 of Help is submitted for "
                                     "review."]


# --- submitted -> accepted, and who may not -------------------------------------------------------


def test_an_auditor_accepts_a_submitted_month(programme, people):
    review = accepted(programme, people)

    assert row(programme) == (State.ACCEPTED, 3, "", "")
    assert review.accepted_in == THIS_MONTH
    assert events()[-1] == ("auditor-a", "month_accepted", "help 2026-02 v3", THIS_MONTH)


def test_the_report_is_checked_again_when_the_month_is_accepted(programme, people):
    submitted(programme, people)

    with pytest.raises(ValidationError):
        review_accept(programme=programme, month=MONTH, actor=people["auditor"],
                      check_report=failing_report("The data changed since version 3 was made."))

    assert row(programme)[0] == State.SUBMITTED


def test_the_account_that_submitted_a_month_cannot_accept_it(programme, people):
    both = make_user("both-roles", "Staff")
    both.groups.add(people["auditor"].groups.get())
    review_submit(programme=programme, month=MONTH, actor=both, check_report=report_is())

    with pytest.raises(ValidationError) as caught:
        review_accept(programme=programme, month=MONTH, actor=both, check_report=report_is())

    assert caught.value.messages == ["You submitted this month, so another auditor must accept it."]
    assert row(programme)[0] == State.SUBMITTED
    assert review_actions(MonthReview.objects.get(), both) == ["return"]


def test_an_account_that_logged_requests_in_the_month_cannot_accept_it(programme, people):
    logger = make_user("logger", "Coordinator", [programme])
    logger.groups.add(people["auditor"].groups.get())
    requests_log(spec=RequestSpec(programme=programme, month=MONTH, category="legal"), count=2, author=logger)
    submitted(programme, people)

    with pytest.raises(ValidationError) as caught:
        review_accept(programme=programme, month=MONTH, actor=logger, check_report=report_is())

    assert caught.value.messages == [
        "You changed requests of this month (logged, imported, moved, started, closed, reopened or undid them), so "
        "another auditor must accept it."]
    assert row(programme)[0] == State.SUBMITTED


def test_logging_in_another_month_or_programme_does_not_bar_an_auditor(programme, other_programme, people):
    logger = make_user("logger", "Coordinator", [programme, other_programme])
    logger.groups.add(people["auditor"].groups.get())
    requests_log(spec=RequestSpec(programme=programme, month=dt.date(2026, 1, 1), category="legal"), author=logger)
    requests_log(spec=RequestSpec(programme=other_programme, month=MONTH, category="legal"), author=logger)
    submitted(programme, people)

    review_accept(programme=programme, month=MONTH, actor=logger, check_report=report_is())

    assert row(programme)[0] == State.ACCEPTED


@pytest.mark.parametrize("state", ["open", "returned", "accepted"])
def test_only_a_submitted_month_can_be_accepted_or_returned(programme, people, state):
    if state != "open":
        submitted(programme, people)
        if state == "accepted":
            review_accept(programme=programme, month=MONTH, actor=people["auditor"], check_report=report_is())
        else:
            review_return(programme=programme, month=MONTH, reason="other", actor=people["auditor"])
    label = {"open": "open", "returned": "returned", "accepted": "accepted"}[state]

    with pytest.raises(ValidationError) as accepting:
        review_accept(programme=programme, month=MONTH, actor=people["other_auditor"], check_report=report_is())
    with pytest.raises(ValidationError) as returning:
        review_return(programme=programme, month=MONTH, reason="other", actor=people["other_auditor"])

    assert accepting.value.messages == [f"Only a submitted month can be accepted; February 2026 of Help is {label}."]
    assert returning.value.messages == [f"Only a submitted month can be returned; February 2026 of Help is {label}."]


# --- submitted -> returned -> open -----------------------------------------------------------------


def test_an_auditor_returns_a_month_with_a_reason_and_staff_reopen_it(programme, people):
    submitted(programme, people)

    review_return(programme=programme, month=MONTH, reason="duplicates", actor=people["auditor"])
    assert row(programme) == (State.RETURNED, 3, "duplicates", "")
    review_reopen(programme=programme, month=MONTH, actor=people["other_staff"])

    assert row(programme) == (State.OPEN, None, "", "")
    assert [event[:3] for event in events()[1:]] == [
        ("auditor-a", "month_returned", "help 2026-02 duplicates"),
        ("staff-b", "month_reopened", "help 2026-02"),
    ]


@pytest.mark.parametrize("reason", ["", "because", "Other", "late data"])
def test_a_month_is_returned_only_with_a_reason_from_the_list(programme, people, reason):
    submitted(programme, people)

    with pytest.raises(ValidationError) as caught:
        review_return(programme=programme, month=MONTH, reason=reason, actor=people["auditor"])

    assert caught.value.message_dict == {"reason": ["Choose why the month is returned."]}
    assert row(programme)[0] == State.SUBMITTED


def test_the_whole_round_returned_corrected_resubmitted_accepted(programme, people):
    submitted(programme, people)
    review_return(programme=programme, month=MONTH, reason="figures_disagree", actor=people["auditor"])
    review_reopen(programme=programme, month=MONTH, actor=people["staff"])
    requests_log(spec=RequestSpec(programme=programme, month=MONTH, category="legal"), count=2, author=people["staff"])
    review_submit(programme=programme, month=MONTH, actor=people["staff"], check_report=report_is(4))
    review_accept(programme=programme, month=MONTH, actor=people["auditor"], check_report=report_is(4))

    assert row(programme) == (State.ACCEPTED, 4, "", "")
    assert [event[1] for event in events()] == [
        "month_submitted", "month_returned", "month_reopened", "requests_logged", "month_submitted", "month_accepted",
    ]


# --- unlocking: two people, a limited time -------------------------------------------------------------


def test_staff_ask_for_an_unlock_and_an_auditor_grants_it_for_seven_days(programme, people):
    accepted(programme, people)

    review_request_unlock(programme=programme, month=MONTH, reason="late_data", actor=people["staff"])
    assert row(programme) == (State.ACCEPTED, 3, "", "late_data")
    review = review_grant_unlock(programme=programme, month=MONTH, actor=people["other_auditor"])

    # Until the end of the seventh day after the grant (the clock says 15 March 2026, noon).
    assert review.unlocked_until == dt.datetime(2026, 3, 23, tzinfo=dt.UTC)
    assert review.unlocked_through == dt.date(2026, 3, 22)
    assert row(programme) == (State.ACCEPTED, 3, "", "")
    assert review.is_unlocked() and not review.is_locked()
    assert [event[1:3] for event in events()[-2:]] == [
        ("unlock_requested", "help 2026-02 late_data"), ("unlock_granted", "help 2026-02 7 d"),
    ]
    requests_log(spec=RequestSpec(programme=programme, month=MONTH, category="legal"), author=people["staff"])
    with time_machine.travel(dt.datetime(2026, 3, 23, 0, 0, 1, tzinfo=dt.UTC)):
        review.refresh_from_db()
        assert review.is_locked()
        assert review_actions(review, people["staff"]) == ["request_unlock"]


def test_an_auditor_may_grant_a_shorter_or_longer_unlock_within_a_month(programme, people):
    accepted(programme, people)
    review_request_unlock(programme=programme, month=MONTH, reason="correction", actor=people["staff"])

    with pytest.raises(ValidationError) as caught:
        review_grant_unlock(programme=programme, month=MONTH, actor=people["auditor"], days=32)
    review = review_grant_unlock(programme=programme, month=MONTH, actor=people["auditor"], days=1)

    assert caught.value.message_dict == {"days": ["An unlock lasts from 1 to 31 days."]}
    assert review.unlocked_through == dt.date(2026, 3, 16)


def test_whoever_asked_for_an_unlock_cannot_grant_it(programme, people):
    both = make_user("both-roles", "Staff")
    both.groups.add(people["auditor"].groups.get())
    accepted(programme, people)
    review_request_unlock(programme=programme, month=MONTH, reason="duplicates", actor=both)

    with pytest.raises(ValidationError) as caught:
        review_grant_unlock(programme=programme, month=MONTH, actor=both)

    assert caught.value.messages == ["You asked for this unlock, so another person must grant it."]
    assert row(programme)[3] == "duplicates"
    assert "grant_unlock" not in review_actions(MonthReview.objects.get(), both)


def test_an_unlock_needs_a_reason_from_the_list_and_an_accepted_month(programme, people):
    submitted(programme, people)
    with pytest.raises(ValidationError) as not_accepted:
        review_request_unlock(programme=programme, month=MONTH, reason="other", actor=people["staff"])
    review_accept(programme=programme, month=MONTH, actor=people["auditor"], check_report=report_is())

    with pytest.raises(ValidationError) as no_reason:
        review_request_unlock(programme=programme, month=MONTH, reason="", actor=people["staff"])

    assert not_accepted.value.messages == [
        "Only an accepted month can be unlocked; February 2026 of Help is submitted for review."]
    assert no_reason.value.message_dict == {"reason": ["Choose why the month must be unlocked."]}
    assert row(programme)[3] == ""


def test_an_unlock_is_asked_for_once_and_granted_only_when_asked_for(programme, people):
    accepted(programme, people)
    with pytest.raises(ValidationError) as not_asked:
        review_grant_unlock(programme=programme, month=MONTH, actor=people["auditor"])
    review_request_unlock(programme=programme, month=MONTH, reason="other", actor=people["staff"])

    with pytest.raises(ValidationError) as twice:
        review_request_unlock(programme=programme, month=MONTH, reason="other", actor=people["other_staff"])
    review_grant_unlock(programme=programme, month=MONTH, actor=people["auditor"])
    with pytest.raises(ValidationError) as while_unlocked:
        review_request_unlock(programme=programme, month=MONTH, reason="other", actor=people["other_staff"])

    assert not_asked.value.messages == ["Nobody has asked to unlock February 2026 of Help."]
    assert twice.value.messages == ["An unlock of February 2026 has been asked for already; an auditor has yet to "
                                    "grant it."]
    assert while_unlocked.value.messages == ["February 2026 is unlocked already, until the end of 22 March 2026."]


# --- what each account may do, state by state ------------------------------------------------------------


def test_the_actions_offered_follow_the_state_and_the_role(programme, people):
    staff, auditor = people["staff"], people["auditor"]
    open_month = MonthReview.objects.of(programme, MONTH)
    assert (review_actions(open_month, staff), review_actions(open_month, auditor)) == (["submit"], [])

    review = submitted(programme, people)
    assert (review_actions(review, staff), review_actions(review, auditor)) == ([], ["accept", "return"])

    review = review_return(programme=programme, month=MONTH, reason="other", actor=auditor)
    assert (review_actions(review, staff), review_actions(review, auditor)) == (["reopen"], [])

    review_reopen(programme=programme, month=MONTH, actor=staff)
    review = accepted(programme, people)
    assert (review_actions(review, staff), review_actions(review, auditor)) == (["request_unlock"], [])

    review = review_request_unlock(programme=programme, month=MONTH, reason="other", actor=staff)
    assert (review_actions(review, staff), review_actions(review, auditor)) == ([], ["grant_unlock"])

    review = review_grant_unlock(programme=programme, month=MONTH, actor=auditor)
    # Unlocked: staff correct it, then submit the corrected version for an auditor to accept.
    assert (review_actions(review, staff), review_actions(review, auditor)) == (["submit"], [])


def test_reviews_awaiting_an_auditor_are_the_submitted_months_and_the_unlocks_asked_for(programme, other_programme,
                                                                                        people):
    submitted(programme, people)
    review_submit(programme=other_programme, month=MONTH, actor=people["staff"], check_report=report_is())
    review_accept(programme=other_programme, month=MONTH, actor=people["auditor"], check_report=report_is())
    assert list(MonthReview.objects.awaiting_auditor().values_list("programme__slug", flat=True)) == ["help"]

    review_request_unlock(programme=other_programme, month=MONTH, reason="other", actor=people["staff"])

    assert sorted(MonthReview.objects.awaiting_auditor().values_list("programme__slug", flat=True)) == ["help", "other"]


def test_nothing_about_a_person_is_kept_finer_than_the_month(programme, people):
    review = accepted(programme, people)

    assert review.accepted_in == THIS_MONTH
    assert not HelpRequest.objects.exists()
    # The audit log says who and in which month; the review row keeps no time of anyone's act.
    assert {event[3] for event in events()} == {THIS_MONTH}
    assert NOW.date() not in {review.month, review.accepted_in}
