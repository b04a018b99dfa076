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
phrasebook. The key figures beside the sentences (`key_figures`) are drawn from the same
facts and worded by the same phrasebooks, so that a card and a sentence state a figure
with the same precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from intake.months import add_months, parse_month

from .disclosure import WITHHELD
from .phrasebook import Count, Sentence, Span
from .phrasebook.en import English
from .phrasebook.ru import Russian


@dataclass(frozen=True)
class Facts:
    """What the sentences say, independent of any language."""

    with_years: bool  # the series covers two calendar years: name them
    since: date
    # the window. A count is an int, or in a published document "<10" or "[c]".
    current: Count
    current_span: Span
    previous: Count | None  # None: no complete previous window
    previous_span: Span | None
    # none | zero_before | same | about_same | slightly_more | slightly_fewer | increase | decrease
    # | unknown (a published document leaves the percentage out: a side is "<10" or "[c]")
    change: str
    pct: int  # whole percentage, without sign
    # highest and lowest
    extremes: str  # single | flat | normal | highest_only | none (left out of a published document)
    highest: list[date] | None
    most: Count | None
    lowest: list[date] | None
    fewest: Count | None
    # the report month
    month: date
    this_month: Count
    above: list[date]
    equal: list[date]
    below: list[date]
    # first | all_same | most | equal_then_more | fewest | equal_then_fewer | between | between_with_equal
    # | rank (published: only the rank is said) | only (published, without a rank)
    standing: str
    rank: int | None
    months: int
    # the month before
    last_month: Count | None  # None: the report month is the first
    month_change: str  # as change
    month_pct: int
    # the total
    total: Count
    about: tuple[str, int] | None  # ("over", 1000): the total as a reader says it; None: say it exactly
    share: int | None  # whole percentage; None: not worth a number (0, 100, or rounds to either)
    # the share in words: ("more", "half"), ("about", "third"), ("all", ""); ("unknown", ""): left out
    portion: tuple[str, str]
    season: str | None  # the current window's season, said as "this autumn"
    window_holds_all: bool
    rounded: bool = False  # a partner or public document: counts are rounded to 5 (said "about")


def _whole_pct(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _shown_share(share: float | None) -> int | None:
    """The share as a whole percentage, unless the words say it all ("all of them") or
    the rounding would say 0% or 100% of a share that is neither."""
    if share is None or share <= 0 or share >= 100:
        return None
    whole = _whole_pct(share)
    return whole if 0 < whole < 100 else None


def _change(current: Count, previous: Count | None, change_pct: float | None, rounded: bool = False
            ) -> tuple[str, int]:
    """How a count compares with an earlier one, and the whole percentage to say. In a
    published document two rounded counts can be equal when the counts were not: the
    percentage, from the exact counts, decides."""
    if previous is None:
        return "none", 0
    if current == previous and (not rounded or current == 0):
        return "same", 0
    if previous == 0:
        return "zero_before", 0
    if change_pct is None:
        return "unknown", 0
    whole = _whole_pct(change_pct)
    if whole == 0:
        if rounded:
            return "about_same", 0
        # "a 0% increase" would read as no change when there was one.
        return ("slightly_more" if change_pct > 0 else "slightly_fewer"), 0
    return ("increase" if whole > 0 else "decrease"), abs(whole)


# Totals from this size up are also said in round figures: "over 1,000 (1,017)".
ROUNDED_FROM = 1000
# How close a round figure must be to stand for a total: within 5% of it.
ROUNDED_WITHIN = Decimal("0.05")


def _about(n: Count) -> tuple[str, int] | None:
    """A total as a reader says it: ("over", 1000) for 1,017, ("almost", 2000) for 1,950,
    trying round figures of one significant digit, then of a half, then of two."""
    if not isinstance(n, int) or n < ROUNDED_FROM:
        return None
    unit = 10 ** (len(str(n)) - 1)
    for step in (unit, unit // 2, unit // 10):
        low = n // step * step
        if low == n:
            return None  # already round: say it as it is
        if n - low <= n * ROUNDED_WITHIN:
            return "over", low
        if low + step - n <= n * ROUNDED_WITHIN:
            return "almost", low + step
    return None


# Fractions a reader names, as (numerator, denominator, name), smallest first.
FRACTIONS = [(1, 10, "tenth"), (1, 5, "fifth"), (1, 4, "quarter"), (1, 3, "third"), (1, 2, "half"),
             (2, 3, "two_thirds"), (3, 4, "three_quarters"), (9, 10, "nine_tenths")]


def _portion(share: float, whole: int) -> tuple[str, str]:
    """A share of the total in words: about a fraction (the same whole percentage), almost
    one (below it by at most a tenth of it and 5 points), or more than the largest below it."""
    if share >= 100:
        return "all", ""
    if share <= 0:
        return "none", ""
    exact = Decimal(str(share))
    below = None
    for numerator, denominator, name in FRACTIONS:
        value = Decimal(100 * numerator) / denominator
        if whole == _whole_pct(float(value)):
            return "about", name
        if value - min(Decimal(5), value / 10) <= exact < value:
            return "almost", name
        if value < exact:
            below = name
    if exact >= 95:
        return "almost", "all"
    return ("more", below) if below else ("less", "tenth")


def _standing(above: list, equal: list, below: list) -> str:
    """Where the report month stands among the others."""
    if not (above or equal or below):
        return "first"
    if not above:
        return "all_same" if not below else ("equal_then_more" if equal else "most")
    if not below:
        return "equal_then_fewer" if equal else "fewest"
    return "between_with_equal" if equal else "between"


def _facts(document: dict[str, Any]) -> Facts:
    since = document["since_start"]
    month = parse_month(document["month"])
    first = parse_month(since["first"])
    window = document["window"]
    rounded = document.get("profile", "internal") != "internal"
    current, previous = window["current"], window["previous"]
    change, pct = _change(current["requests"], previous["requests"] if previous else None, window["change_pct"],
                          rounded)
    requests = document["requests"]
    month_change, month_pct = _change(requests["this_month"], requests["previous_month"], requests["change_pct"],
                                      rounded)

    share = since["current_window_share_pct"]
    series = [(parse_month(row["month"]), row["requests"]) for row in document["series"]]
    highest, lowest = since["highest"], since["lowest"]
    if len(series) == 1:
        extremes = "single"
    elif not highest:
        extremes = "none"
    elif not lowest:
        extremes = "highest_only"
    elif highest[0]["requests"] == lowest[0]["requests"]:
        extremes = "flat"
    else:
        extremes = "normal"
    this_month = document["requests"]["this_month"]
    others = [(m, c) for m, c in series if m != month]
    if rounded or not all(isinstance(c, int) for _, c in series):
        # Rounded counts cannot be compared month by month: only the rank, from the
        # exact counts, is said, when the document states it.
        above, equal, below = [], [], []
        standing = "rank" if since["rank_of_month"] is not None else "only"
    else:
        above = [m for m, c in others if c > this_month]
        equal = [m for m, c in others if c == this_month]
        below = [m for m, c in others if c < this_month]
        standing = _standing(above, equal, below)
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
        highest=[parse_month(row["month"]) for row in highest] if highest else None,
        most=highest[0]["requests"] if highest else None,
        lowest=[parse_month(row["month"]) for row in lowest] if lowest else None,
        fewest=lowest[0]["requests"] if lowest else None,
        month=month,
        this_month=this_month,
        above=above,
        equal=equal,
        below=below,
        standing=standing,
        rank=since["rank_of_month"],
        months=since["months"],
        last_month=requests["previous_month"],
        month_change=month_change,
        month_pct=month_pct,
        total=since["requests"],
        about=_about(since["requests"]),
        share=_shown_share(share),
        # A share a published document leaves out ("<10" or "[c]" on a side): not said.
        portion=_portion(share, _whole_pct(share)) if share is not None else ("unknown", ""),
        season=current["season"],
        window_holds_all=parse_month(current["first"]) == first,
        rounded=rounded,
    )


def _sentence(kind: str, **values: Any) -> Sentence:
    return Sentence(kind, values)


def sentence_plan(f: Facts) -> list[Sentence]:
    """The sentences to say about the facts, in order."""
    # A single month, or a record without any request, is said in one sentence.
    if f.months == 1:
        return [_sentence("month_first", month=f.month, count=f.this_month)]
    if f.total == 0:
        return [_sentence("total_none", since=f.since)]
    plan = []

    # The current window against the one before.
    window = {"current": f.current, "span": f.current_span}
    if f.change == "none":
        plan.append(_sentence("window", **window))
    elif f.change in ("zero_before", "same"):
        plan.append(_sentence(f"window_{f.change}", **window, previous_span=f.previous_span))
    elif f.change in ("slightly_more", "slightly_fewer", "about_same", "unknown"):
        plan.append(_sentence(f"window_{f.change}", **window, previous=f.previous, previous_span=f.previous_span))
    else:
        plan.append(_sentence(f"window_{f.change}", **window, pct=f.pct, previous=f.previous,
                              previous_span=f.previous_span))

    # The highest and the lowest month (the phrasebook counts long lists of tied months).
    if f.extremes == "flat":
        plan.append(_sentence("extremes_flat", since=f.since, count=f.most))
    elif f.extremes == "normal":
        plan.append(_sentence("extremes", since=f.since, highest=f.highest, most=f.most, lowest=f.lowest,
                              fewest=f.fewest))
    elif f.extremes == "highest_only":
        plan.append(_sentence("extremes_highest", since=f.since, highest=f.highest, most=f.most))

    # Where the report month stands among the others; tied months share a rank.
    month = {"month": f.month, "count": f.this_month}
    rank = {"rank": f.rank, "months": f.months}
    if f.standing in ("most", "fewest", "rank"):
        plan.append(_sentence(f"month_{f.standing}", **month, **rank))
    elif f.standing == "only":
        plan.append(_sentence("month_only", **month))
    elif f.standing == "equal_then_more":
        plan.append(_sentence("month_equal_then_more", **month, equal=f.equal, below=f.below, **rank))
    elif f.standing == "equal_then_fewer":
        plan.append(_sentence("month_equal_then_fewer", **month, equal=f.equal, above=f.above, **rank))
    elif f.standing == "between":
        plan.append(_sentence("month_between", **month, above=f.above, below=f.below, **rank))
    elif f.standing == "between_with_equal":
        plan.append(_sentence("month_between_with_equal", **month, above=f.above, equal=f.equal, below=f.below,
                              **rank))
    # When every month is the same ("all_same"), the sentence before has said so.

    # The month before it.
    before = add_months(f.month, -1)
    if f.month_change in ("zero_before", "same"):
        plan.append(_sentence(f"month_before_{f.month_change}", before=before))
    elif f.month_change in ("slightly_more", "slightly_fewer", "about_same", "unknown"):
        plan.append(_sentence(f"month_before_{f.month_change}", before=before, last=f.last_month))
    elif f.month_change in ("increase", "decrease"):
        plan.append(_sentence(f"month_before_{f.month_change}", before=before, last=f.last_month,
                              pct=f.month_pct))

    # Everything since the start: in round figures as a reader says them, beside the exact ones.
    total = {"total": f.total, "about": f.about, "since": f.since}
    if f.total == WITHHELD:
        plan.append(_sentence("total_withheld", since=f.since))
    elif f.window_holds_all or f.portion[0] == "unknown":
        # "all of them" would only repeat the first sentence.
        plan.append(_sentence("total_all_in_window", **total))
    else:
        plan.append(_sentence("total_with_share", **total, share=f.share, portion=f.portion,
                              span=f.current_span, season=f.season))
    return plan


def _phrasebook(language: str, *, with_years: bool, rounded: bool = False):
    return (Russian if language.startswith("ru") else English)(with_years=with_years, rounded=rounded)


def narrative(document: dict[str, Any], language: str = "en") -> list[str]:
    """Sentences about a report's document (or the figures of `report_figures`), in
    Russian for "ru*" and in English otherwise. A published document's counts are said
    as it publishes them: "about 575", "fewer than 10", "a withheld number"."""
    facts = _facts(document)
    phrasebook = _phrasebook(language, with_years=facts.with_years, rounded=facts.rounded)
    return [phrasebook.say(sentence) for sentence in sentence_plan(facts)]


@dataclass(frozen=True)
class KeyFigure:
    """One card of the report page: a value and what it counts, with the precision of
    the sentences; `exact` is the one-decimal value of the document when that differs."""

    value: str
    caption: str
    exact: str | None = None
    words: bool = False  # the value is words (months), not a number


def key_figures(document: dict[str, Any], language: str = "en") -> list[KeyFigure]:
    """The report's key figures from the same facts as its sentences, so that a card and
    a sentence give a figure alike (89% on both); the cards always name years, since
    they stand alone."""
    f = _facts(document)
    words = _phrasebook(language, with_years=True)
    length = document["window"]["length"]
    if f.previous is None:
        previous = KeyFigure("—", words.card_no_previous(length=length))
    else:
        previous = KeyFigure(words.figure(f.previous), words.card_requests(count=f.previous, span=f.previous_span),
                             words=_in_words(f.previous))
    change_value = {"increase": f"{f.pct}%", "decrease": f"{f.pct}%", "slightly_more": "<1%",
                    "slightly_fewer": "<1%", "same": "0%", "about_same": "0%"}.get(f.change, "—")
    change_pct, share = document["window"]["change_pct"], document["since_start"]["current_window_share_pct"]
    # A published percentage is already whole: no finer value to give in a tooltip.
    exact_change = f"{words.decimal(change_pct)}%" if isinstance(change_pct, float) else None
    if f.highest:
        highest = KeyFigure(words.label(f.highest), words.card_most(count=f.most, months=f.highest), words=True)
    else:
        highest = KeyFigure("—", words.card_most_left_out(), words=True)
    if f.lowest:
        lowest = KeyFigure(words.label(f.lowest), words.card_fewest(count=f.fewest, months=f.lowest), words=True)
    else:
        lowest = KeyFigure("—", words.card_fewest_left_out(), words=True)
    return [
        KeyFigure(words.figure(f.current), words.card_requests(count=f.current, span=f.current_span),
                  words=_in_words(f.current)),
        previous,
        KeyFigure(change_value, words.card_change(change=f.change, length=length), exact=exact_change),
        KeyFigure(words.figure(f.total), words.card_since(count=f.total, since=f.since), words=_in_words(f.total)),
        highest,
        lowest,
        KeyFigure(words.figure(f.this_month), words.card_month(count=f.this_month, month=f.month, rank=f.rank,
                                                               months=f.months, shared=bool(f.equal)),
                  words=_in_words(f.this_month)),
        KeyFigure(_share_value(share, f.share), words.card_share(since=f.since, span=f.current_span),
                  exact=f"{words.decimal(share)}%" if isinstance(share, float) else None),
    ]


def _in_words(count) -> bool:
    """A published "<10" or "[c]" is said in words ("fewer than 10"), set as words are."""
    return not isinstance(count, int)


def _share_value(share: float | None, whole: int | None) -> str:
    if share is None:
        return "—"
    if whole is not None or share in (0, 100):
        return f"{whole if whole is not None else int(share)}%"
    # A share that rounds to 0% or 100% without being either.
    return "<1%" if share < 50 else ">99%"


def chart_title(document: dict[str, Any], language: str = "en") -> str:
    """What the chart shows, for its title: the months it covers, with their years."""
    words = _phrasebook(language, with_years=True)
    return words.chart_title(span=Span(parse_month(document["since_start"]["first"]), parse_month(document["month"])))


def period(months: str, language: str = "en") -> str:
    """A month or span of the exports' month column ("2023-09/2023-11") in words, as a
    table heads it: September–November 2023."""
    if not months:
        return ""
    first, _, last = months.partition("/")
    words = _phrasebook(language, with_years=True)
    return words.period(Span(parse_month(first), parse_month(last or first)))
