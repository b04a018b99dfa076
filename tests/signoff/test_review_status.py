"""`manage.py review_status [--programme SLUG]`: every month of each programme with its
review state, the report version it rests on and its unlock, one line per month, in
columns scripts can split on whitespace."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from intake.models import MonthReview
from tests.conftest import NOW


def status(*args) -> list[str]:
    out = io.StringIO()
    call_command("review_status", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture
def reviews(this_month, programme, other_programme):
    State = MonthReview.State
    MonthReview.objects.create(programme=programme, month=dt.date(2026, 1, 1), state=State.ACCEPTED,
                               report_version=2, accepted_in=dt.date(2026, 2, 1),
                               unlocked_until=NOW + dt.timedelta(days=3))
    MonthReview.objects.create(programme=programme, month=dt.date(2025, 12, 1), state=State.ACCEPTED,
                               report_version=1, accepted_in=dt.date(2026, 1, 1), unlock_reason="late_data")
    MonthReview.objects.create(programme=programme, month=dt.date(2026, 2, 1), state=State.SUBMITTED,
                               report_version=4)
    MonthReview.objects.create(programme=other_programme, month=dt.date(2026, 2, 1), state=State.RETURNED,
                               return_reason="duplicates")


def test_every_month_of_a_programme_is_listed_with_its_state(reviews):
    lines = status("--programme", "help")

    assert lines[0].split() == ["programme", "month", "state", "report", "unlock_asked", "unlocked_until"]
    rows = [line.split() for line in lines[1:]]
    assert len(rows) == 36  # 2023-04 to 2026-03
    assert rows[0] == ["help", "2023-04", "open", "-", "-", "-"]
    assert rows[-4:] == [
        ["help", "2025-12", "accepted", "v1", "late_data", "-"],
        ["help", "2026-01", "accepted", "v2", "-", "2026-03-18T12:00:00+00:00"],
        ["help", "2026-02", "submitted", "v4", "-", "-"],
        ["help", "2026-03", "open", "-", "-", "-"],
    ]


def test_without_a_programme_every_programme_is_listed(reviews):
    rows = [line.split() for line in status()[1:]]

    assert {row[0] for row in rows} == {"help", "other"}
    assert ["other", "2026-02", "returned", "-", "-", "-"] in rows


def test_an_unknown_programme_is_refused_naming_the_known_ones(reviews):
    with pytest.raises(CommandError, match="No programme 'nope'. Programmes: help, other."):
        status("--programme", "nope")
