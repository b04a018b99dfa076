"""How the audit's checks are decided with few linear programs (issue 23, "Speed"; the checks themselves and what
they mean are in `reports/disclosure_audit.py`).

A check passes when the counts can take values far enough apart (a "<10" both 1 and 9; a change both 0 or less and
0 or more), so any set of counts that satisfies every published constraint and gives it such a value proves that
side of it: a *witness*. Only the sides no witness proves need a linear program of their own, and its answer is then
exact. Where the witnesses come from changes how fast the audit is, never what it decides:

- the points of earlier runs (kept in `hints["pool"]`, by the variables' names), each checked again against every
  constraint of the model as it is now; in a trial (a run with rows of its own), the points of earlier trials too
  (`hints["trials"]`), checked against those rows as well;
- a few programs over many checks at once: the smallest (largest) sum of every check no witness proves yet on that
  side; its solution usually puts many of them at their extreme at once. These programs bound each count by `CAP`,
  which only narrows the counts allowed, so their solutions are witnesses still;
- every program solved for a single check.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from contextvars import ContextVar

import numpy as np
from scipy.sparse import csr_matrix, vstack

from .disclosure import THRESHOLD
from .disclosure_highs import form_matrix
from .disclosure_lp import Check, Infeasible, Model

SLACK = 1e-6  # rounding of the solver's answers, as `passes` rounds them
FEASIBLE = 1e-5  # how far a kept point may miss a constraint (the solver's own tolerance is 1e-7)
CAP = 1e5  # each count's bound in the programs over many checks
KEEP = 400  # points kept from one run to the next
ROUNDS = 6  # programs over many checks, at most, each way
# When the audit must have answered (time.monotonic()); past it, the next program raises AuditTimeout.
DEADLINE: ContextVar[float] = ContextVar("audit_deadline", default=math.inf)


class AuditTimeout(TimeoutError):
    """The audit took longer than it was given: nothing is published."""


def _in_time() -> None:
    if time.monotonic() > DEADLINE.get():
        raise AuditTimeout("the audit's linear programs took longer than allowed")


@dataclasses.dataclass
class Finding:
    """A check the published figures fail: `low` and `high` are the bounds proved."""

    kind: str
    key: tuple
    low: float
    high: float
    ident: tuple | None = dataclasses.field(default=None, repr=False, compare=False)  # the check's (Check.ident)


@dataclasses.dataclass
class AuditResult:
    findings: list[Finding]
    bounds: dict[tuple, tuple[float, float]]  # (kind, key) -> (low, high) of every check, as far as needed
    checks: int = 0
    programs: int = 0
    solutions: dict = dataclasses.field(default_factory=dict, repr=False)  # {"pool": ...} for the next run's hints
    withheld: int = 0  # protect: the extra "[c]"s and left-out figures the audit made

    @property
    def passed(self) -> bool:
        return not self.findings


def _whole(low: float, high: float) -> tuple[float, float]:
    """The solver's bounds as the whole counts they allow (its answers rounded by SLACK)."""
    return (math.ceil(low - SLACK) if math.isfinite(low) else low,
            math.floor(high + SLACK) if math.isfinite(high) else high)


def passes(check: Check, low: float, high: float) -> bool:
    low, high = _whole(low, high)
    if check.kind == "small":
        return low <= 1 and high >= THRESHOLD - 1
    if check.kind == "audit":  # known 0, known not small, or as many values open as "<10" leaves
        return high <= 0 or low >= THRESHOLD or high - max(low, 0) >= THRESHOLD - 2
    return low <= 0 <= high


def side_proved(kind: str, sign: int, value: float) -> bool:
    """Whether a value the counts can take proves one side of a check: the smallest (sign 1)
    or the largest (sign -1) is then far enough. A "[c]" of the audit has no such sides."""
    if kind == "small":
        return value <= 1 + SLACK if sign == 1 else value >= THRESHOLD - 1 - SLACK
    if kind == "difference":
        return value <= SLACK if sign == 1 else value >= -SLACK
    return False


def _witnessed(check: Check, low: float, high: float) -> bool:
    """Whether values the counts can take already prove the check (the range can only be wider)."""
    if check.kind == "audit":
        low, high = _whole(low, high)  # as `passes` judges them
        return high - max(low, 0) >= THRESHOLD - 2
    return side_proved(check.kind, 1, low) and side_proved(check.kind, -1, high)


def _check_forms(model: Model) -> tuple[list[tuple], csr_matrix]:
    """The model's checks (ident, check), in order, and their forms as rows of a matrix (cached on the model)."""
    cached = getattr(model, "_check_forms", None)
    if cached is None or cached[0] != (len(model.index), len(model.checks)):
        everyone = list(model.checks.items())
        forms = form_matrix([check.form for _ident, check in everyone], len(model.index))
        cached = model._check_forms = ((len(model.index), len(model.checks)), everyone, forms)
    return cached[1], cached[2]


def _over(model: Model, kept: tuple[list, np.ndarray] | None) -> np.ndarray:
    """Points kept as (names, columns) as columns over the model's variables (0 where they had no value), less
    those with a value for a variable the model no longer has."""
    n = len(model.index)
    if not kept:
        return np.zeros((n, 0))
    names, points = kept
    if len(names) == n and names == list(model.index):  # most often: the same variables, in the same order
        return points
    where = np.array([model.index.get(name, -1) for name in names], dtype=np.int64)
    missing = where < 0
    usable = ~(np.abs(points[missing]) > SLACK).any(axis=0) if missing.any() else np.ones(points.shape[1], bool)
    x = np.zeros((n, int(usable.sum())))
    x[where[~missing]] = points[~missing][:, usable]
    return x


def _kept_points(model: Model, hints: dict, extra: Sequence[tuple]) -> np.ndarray:
    """The points of earlier runs that satisfy every constraint of this model (and `extra`),
    as columns over its variables: those of runs over the whole model, and in a trial
    (with `extra` rows) those of the trials before it as well."""
    n = len(model.index)
    x = _over(model, hints.get("pool"))
    if extra:
        x = np.hstack([x, _over(model, hints.get("trials"))])
    if not x.shape[1]:
        return x
    program = model.program()
    activity = program.activity(x)
    ok = ((activity >= program.row_lows[:, None] - FEASIBLE) & (activity <= program.row_highs[:, None] + FEASIBLE))
    ok = ok.all(axis=0)
    ok &= (x >= -FEASIBLE).all(axis=0)
    for form, low, high in extra:
        value = form_matrix([form], n) @ x
        ok &= ((value >= low - FEASIBLE) & (value <= high + FEASIBLE))[0]
    return x[:, ok]


def _optimum(model: Model, objective: np.ndarray, sign: int) -> np.ndarray | None:
    """A solution of the program over many checks (each count at most CAP), or None."""
    _in_time()
    with model.program().capped(CAP, len(model.index)):
        try:
            return model.optimum(objective, sign)[1]
        except Infeasible:
            return None


def run(model: Model, hints: dict, *, first_failure: bool = False, extra: Sequence[tuple] = (),
        more: Sequence[Check] = (), skip: frozenset = frozenset(), suspects: Sequence[tuple] = ()) -> AuditResult:
    """Every check of the model (and `more`, less those in `skip`), in order; with first_failure, up to the first
    that fails. `extra` rows (form, low, high) hold for this run only. The points found go to result.solutions:
    "pool" for a run over the whole model, "trials" for a run with `extra` rows (points that satisfy every
    constraint of the model too, but most of them at the edge of a figure's window, so they are kept apart).
    `suspects` (checks' idents) are tried before all others, for a caller that asks only whether the run passes:
    the failure found first is then not the first in order."""
    with model.holding(extra):  # the programs below are solved with these rows in, so pass no `extra` on to them
        return _run(model, hints, first_failure, extra, more, skip, suspects)


def _run(model: Model, hints: dict, first_failure: bool, extra: Sequence[tuple], more: Sequence[Check],
         skip: frozenset, suspects: Sequence[tuple]) -> AuditResult:
    result = AuditResult([], {})
    # A "[c]" of the audit known to be 0, or at least 10, stays so under more constraints: one proved so by a model
    # whose constraints this one has (and more rows for this run) needs no program again.
    rows, count, known = hints.get("known") or (frozenset(), -1, {})
    if count != len(model.index) or not rows <= model._seen_rows:
        known = {}
    for ident, check in model.checks.items():  # keyed by check.ident
        if ident in known and ident not in skip:
            result.checks += 1
            result.bounds[check.kind, check.key] = known[ident]
    everyone, matrix = _check_forms(model)
    rows = [j for j, (ident, _check) in enumerate(everyone) if ident not in skip and ident not in known]
    more = [check for check in more if check.ident not in skip and check.ident not in known]
    idents = [everyone[j][0] for j in rows] + [check.ident for check in more]
    checks = [everyone[j][1] for j in rows] + more
    proved = dict(known)
    n = len(model.index)
    points = _kept_points(model, hints, extra)
    forms = vstack([matrix[rows], form_matrix([check.form for check in more], n)]).tocsr() if more else matrix[rows]
    values = forms @ points
    lows = values.min(axis=1) if points.shape[1] else np.full(len(checks), math.inf)
    highs = values.max(axis=1) if points.shape[1] else np.full(len(checks), -math.inf)
    found = [points]
    kinds = np.array([check.kind for check in checks], dtype=object)
    audit, small, difference = kinds == "audit", kinds == "small", kinds == "difference"

    def seen(x: np.ndarray) -> None:
        nonlocal lows, highs
        found.append(x[:, None])
        value = forms @ x
        lows, highs = np.minimum(lows, value), np.maximum(highs, value)

    def done(sign: int) -> np.ndarray:
        """Which checks the values seen prove on one side (side_proved, for every check at
        once); a "[c]" of the audit by its range only, on both sides (_witnessed)."""
        if sign == 1:
            side = (small & (lows <= 1 + SLACK)) | (difference & (lows <= SLACK))
        else:
            side = (small & (highs >= THRESHOLD - 1 - SLACK)) | (difference & (highs >= -SLACK))
        wide = np.floor(highs + SLACK) - np.maximum(np.ceil(lows - SLACK), 0) >= THRESHOLD - 2  # as `passes` rounds
        return np.where(audit, wide, side)

    def solve(j: int) -> tuple[float, float]:
        """The check's bounds, with a program for each side no point seen proves."""
        nonlocal witnessed
        check = checks[j]
        if witnessed is None:
            witnessed = done(1) & done(-1)
        if witnessed[j]:
            return float(lows[j]), float(highs[j])
        bounds = [float(lows[j]), float(highs[j])]
        for side, sign in enumerate((1, -1)):
            if check.kind != "audit" and side_proved(check.kind, sign, bounds[side]):
                continue
            _in_time()
            value, x = model.optimum(check.form, sign)
            result.programs += 1
            bounds[side] = value
            if x is not None:
                seen(x)
                witnessed = None
        return bounds[0], bounds[1]

    witnessed = None  # _witnessed of every check, worked out again after each new point
    # Most trials that fail, fail on a check that failed a trial before (the suspects): tried first, the rest then
    # need no program.
    first: dict[int, tuple[float, float]] = {}
    if suspects:
        where = {ident: j for j, ident in enumerate(idents)}
        for ident in suspects:
            j = where.get(ident)
            if j is None or j in first:
                continue
            first[j] = solve(j)
            if not passes(checks[j], *first[j]):
                result.checks += 1
                result.bounds[checks[j].kind, checks[j].key] = first[j]
                result.findings.append(Finding(checks[j].kind, checks[j].key, *first[j], ident=ident))
                return _found(result, model, hints, found, extra, proved)

    for _round in range(ROUNDS):
        progress = False
        for sign in (1, -1):
            still = ~done(sign)
            open_ = np.flatnonzero(still)
            if len(open_) < 2:
                continue
            x = _optimum(model, forms.T @ still.astype(float), sign)  # the sum of the open checks' forms
            result.programs += 1
            if x is None:
                continue
            seen(x)
            progress |= bool(done(sign)[open_].any())
        if not progress:
            break
    witnessed = None
    for j, check in enumerate(checks):
        result.checks += 1
        low, high = first[j] if j in first else solve(j)
        result.bounds[check.kind, check.key] = (low, high)
        if check.kind == "audit" and not extra and passes(check, low, high) and not _witnessed(check, low, high):
            proved[idents[j]] = (low, high)
        if not passes(check, low, high):
            result.findings.append(Finding(check.kind, check.key, low, high, ident=idents[j]))
            if first_failure:
                break
    return _found(result, model, hints, found, extra, proved)


def _found(result: AuditResult, model: Model, hints: dict, found: list[np.ndarray], extra: Sequence[tuple],
           proved: dict) -> AuditResult:
    """The result, with the points found (found[0]: those kept from before) in result.solutions."""
    if extra:  # the points this trial found, after those of the trials before it
        new = np.hstack([_over(model, hints.get("trials")), *found[1:]])[:, -KEEP:]
        result.solutions = {"trials": (list(model.index), new)}
        return result
    result.solutions = {"pool": (list(model.index), np.hstack(found)[:, -KEEP:]),
                        "known": (frozenset(model._seen_rows), len(model.index), proved)}
    return result
