"""The report sentences in English: every phrase, then the grammar they need."""

from __future__ import annotations

from datetime import date

from . import MAX_NAMED_MONTHS, Phrasebook, Span

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


class English(Phrasebook):
    # The current window against the one before ---------------------------------

    def window(self, *, current: int, span: Span) -> str:
        return f"{self.requests(current)} {self.span(span)}."

    def window_zero_before(self, *, current: int, span: Span, previous_span: Span) -> str:
        return f"{self.requests(current)} {self.span(span)}, compared with none {self.span(previous_span)}."

    def window_same(self, *, current: int, span: Span, previous_span: Span) -> str:
        return f"{self.requests(current)} {self.span(span)}, the same number as {self.span(previous_span)}."

    def window_slightly_more(self, *, current: int, span: Span, previous: int, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)}, slightly more than the {self.num(previous)} "
                f"received {self.span(previous_span)}.")

    def window_slightly_fewer(self, *, current: int, span: Span, previous: int, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)}, slightly fewer than the {self.num(previous)} "
                f"received {self.span(previous_span)}.")

    def window_increase(self, *, current: int, span: Span, pct: int, previous: int, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)}, {self.a(pct)} {self.num(pct)}% increase on the "
                f"{self.num(previous)} received {self.span(previous_span)}.")

    def window_decrease(self, *, current: int, span: Span, pct: int, previous: int, previous_span: Span) -> str:
        return (f"{self.requests(current)} {self.span(span)}, {self.a(pct)} {self.num(pct)}% decrease on the "
                f"{self.num(previous)} received {self.span(previous_span)}.")

    # The highest and the lowest month --------------------------------------------

    def extremes_flat(self, *, since: date, count: int) -> str:
        return f"Every month since {self.name(since, year=True)} had {self.requests(count)}."

    def extremes(self, *, since: date, highest: list[date], most: int, lowest: list[date], fewest: int) -> str:
        return (f"{self.names(highest)} had the most requests since {self.name(since, year=True)} "
                f"({self.num(most)}); {self.names(lowest)} the fewest ({self.num(fewest)}).")

    # The report month among the others ---------------------------------------------

    def month_first(self, *, month: date, count: int) -> str:
        return f"{self.name(month)}: {self.requests(count)}, the first month on record."

    def month_all_same(self, *, month: date, count: int, rank: int, months: int) -> str:
        return self.standing(month, count, "as many as every other month", rank, months)

    def month_most(self, *, month: date, count: int, rank: int, months: int) -> str:
        return self.standing(month, count, "the most of any month", rank, months)

    def month_fewest(self, *, month: date, count: int, rank: int, months: int) -> str:
        return self.standing(month, count, "the fewest of any month", rank, months)

    def month_equal_then_more(self, *, month: date, count: int, equal: list[date], rank: int, months: int) -> str:
        return self.standing(month, count, f"as many as {self.some(equal)} and more than any other month", rank, months)

    def month_equal_then_fewer(self, *, month: date, count: int, equal: list[date], rank: int, months: int) -> str:
        return self.standing(month, count, f"as many as {self.some(equal)} and fewer than any other month", rank,
                             months)

    def month_between(self, *, month: date, count: int, above: list[date], rank: int, months: int) -> str:
        return self.standing(month, count, f"fewer than {self.some(above)} but more than any other month", rank,
                             months)

    def month_between_with_equal(
        self, *, month: date, count: int, above: list[date], equal: list[date], rank: int, months: int
    ) -> str:
        comparison = f"fewer than {self.some(above)}, as many as {self.some(equal)} and more than any other month"
        return self.standing(month, count, comparison, rank, months)

    def standing(self, month: date, count: int, comparison: str, rank: int, months: int) -> str:
        return f"{self.name(month)}: {self.requests(count)}, {comparison} (rank {self.num(rank)} of {self.num(months)})."

    # The month before the report month ---------------------------------------------

    def month_before_zero_before(self, *, before: date) -> str:
        return f"There were none in {self.name(before)}."

    def month_before_same(self, *, before: date) -> str:
        return f"That is as many as in {self.name(before)}."

    def month_before_slightly_more(self, *, before: date, last: int) -> str:
        return f"That is slightly more than in {self.name(before)} ({self.num(last)})."

    def month_before_slightly_fewer(self, *, before: date, last: int) -> str:
        return f"That is slightly fewer than in {self.name(before)} ({self.num(last)})."

    def month_before_increase(self, *, before: date, last: int, pct: int) -> str:
        return f"That is {self.num(pct)}% more than in {self.name(before)} ({self.num(last)})."

    def month_before_decrease(self, *, before: date, last: int, pct: int) -> str:
        return f"That is {self.num(pct)}% fewer than in {self.name(before)} ({self.num(last)})."

    # Everything since the start --------------------------------------------------------

    def total_none(self, *, since: date) -> str:
        return f"No requests since {self.name(since, year=True)}."

    def total_all_in_window(self, *, total: int, since: date) -> str:
        return f"{self.requests(total)} since {self.name(since, year=True)}."

    def total_with_share(self, *, total: int, since: date, share: float, span: Span) -> str:
        of = "of it" if total == 1 else "of them"
        return f"{self.requests(total)} since {self.name(since, year=True)}; {share:.1f}% {of} {self.span(span)}."

    # Grammar -------------------------------------------------------------------------

    def num(self, n: int) -> str:
        return f"{n:,}"

    def a(self, n: int) -> str:
        """The article before a spoken number: "an" for eight..., eleven..., eighteen...
        (also as thousands, millions), "a" otherwise."""
        digits = str(n)
        return "an" if digits.startswith("8") or (len(digits) % 3 == 2 and digits[:2] in ("11", "18")) else "a"

    def requests(self, n: int) -> str:
        return f"{self.num(n)} request" if n == 1 else f"{self.num(n)} requests"

    def name(self, month: date, year: bool | None = None) -> str:
        """November; November 2023 once the report spans two years (or when asked)."""
        with_year = self.with_years if year is None else year
        return f"{MONTHS[month.month - 1]} {month.year}" if with_year else MONTHS[month.month - 1]

    def names(self, months: list[date]) -> str:
        """October; September and October; July, August and October."""
        labels = [self.name(m) for m in months]
        return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"

    def some(self, months: list[date]) -> str:
        return f"{self.num(len(months))} other months" if len(months) > MAX_NAMED_MONTHS else self.names(months)

    def span(self, span: Span) -> str:
        """in November; between September and November (2023); between December 2023 and February 2024."""
        if span.first == span.last:
            return f"in {self.name(span.first)}"
        if self.with_years and span.first.year == span.last.year:
            return f"between {self.name(span.first, False)} and {self.name(span.last, False)} {span.first.year}"
        return f"between {self.name(span.first)} and {self.name(span.last)}"
