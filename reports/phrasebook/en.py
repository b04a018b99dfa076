"""The report sentences in English: every phrase, then the grammar they need."""

from __future__ import annotations

from datetime import date

from reports.disclosure import SUPPRESSED, WITHHELD

from . import Count, Phrasebook, Span

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
FRACTIONS = {"tenth": "a tenth", "fifth": "a fifth", "quarter": "a quarter", "third": "a third", "half": "half",
             "two_thirds": "two thirds", "three_quarters": "three quarters", "nine_tenths": "nine tenths",
             "all": "all"}
PORTIONS = {"more": "more than {}", "about": "about {}", "almost": "almost {}", "less": "less than {}"}


class English(Phrasebook):
    # The current window against the one before ---------------------------------

    def window(self, *, current: int, span: Span) -> str:
        return f"{self.requests(current)} {self.span(span)}."

    def window_zero_before(self, *, current: int, span: Span, previous_span: Span) -> str:
        return f"{self.requests(current)} {self.span(span)}, compared with none {self.span(previous_span)}."

    def window_same(self, *, current: int, span: Span, previous_span: Span) -> str:
        if current == 0:
            return f"No requests {self.span(span)}, nor {self.span(previous_span)}."
        return f"{self.requests(current)} {self.span(span)}, the same number as {self.span(previous_span)}."

    def window_slightly_more(self, *, current: int, span: Span, previous: int, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)}, slightly more than {self.the(previous)} "
                f"received {self.span(previous_span)}.")

    def window_slightly_fewer(self, *, current: int, span: Span, previous: int, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)}, slightly fewer than {self.the(previous)} "
                f"received {self.span(previous_span)}.")

    def window_increase(self, *, current: int, span: Span, pct: int, previous: int, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)}, {self.a(pct)} {self.num(pct)}% increase on "
                f"{self.the(previous)} received {self.span(previous_span)}.")

    def window_decrease(self, *, current: int, span: Span, pct: int, previous: int, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)}, {self.a(pct)} {self.num(pct)}% decrease on "
                f"{self.the(previous)} received {self.span(previous_span)}.")

    def window_about_same(self, *, current: Count, span: Span, previous: Count, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)}, about as many as {self.span(previous_span)} "
                f"({self.amount(previous)}).")

    def window_unknown(self, *, current: Count, span: Span, previous: Count, previous_span: Span) -> str:
        return f"{self.requests(current)} {self.span(span)}, against {self.amount(previous)} {self.span(previous_span)}."

    # The highest and the lowest month --------------------------------------------

    def extremes_flat(self, *, since: date, count: int) -> str:
        return f"Every month since {self.name(since, year=True)} had {self.requests(count)}."

    def extremes(self, *, since: date, highest: list[date], most: int, lowest: list[date], fewest: int) -> str:
        top = (f"{self.group(highest)} had the most requests since {self.name(since, year=True)} "
               f"({self.each(most, highest)})")
        if fewest == 0:
            bottom = f"{self.names(lowest)} had none" if self.named(lowest) else f"{self.group(lowest)} had no requests"
        elif self.named(lowest):
            bottom = f"{self.names(lowest)} the fewest ({self.each(fewest, lowest)})"
        else:
            bottom = f"{self.group(lowest)} had the fewest ({self.each(fewest, lowest)})"
        return f"{top}; {bottom}."

    def extremes_highest(self, *, since: date, highest: list[date], most: Count) -> str:
        return (f"{self.group(highest)} had the most requests since {self.name(since, year=True)} "
                f"({self.each(most, highest)}).")

    # The report month among the others ---------------------------------------------

    def month_first(self, *, month: date, count: int) -> str:
        said = "No requests" if count == 0 else self.requests(count)
        return f"{said} in {self.name(month, year=True)}, the first month on record."

    def month_most(self, *, month: date, count: int, rank: int, months: int) -> str:
        return self.standing(month, count, "the most of any month", rank, months)

    def month_fewest(self, *, month: date, count: int, rank: int, months: int) -> str:
        return self.standing(month, count, "the fewest of any month", rank, months)

    def month_equal_then_more(
        self, *, month: date, count: int, equal: list[date], below: list[date], rank: int, months: int
    ) -> str:
        comparison = f"as many as {self.others(equal)} and more than {self.rest(below, equal)}"
        return self.standing(month, count, comparison, rank, months, shared=True)

    def month_equal_then_fewer(
        self, *, month: date, count: int, equal: list[date], above: list[date], rank: int, months: int
    ) -> str:
        comparison = f"as many as {self.others(equal)} and fewer than {self.rest(above, equal)}"
        return self.standing(month, count, comparison, rank, months, shared=True)

    def month_between(
        self, *, month: date, count: int, above: list[date], below: list[date], rank: int, months: int
    ) -> str:
        comparison = f"fewer than {self.group(above)} but more than {self.rest(below, above)}"
        return self.standing(month, count, comparison, rank, months)

    def month_between_with_equal(
        self, *, month: date, count: int, above: list[date], equal: list[date], below: list[date], rank: int,
        months: int,
    ) -> str:
        comparison = (f"fewer than {self.group(above)}, as many as {self.others(equal)} "
                      f"and more than {self.rest(below, above, equal)}")
        return self.standing(month, count, comparison, rank, months, shared=True)

    def month_rank(self, *, month: date, count: Count, rank: int, months: int) -> str:
        return f"{self.name(month)}: {self.requests(count)} (rank {self.num(rank)} of {self.num(months)})."

    def month_only(self, *, month: date, count: Count) -> str:
        return f"{self.name(month)}: {self.requests(count)}."

    def standing(self, month: date, count: int, comparison: str, rank: int, months: int, shared: bool = False) -> str:
        place = f"{'shared rank' if shared else 'rank'} {self.num(rank)} of {self.num(months)}"
        return f"{self.name(month)}: {self.requests(count)}, {comparison} ({place})."

    # The month before the report month ---------------------------------------------

    def month_before_zero_before(self, *, before: date) -> str:
        return f"There were none in {self.name(before)}."

    def month_before_same(self, *, before: date) -> str:
        return f"That is as many as in {self.name(before)}."

    def month_before_slightly_more(self, *, before: date, last: int) -> str:
        return f"That is slightly more than in {self.name(before)} ({self.amount(last)})."

    def month_before_slightly_fewer(self, *, before: date, last: int) -> str:
        return f"That is slightly fewer than in {self.name(before)} ({self.amount(last)})."

    def month_before_increase(self, *, before: date, last: int, pct: int) -> str:
        return f"That is {self.num(pct)}% more than in {self.name(before)} ({self.amount(last)})."

    def month_before_decrease(self, *, before: date, last: int, pct: int) -> str:
        return f"That is {self.num(pct)}% fewer than in {self.name(before)} ({self.amount(last)})."

    def month_before_about_same(self, *, before: date, last: Count) -> str:
        return f"That is about as many as in {self.name(before)} ({self.amount(last)})."

    def month_before_unknown(self, *, before: date, last: Count) -> str:
        if last == WITHHELD:
            return f"The number of requests in {self.name(before)} is withheld."
        return f"There were {self.amount(last)} in {self.name(before)}."

    # Everything since the start --------------------------------------------------------

    def total_none(self, *, since: date) -> str:
        return f"No requests since {self.name(since, year=True)}."

    def total_withheld(self, *, since: date) -> str:
        return f"The number of requests since {self.name(since, year=True)} is withheld."

    def total_all_in_window(self, *, total: int, about: tuple[str, int] | None, since: date) -> str:
        return f"{self.total(total, about)} since {self.name(since, year=True)}{self.exactly(total, about)}."

    def total_with_share(
        self, *, total: int, about: tuple[str, int] | None, since: date, share: int | None,
        portion: tuple[str, str], span: Span, season: str | None,
    ) -> str:
        of = "of it" if total == 1 else "of them"
        pct = f" ({self.num(share)}%)" if share is not None else ""
        where = f"this {season}" if season else self.span(span)
        return (f"{self.total(total, about)} since {self.name(since, year=True)}{self.exactly(total, about)}, "
                f"{self.portion(portion)} {of}{pct} {where}.")

    # The key figures (cards) and the chart, which always name years ----------------

    def card_requests(self, *, count: int, span: Span) -> str:
        return f"{self.noun(count)} {self.span(span)}"

    def card_no_previous(self, *, length: int) -> str:
        return f"no {self.previous(length)} on record"

    def card_change(self, *, change: str, length: int) -> str:
        before = self.previous(length)
        if change in ("increase", "slightly_more"):
            return f"more than in the {before}"
        if change in ("decrease", "slightly_fewer"):
            return f"fewer than in the {before}"
        if change == "same":
            return f"the same as in the {before}"
        if change == "zero_before":
            return f"none in the {before} to compare with"
        return f"no {before} to compare with"

    def card_since(self, *, count: int, since: date) -> str:
        return f"{self.noun(count)} since {self.name(since)}"

    def card_most(self, *, count: int, months: list[date]) -> str:
        return f"the most requests ({self.each(count, months)})"

    def card_fewest(self, *, count: int, months: list[date]) -> str:
        return "with no requests" if count == 0 else f"the fewest requests ({self.each(count, months)})"

    def card_month(self, *, count: Count, month: date, rank: int | None, months: int, shared: bool) -> str:
        if rank is None:
            return f"{self.noun(count)} in {self.name(month)}"
        return (f"{self.noun(count)} in {self.name(month)}, {'shared rank' if shared else 'rank'} "
                f"{self.num(rank)} of {self.num(months)}")

    def card_most_left_out(self) -> str:
        return "the month with the most requests: not stated, so as not to point at a small count"

    def card_fewest_left_out(self) -> str:
        return "the month with the fewest requests: not stated, so as not to point at a small count"

    def card_share(self, *, since: date, span: Span) -> str:
        return f"of all requests since {self.name(since)} came {self.span(span)}"

    def chart_title(self, *, span: Span) -> str:
        return f"Requests per month {self.span(span)}"

    # Grammar -------------------------------------------------------------------------

    def num(self, n: int) -> str:
        return f"{n:,}"

    def a(self, n: int) -> str:
        """The article before a spoken number: "an" for eight..., eleven..., eighteen...
        (also as thousands, millions), "a" otherwise."""
        digits = str(n)
        return "an" if digits.startswith("8") or (len(digits) % 3 == 2 and digits[:2] in ("11", "18")) else "a"

    def decimal(self, value: float) -> str:
        return f"{value:,.1f}"

    def figure(self, n: Count) -> str:
        """A count standing alone, as a published document has it: 575; fewer than 10; withheld."""
        if n == SUPPRESSED:
            return "fewer than 10"
        if n == WITHHELD:
            return "withheld"
        return self.num(n)

    def amount(self, n: Count) -> str:
        """A count in a sentence: 577; about 575 (rounded to 5); fewer than 10; a withheld number."""
        if n == SUPPRESSED:
            return "fewer than 10"
        if n == WITHHELD:
            return "a withheld number"
        return f"about {self.num(n)}" if self.rounded and n >= 10 else self.num(n)

    def the(self, n: Count) -> str:
        """A count already named: the 305; about 305 (rounded); fewer than 10."""
        return f"the {self.num(n)}" if isinstance(n, int) and not self.rounded else self.amount(n)

    def noun(self, n: Count) -> str:
        return "request" if n == 1 else "requests"

    def requests(self, n: Count) -> str:
        return f"{self.amount(n)} of requests" if n == WITHHELD else f"{self.amount(n)} {self.noun(n)}"

    def previous(self, length: int) -> str:
        """previous month; previous 3 months."""
        return "previous month" if length == 1 else f"previous {self.num(length)} months"

    def label(self, months: list[date]) -> str:
        """Months standing alone: October 2023; September and October 2023; 33 months."""
        if not self.named(months):
            return f"{self.num(len(months))} months"
        if len({m.year for m in months}) > 1:
            return self.names(months)
        names = [MONTHS[m.month - 1] for m in months]
        joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"{joined} {months[0].year}"

    def total(self, n: int, about: tuple[str, int] | None) -> str:
        """1,017 requests; Over 1,000 requests (at the start of a sentence)."""
        if about is None:
            return self.requests(n)
        qualifier, rounded = about
        return f"{'Over' if qualifier == 'over' else 'Almost'} {self.num(rounded)} requests"

    def exactly(self, n: int, about: tuple[str, int] | None) -> str:
        """The exact total beside the round one: " (1,017)"."""
        return f" ({self.amount(n)})" if about else ""

    def portion(self, portion: tuple[str, str]) -> str:
        """more than half; about a third; almost a tenth; all; none."""
        qualifier, fraction = portion
        if qualifier in ("all", "none"):
            return qualifier
        return PORTIONS[qualifier].format(FRACTIONS[fraction])

    def name(self, month: date, year: bool | None = None) -> str:
        """November; November 2023 once the report spans two years (or when asked)."""
        with_year = self.with_years if year is None else year
        return f"{MONTHS[month.month - 1]} {month.year}" if with_year else MONTHS[month.month - 1]

    def names(self, months: list[date]) -> str:
        """October; September and October; July, August and October."""
        labels = [self.name(m) for m in months]
        return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"

    def group(self, months: list[date]) -> str:
        """The months by name, or how many they are when they are many: "9 months"."""
        return self.names(months) if self.named(months) else f"{self.num(len(months))} months"

    def others(self, months: list[date]) -> str:
        """Months other than the report month: by name, or "32 other months"."""
        return self.names(months) if self.named(months) else f"{self.num(len(months))} other months"

    def rest(self, months: list[date], *before: list[date]) -> str:
        """The months left after those already said: "any other month" when those were
        named (the reader knows which are left), else by name or "the other 33"."""
        if all(self.named(said) for said in before):
            return "any other month"
        return self.names(months) if self.named(months) else f"the other {self.num(len(months))}"

    def each(self, count: int, months: list[date]) -> str:
        """218; 9 each (when months are tied)."""
        return f"{self.amount(count)} each" if len(months) > 1 else self.amount(count)

    def period(self, span: Span) -> str:
        """Months heading a table's row: November 2023; September–November 2023;
        December 2023 – February 2024."""
        if span.first == span.last:
            return self.name(span.first, True)
        if span.first.year == span.last.year:
            return f"{self.name(span.first, False)}–{self.name(span.last, True)}"
        return f"{self.name(span.first, True)} – {self.name(span.last, True)}"

    def span(self, span: Span) -> str:
        """in November; between September and November (2023); between December 2023 and February 2024."""
        if span.first == span.last:
            return f"in {self.name(span.first)}"
        if self.with_years and span.first.year == span.last.year:
            return f"between {self.name(span.first, False)} and {self.name(span.last, False)} {span.first.year}"
        return f"between {self.name(span.first)} and {self.name(span.last)}"
