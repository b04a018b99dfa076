"""The audit's linear program as HiGHS holds it (issue 23, "Speed"), for `reports.disclosure_lp.Model.solver`.

Most of the published figures that sum many months are sums from a programme's first month: the totals since the
start, the closed and open requests at the end of a month, all programmes' totals. Written out cell by cell, each
holds every cell of every month so far, so the rows grow with the history and their cells with its square (140,000
at 40 months of three programmes, nine in ten of them in these sums). Each program then costs more in the solver's
own bookkeeping, which goes through every row each time, than in its few simplex iterations.

Here each such sum is one column instead: the running total of a programme's requests (or closings) from its first
month, tied to the month before by a row of its own (running total = the one before + this month's cells). The
counts allowed are the same, the programs' values the same; only the columns after the model's own are added, and
a solution's first columns are the cells. A row of a single count (a category or an outcome published on its own,
half the rows) becomes that count's bounds, which the simplex handles without a row. The audit reads the rows'
values at the points it keeps through the same running totals (`Program.activity`)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence

import highspy
import numpy as np
from scipy.sparse import csr_matrix

from intake.months import add_months

WIDTH = {"r": 6, "k": 8}  # a month's cells: its categories, its outcomes (reports.disclosure_lp.CATEGORIES, OUTCOMES)


class Program:
    """HiGHS holding a model's rows, with the running totals they use."""

    def __init__(self, model):
        self.model = model
        self.names = list(model.index)
        self.n = len(self.names)
        self.running: dict[tuple, int] = {}  # (the month before's running total or -1, this month's cells) -> column
        self.links: list[dict[int, float]] = []
        rows = [self.compact(form, create=True) for form in model.rows]
        # The model's rows and their bounds, for activity() and what the audit checks of its values.
        self.matrix = form_matrix(rows, self.n + len(self.running))
        self.row_lows, self.row_highs = np.array(model.lows, dtype=float), np.array(model.highs, dtype=float)
        columns = self.n + len(self.running)
        # A row of one count (a category or an outcome published on its own: half the rows) is that count's bounds.
        self.lower, self.upper = np.zeros(columns), np.full(columns, math.inf)
        lows, highs_, kept = [], [], []
        for row, low, high in zip(rows, model.lows, model.highs):
            if len(row) == 1:
                ((i, a),) = row.items()
                low, high = (low / a, high / a) if a > 0 else (high / a, low / a)
                self.lower[i], self.upper[i] = max(self.lower[i], low), min(self.upper[i], high)
            else:
                kept.append(row)
                lows.append(low)
                highs_.append(high)
        rows = kept + self.links
        lows += [0.0] * len(self.links)
        highs_ += [0.0] * len(self.links)
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("presolve", "off")  # keep the basis from one program to the next
        # Only the objective changes, so the last basis stays feasible: the primal simplex goes on from it
        # (the dual one starts again, about 5 times slower here); the small whole coefficients need no scaling.
        highs.setOptionValue("simplex_strategy", 4)
        highs.setOptionValue("simplex_scale_strategy", 0)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = columns, len(rows)
        lp.col_cost_ = np.zeros(columns)
        lp.col_lower_ = self.lower
        lp.col_upper_ = self.upper
        lp.row_lower_, lp.row_upper_ = np.array(lows, dtype=float), np.array(highs_, dtype=float)  # kHighsInf is inf
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = columns, len(rows)
        lp.a_matrix_.start_ = np.cumsum([0] + [len(form) for form in rows]).astype(np.int32)
        lp.a_matrix_.index_ = np.array([i for form in rows for i in form], dtype=np.int32)
        lp.a_matrix_.value_ = np.array([a for form in rows for a in form.values()], dtype=float)
        highs.passModel(lp)
        self.highs = highs

    def compact(self, form: dict[int, float], create: bool = False) -> dict[int, float]:
        """The form with each sum of whole months from a programme's first month, all with one coefficient, as that
        coefficient times the running total's column. Without `create`, only running totals already there."""
        blocks: dict[tuple, dict] = {}
        for i, a in form.items():
            if i < self.n:
                kind, slug, month, _code, _epoch = self.names[i]
                blocks.setdefault((kind, slug), {}).setdefault(month, []).append((i, a))
        out = dict(form)
        for (kind, slug), months in blocks.items():
            month, running, coefficient, taken = self.model.firsts.get(slug), -1, None, []
            while month in months and len(months[month]) == WIDTH[kind]:
                cells = months[month]
                if any(a != cells[0][1] for _i, a in cells) or coefficient not in (None, cells[0][1]):
                    break
                key = (running, tuple(sorted(i for i, _a in cells)))
                if key not in self.running:
                    if not create:
                        break
                    self.running[key] = self.n + len(self.running)
                    link = {self.running[key]: 1.0, **{i: -1.0 for i, _a in cells}}
                    if running >= 0:
                        link[running] = -1.0
                    self.links.append(link)
                running, coefficient = self.running[key], cells[0][1]
                taken.append(cells)
                month = add_months(month, 1)
            if len(taken) > 1:
                for cells in taken:
                    for i, _a in cells:
                        del out[i]
                out[running] = coefficient
        return out

    def activity(self, x: np.ndarray) -> np.ndarray:
        """Each model row's value at each point (columns of cells), the running totals worked out month by month
        (in the order they were made, each after the one before it)."""
        totals = np.zeros((len(self.running), x.shape[1]))
        for (before, cells), column in self.running.items():
            totals[column - self.n] = x[list(cells)].sum(axis=0) + (totals[before - self.n] if before >= 0 else 0.0)
        return self.matrix @ np.vstack([x, totals])

    @contextlib.contextmanager
    def capped(self, cap: float, n: int):
        """Each of the first n counts at most `cap` too, while the block runs (reports.disclosure_solve._optimum)."""
        columns = np.arange(n, dtype=np.int32)
        self.highs.changeColsBounds(n, columns, self.lower[:n], np.minimum(self.upper[:n], cap))
        try:
            yield
        finally:
            self.highs.changeColsBounds(n, columns, self.lower[:n], self.upper[:n])

    def add_rows(self, extra: Sequence[tuple]) -> None:
        """Rows (form, low, high) added for a while (reports.disclosure_lp.Model.holding)."""
        for form, low, high in extra:
            row = self.compact(form)
            self.highs.addRow(low, high, len(row), np.array(list(row), dtype=np.int32),
                              np.array(list(row.values()), dtype=float))


def form_matrix(forms: Sequence[dict[int, float]], columns: int) -> csr_matrix:
    """Forms ({column: coefficient}) as the rows of a sparse matrix."""
    starts = np.cumsum([0] + [len(form) for form in forms])
    return csr_matrix((np.fromiter((a for form in forms for a in form.values()), dtype=float, count=int(starts[-1])),
                       np.fromiter((i for form in forms for i in form), dtype=np.int64, count=int(starts[-1])), starts),
                      shape=(len(forms), columns))
