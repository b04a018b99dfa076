"""Article-style sentences about a report's figures, in English and in Russian.

What to say is decided once, from the figures alone (`_facts`); each language then
only words it, with its own grammar: English picks "a" or "an", Russian declines
month names and picks among three plural forms. Percentages in sentences are the
table's one-decimal figures rounded to whole numbers, half away from zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from intake.months import add_months, parse_month

# More months than this in a "fewer than ..." list reads as a roll-call, so the
# sentence gives a count instead.
MAX_NAMED_MONTHS = 3


@dataclass(frozen=True)
class Span:
    first: date
    last: date


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


def narrative(figures: dict[str, Any], language: str = "en") -> list[str]:
    """Sentences about the figures of `report_figures`, in Russian for "ru*" and in
    English otherwise."""
    facts = _facts(figures)
    return _russian(facts) if language.startswith("ru") else _english(facts)


# English -----------------------------------------------------------------------

_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def _takes_an(value: int) -> bool:
    """Whether a spoken English number starts with a vowel sound: eight..., eleven...,
    eighteen... (also as thousands, millions)."""
    digits = str(value)
    return digits.startswith("8") or (len(digits) % 3 == 2 and digits[:2] in ("11", "18"))


def _english(f: Facts) -> list[str]:
    def num(n: int) -> str:
        return f"{n:,}"

    def name(m: date, year: bool = f.with_years) -> str:
        return f"{_EN_MONTHS[m.month - 1]} {m.year}" if year else _EN_MONTHS[m.month - 1]

    def names(months: list[date]) -> str:
        labels = [name(m) for m in months]
        return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"

    def some(months: list[date]) -> str:
        return f"{num(len(months))} other months" if len(months) > MAX_NAMED_MONTHS else names(months)

    def requests(n: int) -> str:
        return f"{num(n)} request" if n == 1 else f"{num(n)} requests"

    def span(s: Span) -> str:
        if s.first == s.last:
            return f"in {name(s.first)}"
        if f.with_years and s.first.year == s.last.year:
            return f"between {name(s.first, False)} and {name(s.last, False)} {s.first.year}"
        return f"between {name(s.first)} and {name(s.last)}"

    since = name(f.since, year=True)
    head = f"{requests(f.current)} {span(f.current_span)}"
    if f.change == "none":
        window = f"{head}."
    else:
        prev, prev_span = num(f.previous), span(f.previous_span)
        article = "an" if _takes_an(f.pct) else "a"
        window = {
            "zero_before": f"{head}, compared with none {prev_span}.",
            "same": f"{head}, the same number as {prev_span}.",
            "slightly_more": f"{head}, slightly more than the {prev} received {prev_span}.",
            "slightly_fewer": f"{head}, slightly fewer than the {prev} received {prev_span}.",
            "increase": f"{head}, {article} {num(f.pct)}% increase on the {prev} received {prev_span}.",
            "decrease": f"{head}, {article} {num(f.pct)}% decrease on the {prev} received {prev_span}.",
        }[f.change]
    sentences = [window]

    if f.extremes == "flat":
        sentences.append(f"Every month since {since} had {requests(f.most)}.")
    elif f.extremes == "normal":
        sentences.append(f"{names(f.highest)} had the most requests since {since} ({num(f.most)}); "
                         f"{names(f.lowest)} the fewest ({num(f.fewest)}).")

    month = f"{name(f.month)}: {requests(f.this_month)}"
    if f.standing == "first":
        sentences.append(f"{month}, the first month on record.")
    else:
        above, equal = (some(f.above) if f.above else ""), (some(f.equal) if f.equal else "")
        comparison = {
            "all_same": "as many as every other month",
            "most": "the most of any month",
            "equal_then_more": f"as many as {equal} and more than any other month",
            "fewest": "the fewest of any month",
            "equal_then_fewer": f"as many as {equal} and fewer than any other month",
            "between": f"fewer than {above} but more than any other month",
            "between_with_equal": f"fewer than {above}, as many as {equal} and more than any other month",
        }[f.standing]
        sentences.append(f"{month}, {comparison} (rank {num(f.rank)} of {num(f.months)}).")

    before = name(add_months(f.month, -1))
    if f.month_change != "none":
        last = num(f.last_month)
        sentences.append({
            "zero_before": f"There were none in {before}.",
            "same": f"That is as many as in {before}.",
            "slightly_more": f"That is slightly more than in {before} ({last}).",
            "slightly_fewer": f"That is slightly fewer than in {before} ({last}).",
            "increase": f"That is {num(f.month_pct)}% more than in {before} ({last}).",
            "decrease": f"That is {num(f.month_pct)}% fewer than in {before} ({last}).",
        }[f.month_change])

    if f.total == 0:
        sentences.append(f"No requests since {since}.")
    elif f.window_holds_all:
        # "100.0% of them" would only repeat the first sentence.
        sentences.append(f"{requests(f.total)} since {since}.")
    else:
        of = "of it" if f.total == 1 else "of them"
        sentences.append(f"{requests(f.total)} since {since}; {f.share:.1f}% {of} {span(f.current_span)}.")
    return sentences


# Russian -----------------------------------------------------------------------

# Month names in the cases the sentences need: "ноябрь" (nominative, also after
# "по"), "с ноября" (genitive), "в ноябре" (prepositional).
_RU_NOMINATIVE = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
                  "октябрь", "ноябрь", "декабрь")
_RU_GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                "октября", "ноября", "декабря")
_RU_PREPOSITIONAL = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре",
                     "октябре", "ноябре", "декабре")
_NBSP = "\u00a0"


def ru_plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian plural form for n: 1, 21 запрос; 2-4, 22 запроса; 5-20, 11-14 запросов."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _russian(f: Facts) -> list[str]:
    def num(n: int) -> str:
        return f"{n:,}".replace(",", _NBSP)

    def pct(value: float) -> str:
        return f"{value:.1f}".replace(".", ",")

    def requests(n: int) -> str:
        return f"{num(n)} {ru_plural(n, 'запрос', 'запроса', 'запросов')}"

    def year(m: date) -> str:
        return f" {m.year}{_NBSP}года"

    def gen(m: date, with_year: bool = f.with_years) -> str:
        return _RU_GENITIVE[m.month - 1] + (year(m) if with_year else "")

    def nom(m: date, with_year: bool = f.with_years) -> str:
        return _RU_NOMINATIVE[m.month - 1] + (year(m) if with_year else "")

    def prep(m: date) -> str:
        return _RU_PREPOSITIONAL[m.month - 1] + (f" {m.year}{_NBSP}года" if f.with_years else "")

    def in_months(months: list[date]) -> str:
        """в октябре; в октябре и ноябре; в 4 других месяцах"""
        if len(months) > MAX_NAMED_MONTHS:
            return f"в {num(len(months))} других {ru_plural(len(months), 'месяце', 'месяцах', 'месяцах')}"
        labels = [prep(m) for m in months]
        joined = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} и {labels[-1]}"
        return f"в {joined}"

    def span(s: Span) -> str:
        if s.first == s.last:
            return f"в {prep(s.first)}"
        if f.with_years and s.first.year == s.last.year:
            return f"с {gen(s.first, False)} по {nom(s.last, False)}{year(s.first)}"
        return f"с {gen(s.first)} по {nom(s.last)}"

    since = gen(f.since, with_year=True)
    head = f"{requests(f.current)} {span(f.current_span)}"
    if f.change == "none":
        window = f"{head}."
    else:
        prev, prev_span = requests(f.previous), span(f.previous_span)
        window = {
            "zero_before": f"{head}; {prev_span} запросов не было.",
            "same": f"{head} — столько же, сколько {prev_span}.",
            "slightly_more": f"{head} — немного больше, чем {prev} {prev_span}.",
            "slightly_fewer": f"{head} — немного меньше, чем {prev} {prev_span}.",
            "increase": f"{head} — на {num(f.pct)}% больше, чем {prev} {prev_span}.",
            "decrease": f"{head} — на {num(f.pct)}% меньше, чем {prev} {prev_span}.",
        }[f.change]
    sentences = [window]

    if f.extremes == "flat":
        sentences.append(f"С {since} в каждом месяце — {requests(f.most)}.")
    elif f.extremes == "normal":
        sentences.append(f"Больше всего запросов с {since} — {in_months(f.highest)} ({num(f.most)}), "
                         f"меньше всего — {in_months(f.lowest)} ({num(f.fewest)}).")

    month = f"{nom(f.month).capitalize()}: {requests(f.this_month)}"
    if f.standing == "first":
        sentences.append(f"{month} — первый месяц наблюдений.")
    else:
        above = in_months(f.above) if f.above else ""
        equal = in_months(f.equal) if f.equal else ""
        comparison = {
            "all_same": "столько же, сколько в любом другом месяце",
            "most": "больше, чем в любом другом месяце",
            "equal_then_more": f"столько же, сколько {equal}, и больше, чем в любом другом месяце",
            "fewest": "меньше, чем в любом другом месяце",
            "equal_then_fewer": f"столько же, сколько {equal}, и меньше, чем в любом другом месяце",
            "between": f"меньше, чем {above}, но больше, чем в любом другом месяце",
            "between_with_equal": f"меньше, чем {above}, столько же, сколько {equal}, и больше, чем в любом другом месяце",
        }[f.standing]
        sentences.append(f"{month} — {comparison} ({num(f.rank)}-е место из {num(f.months)}).")

    before = prep(add_months(f.month, -1))
    if f.month_change != "none":
        last = num(f.last_month)
        sentences.append({
            "zero_before": f"В {before} запросов не было.",
            "same": f"Это столько же, сколько в {before}.",
            "slightly_more": f"Это немного больше, чем в {before} ({last}).",
            "slightly_fewer": f"Это немного меньше, чем в {before} ({last}).",
            "increase": f"Это на {num(f.month_pct)}% больше, чем в {before} ({last}).",
            "decrease": f"Это на {num(f.month_pct)}% меньше, чем в {before} ({last}).",
        }[f.month_change])

    if f.total == 0:
        sentences.append(f"С {since} запросов не было.")
    elif f.window_holds_all:
        sentences.append(f"{requests(f.total)} с {since}.")
    else:
        of = "из него" if f.total == 1 else "из них"
        sentences.append(f"{requests(f.total)} с {since}; {pct(f.share)}% {of} — {span(f.current_span)}.")
    return sentences
