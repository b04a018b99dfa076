"""Tests for the pure report figures."""

import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from intake.months import add_months
from reports.figures import (
    change_pct,
    report_figures,
    round_pct,
    season_of,
)


def m(year: int, month: int) -> date:
    return date(year, month, 1)


# The figures quoted in the November 2023 article.
ARTICLE_COUNTS = {
    m(2023, 4): 61,
    m(2023, 5): 74,
    m(2023, 6): 54,
    m(2023, 7): 118,
    m(2023, 8): 133,
    m(2023, 9): 184,
    m(2023, 10): 218,
    m(2023, 11): 175,
}


def article_figures(**overrides):
    arguments = {"counts": ARTICLE_COUNTS, "month": m(2023, 11), "first_month": m(2023, 4)}
    arguments.update(overrides)
    return report_figures(**arguments)


def series_values(figures):
    return [(row["month"], row["requests"]) for row in figures["series"]]


# --- seasons -----------------------------------------------------------------


def test_season_of_needs_three_months_starting_a_season():
    assert season_of(first=m(2023, 3), length=3) == "spring"
    assert season_of(first=m(2023, 6), length=3) == "summer"
    assert season_of(first=m(2023, 9), length=3) == "autumn"
    assert season_of(first=m(2023, 12), length=3) == "winter"
    assert season_of(first=m(2023, 4), length=3) is None
    assert season_of(first=m(2023, 9), length=2) is None
    assert season_of(first=m(2023, 9), length=6) is None


# --- rounding and change ----------------------------------------------------


def test_round_pct_rounds_halves_away_from_zero():
    assert round_pct(12.5) == 12.5
    assert round_pct(Decimal(1) / Decimal(8) * 100) == 12.5
    assert round_pct(0.05) == 0.1
    assert round_pct(-0.05) == -0.1
    assert round_pct(Decimal("0.25")) == 0.3
    assert round_pct(Decimal("-0.25")) == -0.3
    assert round_pct(0.15) == 0.2
    assert round_pct(7) == 7.0
    assert isinstance(round_pct(7), float)


def test_round_pct_is_exact_on_decimal_ratios():
    assert round_pct(Decimal(272 * 100) / Decimal(305)) == 89.2
    assert round_pct(Decimal(577 * 100) / Decimal(1017)) == 56.7
    assert round_pct(Decimal("56.7499999999")) == 56.7
    assert round_pct(Decimal("56.75")) == 56.8


def test_round_pct_never_returns_negative_zero():
    assert str(round_pct(-0.04)) == "0.0"


def test_change_pct_uses_exact_fractions_and_handles_zero_previous():
    assert change_pct(current=577, previous=305) == 89.2
    assert change_pct(current=175, previous=218) == -19.7
    assert change_pct(current=9, previous=8) == 12.5
    # 1/2000 of 100% is exactly 0.05, which must round up, not to even.
    assert change_pct(current=2001, previous=2000) == 0.1
    assert change_pct(current=1999, previous=2000) == -0.1
    assert change_pct(current=5, previous=5) == 0.0
    assert change_pct(current=5, previous=0) is None


# --- the article's figures --------------------------------------------------


def test_article_figures_match_the_published_table():
    expected = {
        "month": "2023-11",
        "requests": {"this_month": 175, "previous_month": 218, "change_pct": -19.7},
        "window": {
            "length": 3,
            "current": {"first": "2023-09", "last": "2023-11", "requests": 577, "season": "autumn"},
            "previous": {"first": "2023-06", "last": "2023-08", "requests": 305, "season": "summer"},
            "change_pct": 89.2,
        },
        "since_start": {
            "first": "2023-04",
            "months": 8,
            "requests": 1017,
            "current_window_share_pct": 56.7,
            "highest": [{"month": "2023-10", "requests": 218}],
            "lowest": [{"month": "2023-06", "requests": 54}],
            "rank_of_month": 3,
        },
        "series": [
            {"month": "2023-04", "requests": 61},
            {"month": "2023-05", "requests": 74},
            {"month": "2023-06", "requests": 54},
            {"month": "2023-07", "requests": 118},
            {"month": "2023-08", "requests": 133},
            {"month": "2023-09", "requests": 184},
            {"month": "2023-10", "requests": 218},
            {"month": "2023-11", "requests": 175},
        ],
    }
    assert article_figures() == expected


def test_article_figures_survive_a_json_round_trip_with_ints_kept_as_ints():
    figures = article_figures()
    assert json.loads(json.dumps(figures)) == figures
    assert type(figures["since_start"]["requests"]) is int
    assert type(figures["window"]["current"]["requests"]) is int
    assert type(figures["window"]["change_pct"]) is float


# --- gaps, ties, zero windows ----------------------------------------------


def test_month_without_requests_counts_as_zero_and_can_be_lowest():
    counts = {
        m(2023, 3): 999,  # before the first month: ignored
        m(2023, 4): 10,
        m(2023, 6): 5,
        m(2023, 7): 999,  # after the report month: ignored
    }
    figures = report_figures(counts=counts, month=m(2023, 6), first_month=m(2023, 4))
    assert series_values(figures) == [("2023-04", 10), ("2023-05", 0), ("2023-06", 5)]
    assert figures["since_start"]["months"] == 3
    assert figures["since_start"]["requests"] == 15
    assert figures["since_start"]["lowest"] == [{"month": "2023-05", "requests": 0}]
    assert figures["requests"]["previous_month"] == 0
    assert figures["requests"]["change_pct"] is None
    assert figures["window"]["current"]["requests"] == 15


def test_ties_list_every_tied_month_in_order_and_share_a_rank():
    counts = {m(2023, 4): 5, m(2023, 5): 9, m(2023, 6): 2, m(2023, 7): 9, m(2023, 8): 2}
    august = report_figures(counts=counts, month=m(2023, 8), first_month=m(2023, 4))
    assert august["since_start"]["highest"] == [
        {"month": "2023-05", "requests": 9},
        {"month": "2023-07", "requests": 9},
    ]
    assert august["since_start"]["lowest"] == [
        {"month": "2023-06", "requests": 2},
        {"month": "2023-08", "requests": 2},
    ]
    # Three months have more than August's 2; June ties with it.
    assert august["since_start"]["rank_of_month"] == 4

    july = report_figures(counts=counts, month=m(2023, 7), first_month=m(2023, 4))
    may = report_figures(counts=counts, month=m(2023, 5), first_month=m(2023, 4))
    assert july["since_start"]["rank_of_month"] == 1
    assert may["since_start"]["rank_of_month"] == 1


def test_previous_window_with_no_requests_has_no_change_pct():
    counts = {m(2023, 6): 3, m(2023, 7): 4, m(2023, 8): 5}
    figures = report_figures(counts=counts, month=m(2023, 8), first_month=m(2023, 3))
    assert figures["window"] == {
        "length": 3,
        "current": {"first": "2023-06", "last": "2023-08", "requests": 12, "season": "summer"},
        "previous": {"first": "2023-03", "last": "2023-05", "requests": 0, "season": "spring"},
        "change_pct": None,
    }
    assert figures["since_start"]["current_window_share_pct"] == 100.0


def test_windows_crossing_a_year_keep_their_seasons():
    counts = {add_months(month=m(2023, 4), n=i): 10 + i for i in range(11)}
    figures = report_figures(counts=counts, month=m(2024, 2), first_month=m(2023, 4))
    assert figures["window"]["current"] == {
        "first": "2023-12",
        "last": "2024-02",
        "requests": 18 + 19 + 20,
        "season": "winter",
    }
    assert figures["window"]["previous"] == {
        "first": "2023-09",
        "last": "2023-11",
        "requests": 15 + 16 + 17,
        "season": "autumn",
    }
    assert figures["window"]["change_pct"] == change_pct(current=57, previous=48) == 18.8
    assert figures["since_start"]["months"] == 11


def test_short_series_clips_the_current_window_and_drops_the_previous_one():
    counts = {m(2023, 4): 61, m(2023, 5): 74}
    figures = report_figures(counts=counts, month=m(2023, 5), first_month=m(2023, 4))
    assert figures["window"] == {
        "length": 3,
        "current": {"first": "2023-04", "last": "2023-05", "requests": 135, "season": None},
        "previous": None,
        "change_pct": None,
    }
    assert figures["requests"] == {"this_month": 74, "previous_month": 61, "change_pct": 21.3}
    assert figures["since_start"]["current_window_share_pct"] == 100.0


def test_previous_window_is_dropped_when_it_starts_before_the_first_month():
    # Current window Jun-Aug is complete, but the previous one would need March.
    counts = {m(2023, i): i for i in range(4, 9)}
    figures = report_figures(counts=counts, month=m(2023, 8), first_month=m(2023, 4))
    assert figures["window"]["current"]["requests"] == 6 + 7 + 8
    assert figures["window"]["previous"] is None
    assert figures["window"]["change_pct"] is None


def test_clipped_window_gets_a_season_only_if_the_covered_months_are_one():
    counts = {m(2023, 3): 1, m(2023, 4): 2, m(2023, 5): 3}
    figures = report_figures(counts=counts, month=m(2023, 5), first_month=m(2023, 3), window=6)
    assert figures["window"]["current"] == {
        "first": "2023-03",
        "last": "2023-05",
        "requests": 6,
        "season": "spring",
    }
    assert figures["window"]["length"] == 6


def test_report_on_the_first_month_has_no_previous_month():
    figures = report_figures(counts={m(2023, 4): 61}, month=m(2023, 4), first_month=m(2023, 4))
    assert figures["requests"] == {"this_month": 61, "previous_month": None, "change_pct": None}
    assert figures["window"]["current"] == {
        "first": "2023-04",
        "last": "2023-04",
        "requests": 61,
        "season": None,
    }
    assert figures["window"]["previous"] is None
    assert figures["since_start"]["rank_of_month"] == 1
    assert figures["since_start"]["months"] == 1


def test_all_zero_series_has_no_share():
    figures = report_figures(counts={}, month=m(2023, 6), first_month=m(2023, 4))
    assert figures["since_start"]["requests"] == 0
    assert figures["since_start"]["current_window_share_pct"] is None
    assert len(figures["since_start"]["highest"]) == 3
    assert figures["since_start"]["rank_of_month"] == 1


def test_window_of_one_compares_with_the_month_before():
    figures = article_figures(window=1)
    assert figures["window"]["current"] == {
        "first": "2023-11",
        "last": "2023-11",
        "requests": 175,
        "season": None,
    }
    assert figures["window"]["previous"]["requests"] == 218
    assert figures["window"]["change_pct"] == -19.7


# --- errors -----------------------------------------------------------------


def test_report_month_before_first_month_is_rejected():
    with pytest.raises(ValueError, match="report month 2023-03 is before the first month 2023-04"):
        report_figures(counts={}, month=m(2023, 3), first_month=m(2023, 4))


@pytest.mark.parametrize(
    "arguments",
    [
        {"month": date(2023, 11, 2), "first_month": m(2023, 4)},
        {"month": m(2023, 11), "first_month": date(2023, 4, 15)},
        {"month": datetime(2023, 11, 1), "first_month": m(2023, 4)},
        {"month": "2023-11", "first_month": m(2023, 4)},
    ],
)
def test_months_must_be_first_days_of_months(arguments):
    with pytest.raises(ValueError):
        report_figures(counts={}, **arguments)


def test_counts_keys_must_be_first_days_of_months():
    with pytest.raises(ValueError, match="first day of a month"):
        report_figures(counts={date(2023, 5, 3): 1}, month=m(2023, 11), first_month=m(2023, 4))


def test_counts_must_be_non_negative_ints():
    with pytest.raises(ValueError, match="non-negative int"):
        report_figures(counts={m(2023, 5): -1}, month=m(2023, 11), first_month=m(2023, 4))


@pytest.mark.parametrize("window", [0, -3])
def test_window_must_be_at_least_one(window):
    with pytest.raises(ValueError, match="window"):
        article_figures(window=window)
