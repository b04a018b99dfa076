"""Article-style sentences about a report's document, in English and in Russian.

Three steps, each decided once:

1. the facts (`_facts`): what the figures say, with percentages rounded as the
   sentences say them (the table's one-decimal figures to whole numbers, half away
   from zero);
2. the sentence plan (`sentence_plan`): which sentences, in which order, each a kind
   with the values it states, in no language;
3. a phrasebook per language (`reports/phrasebook/en.py`, `reports/phrasebook/ru.py`):
   the wording of every kind, with that language's grammar (English picks "a" or "an",
   Russian declines month names and picks among three plural forms).

A change to what is said belongs in the plan; a change to how it is worded, in a
phrasebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from intake.months import add_months, parse_month

from .phrasebook import Span
from .phrasebook.en import English
from .phrasebook.ru import Russian


@dataclass(frozen=True)
class Facts:
    """What the sentences say, independent of any language."""

    with_years: bool  # the series covers two calendar years: name them
    since: date
    # the window
    current: int
    current_span: Span
    previous: int | None  # None: no complete previous window
    previous_span: Span | None
    change: str  # none | zero_before | same | slightly_more | slightly_fewer | increase | decrease
    pct: int  # whole percentage, without sign
    # highest and lowest
    extremes: str  # single | flat | normal
    highest: list[date]
    most: int
    lowest: list[date]
    fewest: int
    # the report month
    month: date
    this_month: int
    above: list[date]
    equal: list[date]
    # first | all_same | most | equal_then_more | fewest | equal_then_fewer | between | between_with_equal
    standing: str
    rank: int
    months: int
    # the month before
    last_month: int | None  # None: the report month is the first
    month_change: str  # none | zero_before | same | slightly_more | slightly_fewer | increase | decrease
    month_pct: int
    # the total
    total: int
    share: float | None
    window_holds_all: bool


def _whole_pct(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _change(current: int, previous: int | None, change_pct: float | None) -> tuple[str, int]:
    """How a count compares with an earlier one, and the whole percentage to say."""
    if previous is None:
        return "none", 0
    if current == previous:
        return "same", 0
    if previous == 0 or change_pct is None:
        return "zero_before", 0
    whole = _whole_pct(change_pct)
    if whole == 0:
        # "a 0% increase" would read as no change when there was one.
        return ("slightly_more" if change_pct > 0 else "slightly_fewer"), 0
    return ("increase" if whole > 0 else "decrease"), abs(whole)


def _standing(above: list, equal: list, below: list) -> str:
    """Where the report month stands among the others."""
    if not (above or equal or below):
        return "first"
    if not above:
        return "all_same" if not below else ("equal_then_more" if equal else "most")
    if not below:
        return "equal_then_fewer" if equal else "fewest"
    return "between_with_equal" if equal else "between"


def _facts(figures: dict[str, Any]) -> Facts:
    since = figures["since_start"]
    month = parse_month(figures["month"])
    first = parse_month(since["first"])
    window = figures["window"]
    current, previous = window["current"], window["previous"]
    change, pct = _change(current["requests"], previous["requests"] if previous else None, window["change_pct"])
    requests = figures["requests"]
    month_change, month_pct = _change(requests["this_month"], requests["previous_month"], requests["change_pct"])

    series = [(parse_month(row["month"]), row["requests"]) for row in figures["series"]]
    highest, lowest = since["highest"], since["lowest"]
    if len(series) == 1:
        extremes = "single"
    elif highest[0]["requests"] == lowest[0]["requests"]:
        extremes = "flat"
    else:
        extremes = "normal"
    this_month = figures["requests"]["this_month"]
    others = [(m, c) for m, c in series if m != month]
    above = [m for m, c in others if c > this_month]
    equal = [m for m, c in others if c == this_month]
    below = [m for m, c in others if c < this_month]
    return Facts(
        with_years=first.year != month.year,
        since=first,
        current=current["requests"],
        current_span=Span(parse_month(current["first"]), parse_month(current["last"])),
        previous=previous["requests"] if previous else None,
        previous_span=Span(parse_month(previous["first"]), parse_month(previous["last"])) if previous else None,
        change=change,
        pct=pct,
        extremes=extremes,
        highest=[parse_month(row["month"]) for row in highest],
        most=highest[0]["requests"],
        lowest=[parse_month(row["month"]) for row in lowest],
        fewest=lowest[0]["requests"],
        month=month,
        this_month=this_month,
        above=above,
        equal=equal,
        standing=_standing(above, equal, below),
        rank=since["rank_of_month"],
        months=since["months"],
        last_month=requests["previous_month"],
        month_change=month_change,
        month_pct=month_pct,
        total=since["requests"],
        share=since["current_window_share_pct"],
        window_holds_all=parse_month(current["first"]) == first,
    )


@dataclass(frozen=True)
class Sentence:
    """One sentence of the plan: its kind (a phrase of every phrasebook) and the
    values it states."""

    kind: str
    values: dict[str, Any]


def _sentence(kind: str, **values: Any) -> Sentence:
    return Sentence(kind, values)


def sentence_plan(f: Facts) -> list[Sentence]:
    """The sentences to say about the facts, in order."""
    plan = []

    # The current window against the one before.
    window = {"current": f.current, "span": f.current_span}
    if f.change == "none":
        plan.append(_sentence("window", **window))
    elif f.change in ("zero_before", "same"):
        plan.append(_sentence(f"window_{f.change}", **window, previous_span=f.previous_span))
    elif f.change in ("slightly_more", "slightly_fewer"):
        plan.append(_sentence(f"window_{f.change}", **window, previous=f.previous, previous_span=f.previous_span))
    else:
        plan.append(_sentence(f"window_{f.change}", **window, pct=f.pct, previous=f.previous,
                              previous_span=f.previous_span))

    # The highest and the lowest month; nothing to say of a single month.
    if f.extremes == "flat":
        plan.append(_sentence("extremes_flat", since=f.since, count=f.most))
    elif f.extremes == "normal":
        plan.append(_sentence("extremes", since=f.since, highest=f.highest, most=f.most, lowest=f.lowest,
                              fewest=f.fewest))

    # Where the report month stands among the others.
    month = {"month": f.month, "count": f.this_month}
    rank = {"rank": f.rank, "months": f.months}
    if f.standing == "first":
        plan.append(_sentence("month_first", **month))
    elif f.standing in ("all_same", "most", "fewest"):
        plan.append(_sentence(f"month_{f.standing}", **month, **rank))
    elif f.standing in ("equal_then_more", "equal_then_fewer"):
        plan.append(_sentence(f"month_{f.standing}", **month, equal=f.equal, **rank))
    elif f.standing == "between":
        plan.append(_sentence("month_between", **month, above=f.above, **rank))
    else:
        plan.append(_sentence("month_between_with_equal", **month, above=f.above, equal=f.equal, **rank))

    # The month before it.
    before = add_months(f.month, -1)
    if f.month_change in ("zero_before", "same"):
        plan.append(_sentence(f"month_before_{f.month_change}", before=before))
    elif f.month_change in ("slightly_more", "slightly_fewer"):
        plan.append(_sentence(f"month_before_{f.month_change}", before=before, last=f.last_month))
    elif f.month_change in ("increase", "decrease"):
        plan.append(_sentence(f"month_before_{f.month_change}", before=before, last=f.last_month,
                              pct=f.month_pct))

    # Everything since the start.
    if f.total == 0:
        plan.append(_sentence("total_none", since=f.since))
    elif f.window_holds_all:
        # "100.0% of them" would only repeat the first sentence.
        plan.append(_sentence("total_all_in_window", total=f.total, since=f.since))
    else:
        plan.append(_sentence("total_with_share", total=f.total, since=f.since, share=f.share,
                              span=f.current_span))
    return plan


def narrative(figures: dict[str, Any], language: str = "en") -> list[str]:
    """Sentences about a report's document (or the figures of `report_figures`), in
    Russian for "ru*" and in English otherwise."""
    facts = _facts(figures)
    phrasebook = (Russian if language.startswith("ru") else English)(with_years=facts.with_years)
    return [phrasebook.say(sentence) for sentence in sentence_plan(facts)]
