"""The rules of a help request hold in the database itself, not only in forms."""

import datetime as dt
import re
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from intake.models import REFERENCE_ALPHABET, HelpRequest, Programme, new_references
from intake.models import requests as models
from intake.months import add_months

REFERENCE_FORM = re.compile(r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$")
APRIL, MAY, JUNE = dt.date(2023, 4, 1), dt.date(2023, 5, 1), dt.date(2023, 6, 1)


def open_request(programme, **fields) -> dict:
    return {"programme": programme, "month": MAY, "category": "desertion", "status": "new", **fields}


def closed_request(programme, **fields) -> dict:
    return open_request(programme, **{"status": "closed", "outcome": "left_country", "closed_month": JUNE, **fields})


def assert_refused_by_the_database(**fields) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        HelpRequest.objects.create(**fields)
    assert not HelpRequest.objects.exists()


# --- constraints, bypassing every form -------------------------------------------


def test_valid_open_and_closed_requests_are_stored(programme):
    HelpRequest.objects.create(**open_request(programme))
    HelpRequest.objects.create(**closed_request(programme))

    assert HelpRequest.objects.count() == 2


@pytest.mark.parametrize(
    "make, fields",
    [
        pytest.param(open_request, {"month": dt.date(2023, 5, 2)}, id="month-not-first-day"),
        pytest.param(closed_request, {"closed_month": dt.date(2023, 6, 15)}, id="closed-month-not-first-day"),
        pytest.param(closed_request, {"outcome": ""}, id="closed-without-outcome"),
        pytest.param(closed_request, {"closed_month": None}, id="closed-without-closed-month"),
        pytest.param(open_request, {"outcome": "left_country"}, id="new-with-outcome"),
        pytest.param(open_request, {"status": "in_progress", "outcome": "detained"}, id="in-progress-with-outcome"),
        pytest.param(open_request, {"closed_month": JUNE}, id="open-with-closed-month"),
        pytest.param(closed_request, {"closed_month": APRIL}, id="closed-before-received"),
        pytest.param(closed_request, {"outcome": "vanished"}, id="unknown-outcome"),
        pytest.param(open_request, {"category": "smuggling"}, id="unknown-category"),
        pytest.param(open_request, {"status": "archived"}, id="unknown-status"),
    ],
)
def test_database_refuses_a_request_that_breaks_a_rule(programme, make, fields):
    assert_refused_by_the_database(**make(programme, **fields))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"status": "closed"}, id="close-without-outcome"),
        pytest.param({"outcome": "left_country"}, id="outcome-on-open"),
        pytest.param({"category": "smuggling"}, id="unknown-category"),
        pytest.param({"status": "archived"}, id="unknown-status"),
        pytest.param({"month": dt.date(2023, 5, 31)}, id="month-not-first-day"),
    ],
)
def test_database_refuses_an_update_that_breaks_a_rule(programme, change):
    request = HelpRequest.objects.create(**open_request(programme))

    with pytest.raises(IntegrityError), transaction.atomic():
        HelpRequest.objects.filter(pk=request.pk).update(**change)

    request.refresh_from_db()
    assert (request.month, request.category, request.status, request.outcome) == (MAY, "desertion", "new", "")


def test_database_refuses_moving_the_month_received_after_the_month_closed(programme):
    request = HelpRequest.objects.create(**closed_request(programme))

    with pytest.raises(IntegrityError), transaction.atomic():
        HelpRequest.objects.filter(pk=request.pk).update(month=dt.date(2023, 7, 1))

    request.refresh_from_db()
    assert request.month == MAY


def test_database_refuses_a_programme_called_all(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(slug="all", name="Everything", first_month=APRIL)

    assert not Programme.objects.exists()


def test_database_refuses_a_programme_starting_mid_month(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(slug="mid", name="Mid", first_month=dt.date(2023, 4, 15))

    assert not Programme.objects.exists()


def test_database_refuses_two_requests_with_the_same_reference(programme):
    HelpRequest.objects.create(**open_request(programme, reference="K7Q2-9XWD"))

    with pytest.raises(IntegrityError), transaction.atomic():
        HelpRequest.objects.create(**open_request(programme, reference="K7Q2-9XWD"))

    assert HelpRequest.objects.count() == 1


# --- clean(): the rules that depend on today and on the programme ------------------


def validation_messages(request: HelpRequest) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        request.full_clean()
    return refused.value.message_dict


def test_full_clean_accepts_a_valid_closed_request(programme):
    HelpRequest(**closed_request(programme)).full_clean()


def test_full_clean_refuses_a_future_month(this_month, programme):
    next_month = add_months(this_month, 1)

    messages = validation_messages(HelpRequest(**open_request(programme, month=next_month)))

    assert messages == {"month": ["The month received cannot be in the future."]}


def test_full_clean_refuses_a_month_before_the_programme_started(programme):
    messages = validation_messages(HelpRequest(**open_request(programme, month=dt.date(2023, 3, 1))))

    assert messages == {"month": ["The month received cannot be before the programme started (2023-04)."]}


def test_full_clean_refuses_a_future_closed_month(this_month, programme):
    next_month = add_months(this_month, 1)

    messages = validation_messages(HelpRequest(**closed_request(programme, closed_month=next_month)))

    assert messages == {"closed_month": ["The month closed cannot be in the future."]}


def test_full_clean_refuses_a_closed_month_before_the_month_received(programme):
    messages = validation_messages(HelpRequest(**closed_request(programme, closed_month=APRIL)))

    assert messages["closed_month"] == ["The month closed cannot be before the month received."]


def test_full_clean_refuses_an_outcome_on_an_open_request(programme):
    messages = validation_messages(HelpRequest(**open_request(programme, status="in_progress", outcome="referred")))

    assert messages["outcome"] == ["Only a closed request has an outcome."]


def test_full_clean_refuses_a_closed_request_without_outcome(programme):
    messages = validation_messages(HelpRequest(**closed_request(programme, outcome="")))

    assert messages["outcome"] == ["A closed request needs an outcome."]


# --- references -----------------------------------------------------------------


def test_new_request_gets_a_reference_like_k7q2_9xwd(programme):
    request = HelpRequest.objects.create(**open_request(programme))

    request.refresh_from_db()
    assert REFERENCE_FORM.match(request.reference), request.reference
    assert set(request.reference.replace("-", "")) <= set(REFERENCE_ALPHABET)


def test_references_use_no_characters_easily_misread(programme):
    HelpRequest.objects.bulk_create(HelpRequest(**open_request(programme)) for _ in range(500))

    written = "".join(HelpRequest.objects.values_list("reference", flat=True))
    # 4,000 characters drawn: any of these, were it allowed, would all but surely appear.
    assert not set("01OIL") & set(written)


def test_two_thousand_new_requests_get_two_thousand_different_references(programme):
    HelpRequest.objects.bulk_create(HelpRequest(**open_request(programme)) for _ in range(2000))

    references = list(HelpRequest.objects.values_list("reference", flat=True))
    assert len(references) == 2000
    assert len(set(references)) == 2000
    assert all(REFERENCE_FORM.match(reference) for reference in references)


def test_references_drawn_in_bulk_are_well_formed_and_distinct():
    references = new_references(5000)

    assert len(set(references)) == 5000
    assert all(REFERENCE_FORM.match(reference) for reference in references)
    # Every character turns up in every position: nothing is fixed or badly skewed.
    for position in (0, 1, 2, 3, 5, 6, 7, 8):
        assert {reference[position] for reference in references} == set(REFERENCE_ALPHABET)


def test_every_character_of_a_reference_is_equally_likely(monkeypatch):
    """Each possible random byte, once: every character comes from exactly as many byte
    values as any other, and the bytes that would favour some are dropped."""
    monkeypatch.setattr(models.secrets, "token_bytes", lambda n: bytes(range(256)))

    drawn = "".join(new_references(31)).replace("-", "")

    assert len(drawn) == 248
    assert set(Counter(drawn).values()) == {8}
