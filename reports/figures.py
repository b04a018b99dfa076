"""Figures and narrative for the monthly report of the help-request app.

Everything here is pure and database-free: the caller fetches the
month -> request-count series and passes it in, so the arithmetic and the
wording can be checked without Django.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from intake.months import add_months, month_range

_SEASONS = {3: "spring", 6: "summer", 9: "autumn", 12: "winter"}

# Kept apart from the sentences because translations will need their own
# (possibly declined) month names rather than a lookup in this tuple.
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# More months than this in a "fewer than ..." list reads as a roll-call, so
# the narrative gives a count instead.
_MAX_NAMED_MONTHS = 3


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


def _ym(month: date) -> str:
    """Render a month as ``YYYY-MM``."""
    return f"{month.year:04d}-{month.month:02d}"


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
        raise ValueError(f"count for {_ym(month)} must be a non-negative int, got {value!r}")
    return value


def _span(*, first: date, last: date, requests: int, months: int) -> dict[str, Any]:
    """Describe a run of months as a JSON-ready dict."""
    return {
        "first": _ym(first),
        "last": _ym(last),
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
            f"report month {_ym(month)} is before the first month {_ym(first_month)}"
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
        "month": _ym(month),
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
            "first": _ym(first_month),
            "months": len(months),
            "requests": grand_total,
            "current_window_share_pct": share,
            "highest": [
                {"month": _ym(m), "requests": c} for m, c in by_month.items() if c == highest
            ],
            "lowest": [
                {"month": _ym(m), "requests": c} for m, c in by_month.items() if c == lowest
            ],
            "rank_of_month": 1 + sum(1 for c in by_month.values() if c > this_month),
        },
        "series": [{"month": _ym(m), "requests": c} for m, c in by_month.items()],
    }


def _parse_ym(value: str) -> date:
    """Turn a ``YYYY-MM`` string back into the first day of that month."""
    year, month = value.split("-")
    return date(int(year), int(month), 1)


def _number(value: int) -> str:
    """Format an integer with thousands separators."""
    return f"{value:,}"


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _whole_pct(value: float) -> int:
    """Round a one-decimal percentage to a whole number, halves away from zero."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _takes_an(value: int) -> bool:
    """Tell whether a spoken English number starts with a vowel sound."""
    digits = str(abs(value))
    # "eight...", "eleven..." and "eighteen..." (also as thousands, millions).
    return digits.startswith("8") or (
        len(digits) % 3 == 2 and digits[:2] in ("11", "18")
    )


def narrative(figures: dict[str, Any]) -> list[str]:
    """Return English sentences describing figures built by ``report_figures``."""
    # Every translatable string lives in this function so that wrapping them
    # in gettext later is a local change; placeholders are named so that
    # translations can reorder them.
    month = _parse_ym(figures["month"])
    since_start = figures["since_start"]
    first_month = _parse_ym(since_start["first"])
    # Once the series covers two calendar years a bare "October" is ambiguous.
    with_years = first_month.year != month.year

    def name(m: date, *, year: bool = with_years) -> str:
        if year:
            return "%(month)s %(year)s" % {"month": _MONTH_NAMES[m.month - 1], "year": m.year}
        return _MONTH_NAMES[m.month - 1]

    def names(ms: list[date]) -> str:
        labels = [name(m) for m in ms]
        if len(labels) == 1:
            return labels[0]
        return "%(rest)s and %(last)s" % {"rest": ", ".join(labels[:-1]), "last": labels[-1]}

    def some_months(ms: list[date]) -> str:
        if len(ms) > _MAX_NAMED_MONTHS:
            return "%(count)s other months" % {"count": _number(len(ms))}
        return names(ms)

    def requests(n: int) -> str:
        if n == 1:
            return "%(count)s request" % {"count": _number(n)}
        return "%(count)s requests" % {"count": _number(n)}

    def span(spec: dict[str, Any]) -> str:
        first, last = _parse_ym(spec["first"]), _parse_ym(spec["last"])
        if first == last:
            return "in %(month)s" % {"month": name(first)}
        if with_years and first.year == last.year:
            return "between %(first)s and %(last)s %(year)s" % {
                "first": name(first, year=False),
                "last": name(last, year=False),
                "year": first.year,
            }
        return "between %(first)s and %(last)s" % {"first": name(first), "last": name(last)}

    since = name(first_month, year=True)
    sentences: list[str] = []

    current = figures["window"]["current"]
    previous = figures["window"]["previous"]
    values = {
        "requests": requests(current["requests"]),
        "span": span(current),
    }
    if previous is None:
        sentences.append("%(requests)s %(span)s." % values)
    else:
        values["previous"] = _number(previous["requests"])
        values["previous_span"] = span(previous)
        change = figures["window"]["change_pct"]
        if previous["requests"] == 0 or change is None:
            sentences.append("%(requests)s %(span)s, compared with none %(previous_span)s." % values)
        elif current["requests"] == previous["requests"]:
            sentences.append("%(requests)s %(span)s, the same number as %(previous_span)s." % values)
        else:
            whole = _whole_pct(change)
            values["pct"] = _number(abs(whole))
            values["article"] = "an" if _takes_an(whole) else "a"
            if whole == 0 and change > 0:
                # "a 0% increase" would read as no change when there was one.
                template = "%(requests)s %(span)s, slightly more than the %(previous)s received %(previous_span)s."
            elif whole == 0:
                template = "%(requests)s %(span)s, slightly fewer than the %(previous)s received %(previous_span)s."
            elif whole > 0:
                template = "%(requests)s %(span)s, %(article)s %(pct)s%% increase on the %(previous)s received %(previous_span)s."
            else:
                template = "%(requests)s %(span)s, %(article)s %(pct)s%% decrease on the %(previous)s received %(previous_span)s."
            sentences.append(template % values)

    series = [(_parse_ym(row["month"]), row["requests"]) for row in figures["series"]]
    highest = since_start["highest"]
    lowest = since_start["lowest"]
    if len(series) > 1:
        if highest[0]["requests"] == lowest[0]["requests"]:
            sentences.append(
                "Every month since %(since)s had %(requests)s."
                % {"since": since, "requests": requests(highest[0]["requests"])}
            )
        else:
            sentences.append(
                "%(highest)s had the most requests since %(since)s (%(most)s); "
                "%(lowest)s the fewest (%(fewest)s)."
                % {
                    "highest": names([_parse_ym(row["month"]) for row in highest]),
                    "since": since,
                    "most": _number(highest[0]["requests"]),
                    "lowest": names([_parse_ym(row["month"]) for row in lowest]),
                    "fewest": _number(lowest[0]["requests"]),
                }
            )

    this_month = figures["requests"]["this_month"]
    others = [(m, c) for m, c in series if m != month]
    values = {
        "month": name(month),
        "requests": requests(this_month),
        "rank": _number(since_start["rank_of_month"]),
        "months": _number(since_start["months"]),
    }
    if not others:
        sentences.append("%(month)s: %(requests)s, the first month on record." % values)
    else:
        above = [m for m, c in others if c > this_month]
        equal = [m for m, c in others if c == this_month]
        below = [m for m, c in others if c < this_month]
        values["above"] = some_months(above) if above else ""
        values["equal"] = some_months(equal) if equal else ""
        if not above and not below:
            comparison = "as many as every other month"
        elif not above and not equal:
            comparison = "the most of any month"
        elif not above:
            comparison = "as many as %(equal)s and more than any other month"
        elif not below and not equal:
            comparison = "the fewest of any month"
        elif not below:
            comparison = "as many as %(equal)s and fewer than any other month"
        elif not equal:
            comparison = "fewer than %(above)s but more than any other month"
        else:
            comparison = "fewer than %(above)s, as many as %(equal)s and more than any other month"
        values["comparison"] = comparison % values
        sentences.append("%(month)s: %(requests)s, %(comparison)s (rank %(rank)s of %(months)s)." % values)

    grand_total = since_start["requests"]
    values = {
        "requests": requests(grand_total),
        "since": since,
        "share": f"{since_start['current_window_share_pct'] or 0:.1f}",
        "span": span(current),
    }
    if grand_total == 0:
        sentences.append("No requests since %(since)s." % values)
    elif _parse_ym(current["first"]) == first_month:
        # The window holds every request, so a "100.0% of them" clause would
        # only repeat the first sentence.
        sentences.append("%(requests)s since %(since)s." % values)
    elif grand_total == 1:
        sentences.append("%(requests)s since %(since)s; %(share)s%% of it %(span)s." % values)
    else:
        sentences.append("%(requests)s since %(since)s; %(share)s%% of them %(span)s." % values)

    return sentences


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
