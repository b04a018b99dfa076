"""Setting sources' published counts side by side without adding them up (pure: no
Django, no database). A published count is a number rounded to 5 (the true count is
within 2 of it), "<10" (1 to 9), "[c]" (withheld: unknown) or 0 (exactly 0).

Several organisations' counts cannot be summed into one total: the same person may ask
several of them, so the people behind them are at least as many as the largest single
count and at most as many as the sum. `combined` gives that range, widened so that it
holds whatever true counts the published ones stand for; with a withheld count the
upper end cannot be closed (None)."""

from dataclasses import dataclass

SUPPRESSED = "<10"
WITHHELD = "[c]"
ROUNDING = 2  # a count rounded to 5 is within 2 of the true one


def bounds(value) -> tuple[int, int | None]:
    """The true counts a published one can stand for, (lowest, highest or None)."""
    if value == SUPPRESSED:
        return 1, 9
    if value == WITHHELD:
        return 0, None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"not a published count: {value!r}")
    if value == 0:
        return 0, 0
    return max(0, value - ROUNDING), value + ROUNDING


@dataclass(frozen=True)
class Range:
    low: int
    high: int | None  # None: a withheld count leaves the upper end open
    sources: int

    @property
    def closed(self) -> bool:
        return self.high is not None

    def as_dict(self) -> dict:
        return {"at_least": self.low, "at_most": self.high, "sources": self.sources}


def combined(values: list) -> Range | None:
    """Between the largest single count and the sum, widened for rounding, "<10" and
    "[c]"; None when no source has a figure."""
    present = [bounds(value) for value in values if value is not None]
    if not present:
        return None
    low = max(lowest for lowest, _highest in present)
    highs = [highest for _lowest, highest in present]
    return Range(low=low, high=None if None in highs else sum(highs), sources=len(present))
