"""The wording of the report sentences: one phrasebook per language.

`en.py` and `ru.py` are where every word of the sentences lives. Each phrasebook has one
method per kind of sentence in the plan (`reports/narrative.py`, `sentence_plan`), named
after the kind and taking the values the plan gives it, and beside them the grammar
those phrases need. To fix a wording, edit that kind's method; to say something new,
add a kind to the plan and a method to every phrasebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

# A count as a document holds it: an int, or in a partner or public document "<10"
# (reports.disclosure.SUPPRESSED) or "[c]" (WITHHELD).
Count = int | str

# More months than this in a list reads as a roll-call ("33 months the fewest: April,
# May, ..."), so the sentence gives a count instead.
MAX_NAMED_MONTHS = 3


@dataclass(frozen=True)
class Sentence:
    """One sentence of the plan: its kind (a phrase of every phrasebook) and the
    values it states."""

    kind: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Span:
    """A run of months, first and last included."""

    first: date
    last: date


class Phrasebook:
    """Words the sentences of a plan in one language."""

    def __init__(self, *, with_years: bool, rounded: bool = False) -> None:
        # Once a report's series covers two calendar years, months are named with theirs.
        self.with_years = with_years
        # A partner or public document: its counts are rounded to 5, said "about 575".
        self.rounded = rounded

    def say(self, sentence: Sentence) -> str:
        text = getattr(self, sentence.kind)(**sentence.values)
        return text[:1].upper() + text[1:]  # "about 575 requests ..." starts a sentence

    @staticmethod
    def named(months: list[date]) -> bool:
        """Whether a list of months is short enough to name each one."""
        return len(months) <= MAX_NAMED_MONTHS
