"""The report sentences in Russian: every phrase, then the grammar they need (month
names in three cases, three plural forms, non-breaking spaces in numbers and years)."""

from __future__ import annotations

from datetime import date

from . import MAX_NAMED_MONTHS, Phrasebook, Span

# Month names in the cases the sentences need: "ноябрь" (nominative, also after
# "по"), "с ноября" (genitive), "в ноябре" (prepositional).
NOMINATIVE = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
              "октябрь", "ноябрь", "декабрь")
GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
            "октября", "ноября", "декабря")
PREPOSITIONAL = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре",
                 "октябре", "ноябре", "декабре")
NBSP = "\u00a0"


def ru_plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian plural form for n: 1, 21 запрос; 2-4, 22 запроса; 5-20, 11-14 запросов."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


class Russian(Phrasebook):
    # The current window against the one before ---------------------------------

    def window(self, *, current: int, span: Span) -> str:
        return f"{self.requests(current)} {self.span(span)}."

    def window_zero_before(self, *, current: int, span: Span, previous_span: Span) -> str:
        return f"{self.requests(current)} {self.span(span)}; {self.span(previous_span)} запросов не было."

    def window_same(self, *, current: int, span: Span, previous_span: Span) -> str:
        return f"{self.requests(current)} {self.span(span)} — столько же, сколько {self.span(previous_span)}."

    def window_slightly_more(self, *, current: int, span: Span, previous: int, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)} — немного больше, чем {self.requests(previous)} "
                f"{self.span(previous_span)}.")

    def window_slightly_fewer(self, *, current: int, span: Span, previous: int, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)} — немного меньше, чем {self.requests(previous)} "
                f"{self.span(previous_span)}.")

    def window_increase(self, *, current: int, span: Span, pct: int, previous: int, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)} — на {self.num(pct)}% больше, чем "
                f"{self.requests(previous)} {self.span(previous_span)}.")

    def window_decrease(self, *, current: int, span: Span, pct: int, previous: int, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)} — на {self.num(pct)}% меньше, чем "
                f"{self.requests(previous)} {self.span(previous_span)}.")

    # The highest and the lowest month --------------------------------------------

    def extremes_flat(self, *, since: date, count: int) -> str:
        return f"С {self.gen(since, with_year=True)} в каждом месяце — {self.requests(count)}."

    def extremes(self, *, since: date, highest: list[date], most: int, lowest: list[date], fewest: int) -> str:
        return (f"Больше всего запросов с {self.gen(since, with_year=True)} — {self.in_months(highest)} "
                f"({self.num(most)}), меньше всего — {self.in_months(lowest)} ({self.num(fewest)}).")

    # The report month among the others ---------------------------------------------

    def month_first(self, *, month: date, count: int) -> str:
        return f"{self.nom(month).capitalize()}: {self.requests(count)} — первый месяц наблюдений."

    def month_all_same(self, *, month: date, count: int, rank: int, months: int) -> str:
        return self.standing(month, count, "столько же, сколько в любом другом месяце", rank, months)

    def month_most(self, *, month: date, count: int, rank: int, months: int) -> str:
        return self.standing(month, count, "больше, чем в любом другом месяце", rank, months)

    def month_fewest(self, *, month: date, count: int, rank: int, months: int) -> str:
        return self.standing(month, count, "меньше, чем в любом другом месяце", rank, months)

    def month_equal_then_more(self, *, month: date, count: int, equal: list[date], rank: int, months: int) -> str:
        comparison = f"столько же, сколько {self.in_months(equal)}, и больше, чем в любом другом месяце"
        return self.standing(month, count, comparison, rank, months)

    def month_equal_then_fewer(self, *, month: date, count: int, equal: list[date], rank: int, months: int) -> str:
        comparison = f"столько же, сколько {self.in_months(equal)}, и меньше, чем в любом другом месяце"
        return self.standing(month, count, comparison, rank, months)

    def month_between(self, *, month: date, count: int, above: list[date], rank: int, months: int) -> str:
        comparison = f"меньше, чем {self.in_months(above)}, но больше, чем в любом другом месяце"
        return self.standing(month, count, comparison, rank, months)

    def month_between_with_equal(
        self, *, month: date, count: int, above: list[date], equal: list[date], rank: int, months: int
    ) -> str:
        comparison = (f"меньше, чем {self.in_months(above)}, столько же, сколько {self.in_months(equal)}, "
                      "и больше, чем в любом другом месяце")
        return self.standing(month, count, comparison, rank, months)

    def standing(self, month: date, count: int, comparison: str, rank: int, months: int) -> str:
        return (f"{self.nom(month).capitalize()}: {self.requests(count)} — {comparison} "
                f"({self.num(rank)}-е место из {self.num(months)}).")

    # The month before the report month ---------------------------------------------

    def month_before_zero_before(self, *, before: date) -> str:
        return f"В {self.prep(before)} запросов не было."

    def month_before_same(self, *, before: date) -> str:
        return f"Это столько же, сколько в {self.prep(before)}."

    def month_before_slightly_more(self, *, before: date, last: int) -> str:
        return f"Это немного больше, чем в {self.prep(before)} ({self.num(last)})."

    def month_before_slightly_fewer(self, *, before: date, last: int) -> str:
        return f"Это немного меньше, чем в {self.prep(before)} ({self.num(last)})."

    def month_before_increase(self, *, before: date, last: int, pct: int) -> str:
        return f"Это на {self.num(pct)}% больше, чем в {self.prep(before)} ({self.num(last)})."

    def month_before_decrease(self, *, before: date, last: int, pct: int) -> str:
        return f"Это на {self.num(pct)}% меньше, чем в {self.prep(before)} ({self.num(last)})."

    # Everything since the start --------------------------------------------------------

    def total_none(self, *, since: date) -> str:
        return f"С {self.gen(since, with_year=True)} запросов не было."

    def total_all_in_window(self, *, total: int, since: date) -> str:
        return f"{self.requests(total)} с {self.gen(since, with_year=True)}."

    def total_with_share(self, *, total: int, since: date, share: float, span: Span) -> str:
        of = "из него" if total == 1 else "из них"
        return (f"{self.requests(total)} с {self.gen(since, with_year=True)}; {self.pct(share)}% {of} — "
                f"{self.span(span)}.")

    # Grammar -------------------------------------------------------------------------

    def num(self, n: int) -> str:
        return f"{n:,}".replace(",", NBSP)

    def pct(self, value: float) -> str:
        return f"{value:.1f}".replace(".", ",")

    def requests(self, n: int) -> str:
        return f"{self.num(n)} {ru_plural(n, 'запрос', 'запроса', 'запросов')}"

    def year(self, month: date) -> str:
        return f" {month.year}{NBSP}года"

    def gen(self, month: date, with_year: bool | None = None) -> str:
        """(с) ноября; ноября 2023 года."""
        with_year = self.with_years if with_year is None else with_year
        return GENITIVE[month.month - 1] + (self.year(month) if with_year else "")

    def nom(self, month: date, with_year: bool | None = None) -> str:
        """(по) ноябрь; ноябрь 2023 года."""
        with_year = self.with_years if with_year is None else with_year
        return NOMINATIVE[month.month - 1] + (self.year(month) if with_year else "")

    def prep(self, month: date) -> str:
        """(в) ноябре; ноябре 2023 года."""
        return PREPOSITIONAL[month.month - 1] + (self.year(month) if self.with_years else "")

    def in_months(self, months: list[date]) -> str:
        """в октябре; в октябре и ноябре; в 4 других месяцах."""
        if len(months) > MAX_NAMED_MONTHS:
            return f"в {self.num(len(months))} других {ru_plural(len(months), 'месяце', 'месяцах', 'месяцах')}"
        labels = [self.prep(m) for m in months]
        joined = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} и {labels[-1]}"
        return f"в {joined}"

    def span(self, span: Span) -> str:
        """в ноябре; с сентября по ноябрь (2023 года); с декабря 2023 года по февраль 2024 года."""
        if span.first == span.last:
            return f"в {self.prep(span.first)}"
        if self.with_years and span.first.year == span.last.year:
            return f"с {self.gen(span.first, False)} по {self.nom(span.last, False)}{self.year(span.first)}"
        return f"с {self.gen(span.first)} по {self.nom(span.last)}"
