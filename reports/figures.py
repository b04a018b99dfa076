"""The figures of a monthly report, and those derived from reference figures.

Everything here is pure and database-free: the caller fetches the month -> request
count series and passes it in, so the arithmetic is checked without a database.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from intake.months import add_months, format_month, month_range

_SEASONS = {3: "spring", 6: "summer", 9: "autumn", 12: "winter"}

def round_pct(value: Decimal | float | int) -> float:
    """Round a percentage to one decimal place, halves away from zero."""
    if isinstance(value, float):
        # str() gives the shortest repr, i.e. the number the caller wrote or
        # saw; the exact binary expansion would turn 0.15 into 0.1.
        value = Decimal(str(value))
    decimal_value = Decimal(value)
    if not decimal_value.is_finite():
        raise ValueError(f"cannot round a non-finite percentage: {value!r}")
    rounded = decimal_value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    # Adding 0.0 turns -0.0 into 0.0 so a tiny negative never prints as "-0.0".
    return float(rounded) + 0.0


def _ratio_pct(*, numerator: int, denominator: int) -> float:
    """Return numerator / denominator * 100, rounded exactly by ``round_pct``."""
    # Integer arithmetic keeps the half-way test exact; a finite-precision
    # quotient could land on ...x5 after its own rounding and round twice.
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    tenths, remainder = divmod(abs(numerator) * 1000, abs(denominator))
    if 2 * remainder >= abs(denominator):
        tenths += 1
    return round_pct(Decimal(sign * tenths).scaleb(-1))


def change_pct(*, current: int, previous: int) -> float | None:
    """Return the percentage change from ``previous`` to ``current``, or None if previous is 0."""
    if previous == 0:
        return None
    return _ratio_pct(numerator=current - previous, denominator=previous)


def season_of(*, first: date, length: int) -> str | None:
    """Return the season a span of ``length`` months from ``first`` covers exactly, if any."""
    if length != 3:
        return None
    return _SEASONS.get(first.month)


def _check_first_of_month(value: object, *, name: str) -> date:
    """Return ``value`` if it is a plain date on the first of a month, else raise ValueError."""
    # A datetime is a date subclass, but a time component would make equality
    # with the series keys silently fail.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{name} must be a date, got {value!r}")
    if value.day != 1:
        raise ValueError(f"{name} must be the first day of a month, got {value.isoformat()}")
    return value


def _check_count(value: object, *, month: date) -> int:
    """Return ``value`` if it is a usable request count, else raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"count for {format_month(month)} must be a non-negative int, got {value!r}")
    return value


def _span(*, first: date, last: date, requests: int, months: int) -> dict[str, Any]:
    """Describe a run of months as a JSON-ready dict."""
    return {
        "first": format_month(first),
        "last": format_month(last),
        "requests": requests,
        "season": season_of(first=first, length=months),
    }


def report_figures(
    *,
    counts: dict[date, int],
    month: date,
    first_month: date,
    window: int = 3,
) -> dict[str, Any]:
    """Compute the JSON-ready figures of the report for ``month``."""
    _check_first_of_month(month, name="report month")
    _check_first_of_month(first_month, name="first month")
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be an int of at least 1, got {window!r}")
    if month < first_month:
        raise ValueError(
            f"report month {format_month(month)} is before the first month {format_month(first_month)}"
        )
    for key, value in counts.items():
        _check_first_of_month(key, name="counts key")
        _check_count(value, month=key)

    months = month_range(first_month, month)
    by_month = {m: counts.get(m, 0) for m in months}

    def total(first: date, last: date) -> int:
        return sum(by_month[m] for m in month_range(first, last))

    this_month = by_month[month]
    if month == first_month:
        previous_month: int | None = None
        month_change: float | None = None
    else:
        previous_month = by_month[add_months(month, -1)]
        month_change = change_pct(current=this_month, previous=previous_month)

    window_start = add_months(month, -(window - 1))
    # Months before the first month were never collected, so they are left
    # out rather than counted as zero.
    current_first = max(window_start, first_month)
    current_requests = total(current_first, month)
    current = _span(
        first=current_first,
        last=month,
        requests=current_requests,
        months=len(month_range(current_first, month)),
    )

    previous_first = add_months(window_start, -window)
    previous: dict[str, Any] | None
    if previous_first < first_month:
        # A partial previous window would make the comparison look like a
        # change in demand when it is only a change in coverage.
        previous = None
        window_change: float | None = None
    else:
        previous_last = add_months(window_start, -1)
        previous_requests = total(previous_first, previous_last)
        previous = _span(
            first=previous_first,
            last=previous_last,
            requests=previous_requests,
            months=window,
        )
        window_change = change_pct(current=current_requests, previous=previous_requests)

    grand_total = sum(by_month.values())
    highest = max(by_month.values())
    lowest = min(by_month.values())
    share = (
        _ratio_pct(numerator=current_requests, denominator=grand_total)
        if grand_total
        else None
    )

    return {
        "month": format_month(month),
        "requests": {
            "this_month": this_month,
            "previous_month": previous_month,
            "change_pct": month_change,
        },
        "window": {
            "length": window,
            "current": current,
            "previous": previous,
            "change_pct": window_change,
        },
        "since_start": {
            "first": format_month(first_month),
            "months": len(months),
            "requests": grand_total,
            "current_window_share_pct": share,
            "highest": [
                {"month": format_month(m), "requests": c} for m, c in by_month.items() if c == highest
            ],
            "lowest": [
                {"month": format_month(m), "requests": c} for m, c in by_month.items() if c == lowest
            ],
            "rank_of_month": 1 + sum(1 for c in by_month.values() if c > this_month),
        },
        "series": [{"month": format_month(m), "requests": c} for m, c in by_month.items()],
    }


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# Rates published per day or per year are turned into the unit a reader compares
# with monthly reports: a month counts as 30 days, a year as 365.
DAYS_IN_MONTH = 30
DAYS_IN_YEAR = 365


def reference_derived(*, value: int, value_high: int | None, per: str, out_of: int | None) -> dict[str, Any]:
    """The figures derived from a published one: its share of a whole, and its rate
    in a unit that compares with the organisation's own (a month, a day)."""
    derived: dict[str, Any] = {}
    if out_of:
        derived["share_pct"] = _ratio_pct(numerator=value, denominator=out_of)
    if per == "day":
        derived["per_month"] = [value * DAYS_IN_MONTH, (value_high or value) * DAYS_IN_MONTH]
    elif per == "year":
        derived["per_day"] = [_whole(Decimal(n) / DAYS_IN_YEAR) for n in (value, value_high or value)]
    return derived
