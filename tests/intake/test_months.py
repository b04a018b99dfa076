"""Months are the app's finest grain of time."""

from datetime import date

import pytest

from intake.months import add_months, format_month, month_range, parse_month


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
