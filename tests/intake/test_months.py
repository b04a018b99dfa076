"""Months are the app's finest grain of time."""

import datetime as dt
from datetime import date
from zoneinfo import ZoneInfo

import pytest
import time_machine

from intake.models import HelpRequest
from intake.months import add_months, format_month, month_range, parse_month
from tests.conftest import text_of


def m(year: int, month: int) -> date:
    return date(year, month, 1)



def test_add_months_moves_across_year_boundaries_both_ways():
    assert add_months(month=m(2023, 11), n=3) == m(2024, 2)
    assert add_months(month=m(2024, 2), n=-3) == m(2023, 11)
    assert add_months(month=m(2024, 1), n=-1) == m(2023, 12)
    assert add_months(month=m(2023, 4), n=0) == m(2023, 4)
    assert add_months(month=m(2023, 4), n=-28) == m(2020, 12)


def test_month_range_is_inclusive_and_empty_when_reversed():
    assert month_range(first=m(2023, 11), last=m(2024, 2)) == [
        m(2023, 11),
        m(2023, 12),
        m(2024, 1),
        m(2024, 2),
    ]
    assert month_range(first=m(2023, 4), last=m(2023, 4)) == [m(2023, 4)]
    assert month_range(first=m(2023, 5), last=m(2023, 4)) == []


def test_parse_month_reads_year_and_month_and_round_trips():
    assert parse_month("2023-11") == m(2023, 11)
    assert format_month(parse_month(" 2024-02 ")) == "2024-02"


@pytest.mark.parametrize("text", ["2023-13", "2023-00", "23-11", "2023/11", "2023-11-01", "", "November",
                                  # int() reads these, a person typing YYYY-MM does not
                                  "٢٠٢٣-١١", "２０２３-１１", "2023-1١", "۲۰۲۳-۱۱", "2_23-11", "+023-11",
                                  "2023-11\n2023-12", "0000-01"])
def test_parse_month_refuses_anything_but_a_real_year_and_month(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)


# 01:30 on 1 December 2026 in Moscow, still 30 November in UTC.
NEW_MONTH_IN_MOSCOW = dt.datetime(2026, 12, 1, 1, 30, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.mark.parametrize("path, form", [
    ("/requests/new/", {"programme": "help", "month": "2026-12", "category": "legal"}),
    ("/requests/counts/", {"programme": "help", "month": "2026-12", "category": "legal", "status": "new",
                           "outcome": "", "closed_month": "", "count": 3}),
])
def test_a_team_in_moscow_logs_the_new_month_as_soon_as_it_begins_there(settings, coordinator, client_for, path, form):
    settings.TIME_ZONE = "Europe/Moscow"
    with time_machine.travel(NEW_MONTH_IN_MOSCOW):
        client = client_for(coordinator)
        assert "2026-12" in client.get(path).content.decode()  # the month the form offers

        response = client.post(path, form, follow=True)

    assert "cannot be in the future" not in text_of(response)
    assert response.redirect_chain, text_of(response)[:2000]
    assert list(HelpRequest.objects.values_list("month", flat=True).distinct()) == [m(2026, 12)]
