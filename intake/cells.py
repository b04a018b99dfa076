"""The write path of the counts table (`MonthlyCount`): every change to requests goes
through `cells_apply`, in the transaction that changes them, and nothing else writes
the table's numbers.

Its locks are steps 5 and 6 of the lock order every writer follows (intake/locks.py):
the months' data version rows, sorted by programme and month, then the count cells.
"""

import datetime as dt
from collections import Counter
from collections.abc import Mapping

from django.db.models import F, Q

from .models import Cell, CountsOutOfStep, DataVersion, MonthLocks, MonthlyCount, MonthWriter, User

# A few hundred cells an UPDATE: SQLite refuses a WHERE nested deeper than 1,000.
CELLS_PER_UPDATE = 200


def cells_apply(deltas: Mapping[Cell, int], *, by: User | None, check_locks: bool = True) -> None:
    """Add each delta to its cell's number of requests, mark the months touched as
    changed, and note `by` (the acting account; None for the command line, the
    schedule and the worker) as a writer of each month whose own cells change
    (MonthWriter), in the caller's transaction.

    The months' data versions are bumped first, in a fixed order: that locks them, so
    writers of the same programme and month wait for each other there (and never
    deadlock), and the cells below are then changed by one writer at a time. The
    numbers are changed in the database (`requests + n`), never read into Python.

    MonthLocked, and nothing saved, if the change would alter a month under review or
    accepted (MonthLocks); only check_counts --fix, which makes the table tell the
    truth about requests already stored, passes check_locks=False."""
    deltas = {cell: n for cell, n in deltas.items() if n}
    if not deltas:
        return
    DataVersion.objects.bump(sorted({(cell.programme_id, cell.month) for cell in deltas}))
    if check_locks:
        # After the bump: a review that locks a month holds the same rows first
        # (MonthReview.hold_months), so what is read here is what it committed.
        MonthLocks().refuse(deltas)
    # A cell gains its row (at 0) the first time a request enters it; rows are kept
    # at 0 afterwards, and readers skip them.
    MonthlyCount.objects.bulk_create(
        [MonthlyCount(**cell._asdict(), requests=0) for cell, n in sorted(deltas.items()) if n > 0],
        ignore_conflicts=True,
    )
    for chunk, changed in _add("requests", deltas):
        # Going below 0 breaks the check constraint: the transaction fails instead.
        if changed != len(chunk):
            raise CountsOutOfStep(f"{len(chunk) - changed} cell(s) to take requests from are missing")
    MonthWriter.objects.note(by, cells_months(deltas))


def cells_months(cells) -> set[tuple[int, dt.date]]:
    """The (programme id, month) whose own cells these are: the month each request was
    received in, and the month it was closed in (month_changed's "cells")."""
    months = {(cell.programme_id, cell.month) for cell in cells}
    return months | {(cell.programme_id, cell.closed_month) for cell in cells if cell.closed_month}


def cells_add_collapsed(cells: Counter) -> None:
    """Note that `cells` hold that many more requests as counts only (their rows were
    just deleted): their numbers of requests do not change."""
    for _done in _add("collapsed", cells):
        continue


def _add(field: str, deltas: Mapping[Cell, int]):
    """Add each delta to `field` of its cell, one UPDATE for each few hundred cells that
    take the same delta; yields each chunk of cells and how many rows it changed."""
    by_delta: dict[int, list[Cell]] = {}
    for cell, n in deltas.items():
        by_delta.setdefault(n, []).append(cell)
    for n, cells in by_delta.items():
        for start in range(0, len(cells), CELLS_PER_UPDATE):
            chunk = cells[start:start + CELLS_PER_UPDATE]
            matching = Q()
            for cell in chunk:
                matching |= Q(**cell._asdict())
            yield chunk, MonthlyCount.objects.filter(matching).update(**{field: F(field) + n})
