"""The report sentences in Russian: every phrase, then the grammar they need (month
names in three cases, three plural forms, non-breaking spaces in numbers and years)."""

from __future__ import annotations

from datetime import date

from reports.disclosure import SUPPRESSED, WITHHELD

from . import Count, Phrasebook, Span

# Month names in the cases the sentences need: "ноябрь" (nominative, also after
# "по"), "с ноября" (genitive), "в ноябре" (prepositional).
NOMINATIVE = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
              "октябрь", "ноябрь", "декабрь")
GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
            "октября", "ноября", "декабря")
PREPOSITIONAL = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре",
                 "октябре", "ноябре", "декабре")
NBSP = "\u00a0"
# Fractions after "больше", "около", "меньше" (genitive) and after "почти" (nominative).
FRACTIONS_GENITIVE = {"tenth": "десятой части", "fifth": "пятой части", "quarter": "четверти", "third": "трети",
                      "half": "половины", "two_thirds": "двух третей", "three_quarters": "трёх четвертей",
                      "nine_tenths": "девяти десятых"}
FRACTIONS_NOMINATIVE = {"tenth": "десятая часть", "fifth": "пятая часть", "quarter": "четверть", "third": "треть",
                        "half": "половина", "two_thirds": "две трети", "three_quarters": "три четверти",
                        "nine_tenths": "девять десятых", "all": "все"}
PORTIONS = {"more": "больше {}", "about": "около {}", "less": "меньше {}"}
# "этой осенью": when, in the instrumental case.
SEASONS = {"spring": "этой весной", "summer": "этим летом", "autumn": "этой осенью", "winter": "этой зимой"}


def ru_plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian plural form for n: 1, 21 запрос; 2-4, 22 запроса; 5-20, 11-14 запросов."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def upper_first(text: str) -> str:
    """The first letter in capitals, the rest as it is (str.capitalize lowers the rest)."""
    return text[:1].upper() + text[1:]


class Russian(Phrasebook):
    # The current window against the one before ---------------------------------

    def window(self, *, current: int, span: Span) -> str:
        return f"{self.requests(current)} {self.span(span)}."

    def window_zero_before(self, *, current: int, span: Span, previous_span: Span) -> str:
        return f"{self.requests(current)} {self.span(span)}; {self.span(previous_span)} запросов не было."

    def window_same(self, *, current: int, span: Span, previous_span: Span) -> str:
        if current == 0:
            return f"{upper_first(self.span(span))} запросов не было, как и {self.span(previous_span)}."
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

    def window_about_same(self, *, current: Count, span: Span, previous: Count, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)} — примерно столько же, сколько "
                f"{self.span(previous_span)} ({self.amount(previous)}).")

    def window_unknown(self, *, current: Count, span: Span, previous: Count, previous_span: Span) -> str:
        return f"{self.requests(current)} {self.span(span)}; {self.span(previous_span)} — {self.amount(previous)}."

    # The highest and the lowest month --------------------------------------------

    def extremes_flat(self, *, since: date, count: int) -> str:
        return f"С {self.gen(since, with_year=True)} в каждом месяце — {self.requests(count)}."

    def extremes(self, *, since: date, highest: list[date], most: int, lowest: list[date], fewest: int) -> str:
        top = (f"Больше всего запросов с {self.gen(since, with_year=True)} — {self.group(highest)} "
               f"({self.each(most, highest)})")
        if fewest == 0:
            return f"{top}, а {self.group(lowest)} запросов не было."
        return f"{top}, меньше всего — {self.group(lowest)} ({self.each(fewest, lowest)})."

    def extremes_highest(self, *, since: date, highest: list[date], most: Count) -> str:
        return (f"Больше всего запросов с {self.gen(since, with_year=True)} — {self.group(highest)} "
                f"({self.each(most, highest)}).")

    # The report month among the others ---------------------------------------------

    def month_first(self, *, month: date, count: int) -> str:
        if count == 0:
            return f"В {self.prep(month, with_year=True)}, первом месяце наблюдений, запросов не было."
        return f"{self.requests(count)} в {self.prep(month, with_year=True)}, первом месяце наблюдений."

    def month_most(self, *, month: date, count: int, rank: int, months: int) -> str:
        return self.standing(month, count, "больше, чем в любом другом месяце", rank, months)

    def month_fewest(self, *, month: date, count: int, rank: int, months: int) -> str:
        return self.standing(month, count, "меньше, чем в любом другом месяце", rank, months)

    def month_equal_then_more(
        self, *, month: date, count: int, equal: list[date], below: list[date], rank: int, months: int
    ) -> str:
        comparison = f"столько же, сколько {self.others(equal)}, и больше, чем {self.rest(below, equal)}"
        return self.standing(month, count, comparison, rank, months, shared=True)

    def month_equal_then_fewer(
        self, *, month: date, count: int, equal: list[date], above: list[date], rank: int, months: int
    ) -> str:
        comparison = f"столько же, сколько {self.others(equal)}, и меньше, чем {self.rest(above, equal)}"
        return self.standing(month, count, comparison, rank, months, shared=True)

    def month_between(
        self, *, month: date, count: int, above: list[date], below: list[date], rank: int, months: int
    ) -> str:
        comparison = f"меньше, чем {self.group(above)}, но больше, чем {self.rest(below, above)}"
        return self.standing(month, count, comparison, rank, months)

    def month_between_with_equal(
        self, *, month: date, count: int, above: list[date], equal: list[date], below: list[date], rank: int,
        months: int,
    ) -> str:
        comparison = (f"меньше, чем {self.group(above)}, столько же, сколько {self.others(equal)}, "
                      f"и больше, чем {self.rest(below, above, equal)}")
        return self.standing(month, count, comparison, rank, months, shared=True)

    def month_rank(self, *, month: date, count: Count, rank: int, months: int) -> str:
        return (f"{upper_first(self.nom(month))}: {self.requests(count)} "
                f"({self.num(rank)}-е место из {self.num(months)}).")

    def month_only(self, *, month: date, count: Count) -> str:
        return f"{upper_first(self.nom(month))}: {self.requests(count)}."

    def standing(self, month: date, count: int, comparison: str, rank: int, months: int, shared: bool = False) -> str:
        place = f"{'делит ' if shared else ''}{self.num(rank)}-е место из {self.num(months)}"
        return f"{upper_first(self.nom(month))}: {self.requests(count)} — {comparison} ({place})."

    # The month before the report month ---------------------------------------------

    def month_before_zero_before(self, *, before: date) -> str:
        return f"В {self.prep(before)} запросов не было."

    def month_before_same(self, *, before: date) -> str:
        return f"Это столько же, сколько в {self.prep(before)}."

    def month_before_slightly_more(self, *, before: date, last: int) -> str:
        return f"Это немного больше, чем в {self.prep(before)} ({self.amount(last)})."

    def month_before_slightly_fewer(self, *, before: date, last: int) -> str:
        return f"Это немного меньше, чем в {self.prep(before)} ({self.amount(last)})."

    def month_before_increase(self, *, before: date, last: int, pct: int) -> str:
        return f"Это на {self.num(pct)}% больше, чем в {self.prep(before)} ({self.amount(last)})."

    def month_before_decrease(self, *, before: date, last: int, pct: int) -> str:
        return f"Это на {self.num(pct)}% меньше, чем в {self.prep(before)} ({self.amount(last)})."

    def month_before_about_same(self, *, before: date, last: Count) -> str:
        return f"Это примерно столько же, сколько в {self.prep(before)} ({self.amount(last)})."

    def month_before_unknown(self, *, before: date, last: Count) -> str:
        if last == WITHHELD:
            return f"Число запросов в {self.prep(before)} скрыто."
        return f"В {self.prep(before)} — {self.requests(last)}."

    # Everything since the start --------------------------------------------------------

    def total_none(self, *, since: date) -> str:
        return f"С {self.gen(since, with_year=True)} запросов не было."

    def total_withheld(self, *, since: date) -> str:
        return f"Число запросов с {self.gen(since, with_year=True)} скрыто."

    def total_all_in_window(self, *, total: int, about: tuple[str, int] | None, since: date) -> str:
        return f"{self.total(total, about)} с {self.gen(since, with_year=True)}{self.exactly(total, about)}."

    def total_with_share(
        self, *, total: int, about: tuple[str, int] | None, since: date, share: int | None,
        portion: tuple[str, str], span: Span, season: str | None,
    ) -> str:
        said = f"{self.total(total, about)} с {self.gen(since, with_year=True)}{self.exactly(total, about)}"
        where = SEASONS[season] if season else self.span(span)
        qualifier, fraction = portion
        if qualifier == "none":
            return f"{said}; {where} запросов не было."
        if qualifier == "all":
            return f"{said}, {'он' if total == 1 else 'все'} — {where}."
        pct = f" ({self.num(share)}%)" if share is not None else ""
        of = "из него" if total == 1 else "из них"
        return f"{said}, {self.portion(portion)} {of}{pct} — {where}."

    # The key figures (cards) and the chart, which always name years ----------------

    def card_requests(self, *, count: int, span: Span) -> str:
        return f"{self.noun(count)} {self.span(span)}"

    def card_no_previous(self, *, length: int) -> str:
        return f"{self.previous_genitive(length)} нет в данных"

    def card_change(self, *, change: str, length: int) -> str:
        before = self.previous(length)
        if change in ("increase", "slightly_more"):
            return f"больше, чем за {before}"
        if change in ("decrease", "slightly_fewer"):
            return f"меньше, чем за {before}"
        if change == "same":
            return f"столько же, сколько за {before}"
        if change == "zero_before":
            return f"за {before} запросов не было"
        return f"{self.previous_genitive(length)} для сравнения нет"

    def card_since(self, *, count: int, since: date) -> str:
        return f"{self.noun(count)} с {self.gen(since)}"

    def card_most(self, *, count: int, months: list[date]) -> str:
        return f"больше всего запросов ({self.each(count, months)})"

    def card_fewest(self, *, count: int, months: list[date]) -> str:
        return "без запросов" if count == 0 else f"меньше всего запросов ({self.each(count, months)})"

    def card_month(self, *, count: Count, month: date, rank: int | None, months: int, shared: bool) -> str:
        if rank is None:
            return f"{self.noun(count)} в {self.prep(month)}"
        return (f"{self.noun(count)} в {self.prep(month)}, {'делит ' if shared else ''}{self.num(rank)}-е место "
                f"из {self.num(months)}")

    def card_most_left_out(self) -> str:
        return "месяц, когда запросов было больше всего, не указан, чтобы не указать на малое число"

    def card_fewest_left_out(self) -> str:
        return "месяц, когда запросов было меньше всего, не указан, чтобы не указать на малое число"

    def card_share(self, *, since: date, span: Span) -> str:
        return f"всех запросов с {self.gen(since)} — {self.span(span)}"

    def chart_title(self, *, span: Span) -> str:
        return f"Запросы по месяцам {self.span(span)}"

    # Grammar -------------------------------------------------------------------------

    def num(self, n: int) -> str:
        return f"{n:,}".replace(",", NBSP)

    def decimal(self, value: float) -> str:
        return f"{value:,.1f}".replace(",", NBSP).replace(".", ",")

    def figure(self, n: Count) -> str:
        """A count standing alone, as a published document has it: 575; менее 10; скрыто."""
        if n == SUPPRESSED:
            return "менее 10"
        if n == WITHHELD:
            return "скрыто"
        return self.num(n)

    def amount(self, n: Count) -> str:
        """A count in a sentence: 577; около 575 (rounded to 5); менее 10; скрытое число."""
        if n == SUPPRESSED:
            return "менее 10"
        if n == WITHHELD:
            return "скрытое число"
        return f"около {self.num(n)}" if self.rounded and n >= 10 else self.num(n)

    def noun(self, n: Count) -> str:
        # After "менее 10", "около 575" (a multiple of 5) and "скрытое число": the genitive plural.
        if not isinstance(n, int) or self.rounded and n >= 10:
            return "запросов"
        return ru_plural(n, "запрос", "запроса", "запросов")

    def requests(self, n: Count) -> str:
        return f"{self.amount(n)} {self.noun(n)}"

    def previous(self, length: int) -> str:
        """(за) предыдущий месяц; (за) предыдущие 3 месяца."""
        if length == 1:
            return "предыдущий месяц"
        return f"предыдущие {self.num(length)} {ru_plural(length, 'месяц', 'месяца', 'месяцев')}"

    def previous_genitive(self, length: int) -> str:
        """(нет) предыдущего месяца; (нет) предыдущих 3 месяцев."""
        if length == 1:
            return "предыдущего месяца"
        return f"предыдущих {self.num(length)} {ru_plural(length, 'месяца', 'месяцев', 'месяцев')}"

    def label(self, months: list[date]) -> str:
        """Months standing alone: Октябрь 2023; Сентябрь и октябрь 2023; 33 месяца."""
        if not self.named(months):
            n = len(months)
            return f"{self.num(n)} {ru_plural(n, 'месяц', 'месяца', 'месяцев')}"
        if len({m.year for m in months}) > 1:
            names = [f"{NOMINATIVE[m.month - 1]} {m.year}" for m in months]
            return upper_first(names[0] if len(names) == 1 else f"{', '.join(names[:-1])} и {names[-1]}")
        names = [NOMINATIVE[m.month - 1] for m in months]
        joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} и {names[-1]}"
        return f"{upper_first(joined)} {months[0].year}"

    def total(self, n: int, about: tuple[str, int] | None) -> str:
        """1 017 запросов; Более 1 000 запросов (at the start of a sentence)."""
        if about is None:
            return self.requests(n)
        qualifier, rounded = about
        return f"{'Более' if qualifier == 'over' else 'Почти'} {self.num(rounded)} {ru_plural(rounded, 'запроса', 'запросов', 'запросов')}"

    def exactly(self, n: int, about: tuple[str, int] | None) -> str:
        """The exact total beside the round one: " (1 017)"."""
        return f" ({self.amount(n)})" if about else ""

    def portion(self, portion: tuple[str, str]) -> str:
        """больше половины; около трети; почти десятая часть; почти все."""
        qualifier, fraction = portion
        if qualifier == "almost":
            return f"почти {FRACTIONS_NOMINATIVE[fraction]}"
        return PORTIONS[qualifier].format(FRACTIONS_GENITIVE[fraction])

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

    def prep(self, month: date, with_year: bool | None = None) -> str:
        """(в) ноябре; ноябре 2023 года."""
        with_year = self.with_years if with_year is None else with_year
        return PREPOSITIONAL[month.month - 1] + (self.year(month) if with_year else "")

    def in_months(self, months: list[date]) -> str:
        """в октябре; в октябре и ноябре; в сентябре, октябре и ноябре."""
        labels = [self.prep(m) for m in months]
        joined = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} и {labels[-1]}"
        return f"в {joined}"

    def months_count(self, n: int) -> str:
        """(в) 9 месяцах; (в) 21 месяце."""
        return f"{self.num(n)} {ru_plural(n, 'месяце', 'месяцах', 'месяцах')}"

    def group(self, months: list[date]) -> str:
        """The months by name, or how many they are when they are many: "в 9 месяцах"."""
        return self.in_months(months) if self.named(months) else f"в {self.months_count(len(months))}"

    def others(self, months: list[date]) -> str:
        """Months other than the report month: by name, or "в 32 других месяцах"."""
        if self.named(months):
            return self.in_months(months)
        n = len(months)
        return f"в {self.num(n)} {ru_plural(n, 'другом', 'других', 'других')} {ru_plural(n, 'месяце', 'месяцах', 'месяцах')}"

    def rest(self, months: list[date], *before: list[date]) -> str:
        """The months left after those already said: "в любом другом месяце" when those
        were named, else by name or "в остальных 33"."""
        if all(self.named(said) for said in before):
            return "в любом другом месяце"
        return self.in_months(months) if self.named(months) else f"в остальных {self.num(len(months))}"

    def each(self, count: int, months: list[date]) -> str:
        """218; по 9 (when months are tied)."""
        if len(months) > 1:
            return f"около {self.num(count)} в каждом" if self.rounded and count >= 10 else f"по {self.num(count)}"
        return self.amount(count)

    def period(self, span: Span) -> str:
        """Months heading a table's row: Ноябрь 2023; Сентябрь — ноябрь 2023;
        Декабрь 2023 — февраль 2024."""
        first, last = NOMINATIVE[span.first.month - 1], NOMINATIVE[span.last.month - 1]
        if span.first == span.last:
            return f"{upper_first(first)} {span.first.year}"
        if span.first.year == span.last.year:
            return f"{upper_first(first)} — {last} {span.first.year}"
        return f"{upper_first(first)} {span.first.year} — {last} {span.last.year}"

    def span(self, span: Span) -> str:
        """в ноябре; с сентября по ноябрь (2023 года); с декабря 2023 года по февраль 2024 года."""
        if span.first == span.last:
            return f"в {self.prep(span.first)}"
        if self.with_years and span.first.year == span.last.year:
            return f"с {self.gen(span.first, False)} по {self.nom(span.last, False)}{self.year(span.first)}"
        return f"с {self.gen(span.first)} по {self.nom(span.last)}"
