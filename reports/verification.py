"""Verification for auditors: is the data under a report still what it was made from,
and if not, what changed (`report_check_data`)?

Both sides are the canonical grouped counts of `document.fingerprint_basis`: the ones
the report kept when it was made (`Report.basis`), and the ones `intake.counts` gives
now. Counts only, so the comparison can say which months and categories changed, by
how much, and never anything about a single request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from intake.counts import count_rows, first_month
from intake.models import Category, Outcome, Status

from .document import fingerprint_basis, fingerprint_of
from .models import Report

# (status, outcome, month closed) -> requests, within one month received and category
Mix = dict[tuple[str, str, str], int]


@dataclass(frozen=True)
class Detail:
    """How many requests of one status (and, closed, one outcome and month closed)
    there were, and are."""

    status: str
    outcome: str
    closed_month: str
    before: int
    now: int

    @property
    def status_label(self) -> str:
        return Status(self.status).label if self.status in Status.values else self.status

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label).lower() if self.outcome in Outcome.values else self.outcome


@dataclass(frozen=True)
class GroupChange:
    """The requests received in one month and category, then and now."""

    month: str
    category: str
    before: int
    now: int
    details: list[Detail]

    @property
    def difference(self) -> int:
        return self.now - self.before

    @property
    def signed_difference(self) -> str:
        """+3, −1 (a minus sign, not a hyphen) or 0."""
        return f"+{self.difference}" if self.difference > 0 else f"\u2212{-self.difference}" if self.difference else "0"

    @property
    def category_label(self) -> str:
        return Category(self.category).label if self.category in Category.values else self.category


@dataclass(frozen=True)
class DataCheck:
    report: Report
    fingerprint_now: str
    # None when the report was made before reports kept their counts: then only the
    # fingerprints can be compared.
    changes: list[GroupChange] | None
    first_before: str | None
    first_now: str

    @property
    def unchanged(self) -> bool:
        return self.fingerprint_now == self.report.fingerprint


def report_check_data(*, report: Report) -> DataCheck:
    """Recompute the ready `report`'s fingerprint from the data as it stands and, if
    the report kept its counts, list what changed since it was made."""
    start = first_month(report.programme)
    now = fingerprint_basis(count_rows(programme=report.programme, until=report.month), first=start,
                            until=report.month)
    before = report.basis
    return DataCheck(
        report=report,
        fingerprint_now=fingerprint_of(now),
        changes=basis_changes(before, now) if before is not None else None,
        first_before=before["first"] if before is not None else None,
        first_now=now["first"],
    )


def basis_changes(before: dict[str, Any], now: dict[str, Any]) -> list[GroupChange]:
    """The months and categories whose requests differ between two sets of grouped
    counts, in month order then category order, each with the statuses that changed."""
    old, new = _by_group(before["rows"]), _by_group(now["rows"])
    order = {code: i for i, code in enumerate(Category.values)}
    changes = []
    for month, category in sorted(old.keys() | new.keys(), key=lambda key: (key[0], order.get(key[1], 99), key[1])):
        was, is_ = old.get((month, category), {}), new.get((month, category), {})
        if was == is_:
            continue
        details = [
            Detail(*kind, before=was.get(kind, 0), now=is_.get(kind, 0))
            for kind in sorted(was.keys() | is_.keys(), key=_kind_order)
            if was.get(kind, 0) != is_.get(kind, 0)
        ]
        changes.append(GroupChange(month, category, sum(was.values()), sum(is_.values()), details))
    return changes


def _by_group(rows: list[list]) -> dict[tuple[str, str], Mix]:
    groups: dict[tuple[str, str], Mix] = {}
    for month, category, status, outcome, closed_month, n in rows:
        mix = groups.setdefault((month, category), {})
        mix[(status, outcome, closed_month)] = mix.get((status, outcome, closed_month), 0) + n
    return groups


def _kind_order(kind: tuple[str, str, str]) -> tuple:
    status, outcome, closed_month = kind
    statuses, outcomes = Status.values, Outcome.values
    return (
        statuses.index(status) if status in statuses else len(statuses),
        outcomes.index(outcome) if outcome in outcomes else len(outcomes),
        closed_month,
    )
