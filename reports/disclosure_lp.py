"""The attacker's linear program: every figure of every published document (docs/report-json.md,
the shape `reports.disclosure.disclosed` makes) turned into linear constraints over the base
cells, and the smallest and largest value a figure can take under all of them (scipy's HiGHS).

The attacker model and the audit built on this are in `reports/disclosure_audit.py`; this module
only reads documents. A base cell is a programme's requests of a month in one category ("r") or
its requests closed in a month with one outcome ("k"), in one epoch: a correction of a
programme's month M (the month's document published again with a higher version) starts a new
epoch for that programme's cells from M on, since the corrected requests came in in M and
closed in M or later. Every other figure is a sum of cells: all programmes are the sum of the
programmes started by then.

`Rules` switches the attacker's knowledge of each published rule on or off, so that tests can
show what each rule is worth.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Any

import highspy
import numpy as np

from intake.months import add_months, month_range, parse_month

from .disclosure import SUPPRESSED, THRESHOLD, WITHHELD
from .disclosure_highs import Program

CATEGORIES = ("desertion", "mobilisation", "emigration", "surrender", "legal", "other")
OUTCOMES = ("left_country", "safe_in_russia", "surrendered", "returned_to_unit", "detained", "referred",
            "lost_contact", "withdrew")
ROWS = {"by_category": CATEGORIES, "outcomes_closed_in_month": OUTCOMES, "by_status_end_of_month": ("open", "closed")}
TOLERANCE = 1e-6


@dataclasses.dataclass(frozen=True)
class Rules:
    """What the attacker knows of the rules (all of it, by default)."""

    floor: bool = True  # a published count r > 0 is at least 10 (8 or 9 would be "<10")
    small: bool = True  # "<10" is 1 to 9, not 0 to 9
    withheld: bool = True  # what a rule's "[c]" implies: >= 10, the stopping rule, smallest cells first
    pct: bool = True  # whole percentages from the exact counts
    order: bool = True  # highest and lowest months, rank 1
    corrections: bool = True  # a correction must not prove that a hidden figure changed


FULL = Rules()


@dataclasses.dataclass
class Figure:
    """One published figure of a document: `key` names it across documents (the same
    figure has the same key wherever it is published), `paths` are where it sits in this
    document, `terms` what it sums: (sign, kind, scope, first month, last month, codes)."""

    key: tuple
    kind: str  # "count", "pct" or "order"
    paths: list[tuple]
    value: Any
    terms: tuple = ()
    bottom: tuple = ()  # pct: the denominator's terms
    change: bool = False  # pct: (top - bottom) / bottom
    months: tuple = ()  # order: the months of the series

    @property
    def label(self) -> str:
        """The figure's name in a document's "withheld" map: its first path, dotted."""
        return ".".join(str(part) for part in self.paths[0])


def get(document: dict, path: tuple) -> Any:
    for part in path:
        document = document[part]
    return document


def put(document: dict, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        document = document[part]
    document[path[-1]] = value


def is_hidden(value: Any) -> bool:
    return value in (SUPPRESSED, WITHHELD)


def scope_of(document: dict) -> str:
    return document["scope"]["programme"] or "all"


def figures_of(document: dict) -> list[Figure]:
    """Every figure of a published document, in a fixed order; a month's count appears once
    with all its paths (this month, the previous month, the series, highest, lowest)."""
    scope, month = scope_of(document), parse_month(document["month"])
    found: dict[tuple, Figure] = {}

    def count(key, path, first, last, codes=None, kind="r", sign=1, extra=()):
        terms = ((sign, kind, scope, first, last, codes), *extra)
        figure = found.setdefault(key, Figure(key, "count", [], get(document, path), terms))
        figure.paths.append(path)
        return figure

    requests = document["requests"]
    count(("month", scope, month), ("requests", "this_month"), month, month)
    before = add_months(month, -1)
    if requests["previous_month"] is not None:
        count(("month", scope, before), ("requests", "previous_month"), before, before)
    for i, item in enumerate(document["series"]):
        m = parse_month(item["month"])
        count(("month", scope, m), ("series", i, "requests"), m, m)
    spans = {}
    for name in ("current", "previous"):
        span = document["window"][name]
        if span is not None:
            first, last = parse_month(span["first"]), parse_month(span["last"])
            spans[name] = count(("span", scope, first, last), ("window", name, "requests"), first, last)
    since = document["since_start"]
    start = parse_month(since["first"])
    total = count(("span", scope, start, month), ("since_start", "requests"), start, month)
    series = tuple(parse_month(item["month"]) for item in document["series"])
    for name in ("highest", "lowest"):
        for i, item in enumerate(since[name] or []):
            m = parse_month(item["month"])
            count(("month", scope, m), ("since_start", name, i, "requests"), m, m)
    for code, _value in document["by_category"].items():
        count(("category", scope, month, code), ("by_category", code), month, month, (code,))
    for code, _value in document["outcomes_closed_in_month"].items():
        count(("outcome", scope, month, code), ("outcomes_closed_in_month", code), month, month, (code,), kind="k")
    count(("closed", scope, month), ("by_status_end_of_month", "closed"), start, month, kind="k")
    count(("open", scope, month), ("by_status_end_of_month", "open"), start, month,
          extra=((-1, "k", scope, start, month, None),))
    figures = list(found.values())
    if requests["previous_month"] is not None:
        figures.append(Figure(("change", scope, month), "pct", [("requests", "change_pct")], requests["change_pct"],
                              found["month", scope, month].terms, found["month", scope, before].terms, True))
    if "previous" in spans:
        figures.append(Figure(("window change", scope, month), "pct", [("window", "change_pct")],
                              document["window"]["change_pct"], spans["current"].terms, spans["previous"].terms, True))
    figures.append(Figure(("share", scope, month), "pct", [("since_start", "current_window_share_pct")],
                          since["current_window_share_pct"], spans["current"].terms, total.terms))
    for name in ("highest", "lowest", "rank_of_month"):
        figures.append(Figure((name, scope, month), "order", [("since_start", name)], since[name], months=series))
    return figures


@dataclasses.dataclass
class Check:
    """A question the audit asks the linear program: `kind` "small" (a "<10"), "audit"
    (a "[c]" the audit withheld) or "difference" (a figure before and after a correction)."""

    kind: str
    key: tuple
    form: dict[int, float]

    @property
    def ident(self) -> tuple:
        return self.kind, frozenset(self.form.items())


class Model:
    """The variables and constraints of a list of published documents, in the order they
    were published (within one publication, programmes before all programmes)."""

    def __init__(self, documents: Sequence[dict], rules: Rules = FULL):
        self.rules = rules
        # The programmes published so far, by first month: all programmes are the sum of those
        # started by the month (a programme made later, with an earlier first month, is not in
        # what all programmes published before it).
        self.firsts: dict[str, dt.date] = {}
        self.corrections: dict[str, list[dt.date]] = {}
        self.versions: dict[tuple, int] = {}
        self.index: dict[tuple, int] = {}
        self.rows: list[dict[int, float]] = []
        self.lows: list[float] = []
        self.highs: list[float] = []
        self._seen_rows: set = set()
        self.published: dict[tuple, list[tuple[dict, Any]]] = {}  # key -> [(form, value)]
        self.checks: dict[tuple, Check] = {}
        self.hidden_cells: dict[tuple, set[str]] = {}
        self._program = None
        # (key, form) -> (value, position of the document, reason) where first published;
        # and each document's inferred reasons for its "[c]"s.
        self.origin: dict[tuple, tuple[Any, int, str | None]] = {}
        self.reasons: list[dict[str, str]] = []
        for document in documents:
            self.read(document)

    def extended(self, documents: Sequence[dict]) -> Model:
        """This model with `documents` read after its own (as Model(own + documents) would be),
        without reading its own again."""
        new = Model([], self.rules)
        new.firsts = dict(self.firsts)
        new.corrections = {slug: list(starts) for slug, starts in self.corrections.items()}
        new.versions, new.index, new.checks = dict(self.versions), dict(self.index), dict(self.checks)
        new.rows, new.lows, new.highs = list(self.rows), list(self.lows), list(self.highs)
        new._seen_rows, new.hidden_cells, new.origin = set(self._seen_rows), dict(self.hidden_cells), dict(self.origin)
        new.published = {key: list(found) for key, found in self.published.items()}
        new.reasons = list(self.reasons)
        for document in documents:
            new.read(document)
        return new

    # --- variables and forms ---

    def _epoch(self, slug: str, month: dt.date) -> int:
        return sum(1 for start in self.corrections[slug] if start <= month)

    def var(self, kind: str, slug: str, month: dt.date, code: str) -> int:
        key = (kind, slug, month, code, self._epoch(slug, month))
        if key not in self.index:
            self.index[key] = len(self.index)
        return self.index[key]

    def form(self, terms: Iterable[tuple]) -> dict[int, float]:
        form: dict[int, float] = {}
        for sign, kind, scope, first, last, codes in terms:
            slugs = list(self.firsts) if scope == "all" else [scope]
            for slug in slugs:
                for month in month_range(max(first, self.firsts[slug]), last):
                    for code in codes or (CATEGORIES if kind == "r" else OUTCOMES):
                        i = self.var(kind, slug, month, code)
                        form[i] = form.get(i, 0.0) + sign
        return {i: a for i, a in form.items() if a}

    def add(self, form: dict[int, float], low: float = -math.inf, high: float = math.inf) -> None:
        if not form:
            return
        ident = (frozenset(form.items()), low, high)
        if ident not in self._seen_rows:
            self._seen_rows.add(ident)
            self.rows.append(form)
            self.lows.append(low)
            self.highs.append(high)

    def check(self, kind: str, key: tuple, form: dict[int, float]) -> None:
        if form:
            self.checks.setdefault((kind, frozenset(form.items())), Check(kind, key, form))

    # --- reading documents ---

    def read(self, document: dict) -> None:
        scope, month = scope_of(document), parse_month(document["month"])
        if scope != "all":
            self.firsts.setdefault(scope, parse_month(document["since_start"]["first"]))
            self.corrections.setdefault(scope, [])
            seen = self.versions.get((scope, month))
            if seen is not None and document["version"] > seen:
                self.corrections[scope].append(month)
            self.versions[scope, month] = max(document["version"], seen or 0)
        reasons = document.get("withheld")
        figures = figures_of(document)
        forms = {}
        found: dict[str, str] = {}
        position = len(self.reasons)
        self.reasons.append(found)
        for figure in figures:
            if figure.kind == "count":
                forms[figure.key] = form = self.form(figure.terms)
                reason = (reasons or {}).get(figure.label) or self.inferred_reason(document, figure)
                if reason and figure.value == WITHHELD:
                    found[figure.label] = reason
                self.origin.setdefault((figure.key, frozenset(form.items())), (figure.value, position, reason))
                self.count(figure, form, reason)
                said = document.get("withheld_bounds", {}).get(figure.label)
                if said and figure.value == WITHHELD:
                    self.add(form, said[0], math.inf if said[1] is None else said[1])
        for figure in figures:
            if figure.kind == "pct" and figure.value is not None and self.rules.pct:
                self.percentage(figure)
            elif figure.kind == "order" and figure.value is not None and self.rules.order:
                self.ordering(figure, scope, month)
        self.add(forms["open", scope, month], 0.0)  # no more closed than received, whatever is published
        for row, codes in ROWS.items():
            values = document[row]
            hidden = {code for code in codes if is_hidden(values[code])}
            if scope != "all":
                self.hidden_cells[scope, month, row] = hidden
            if self.rules.withheld:
                self.stopping_rule(document, row, codes, reasons)

    def inferred_reason(self, document: dict, figure: Figure) -> str | None:
        """Which rule made a "[c]" of a document published without a "withheld" map
        (reports/disclosure.py's rules alone): "programme" (4b: at least 10), "row" (4c,
        the stopping rule), "months" or "status" (4a: nothing more)."""
        if figure.value != WITHHELD:
            return None
        kind, scope = figure.key[0], figure.key[1]
        if kind == "month":
            return "programme" if scope == "all" else "months"
        if kind == "span":
            return "months"
        if kind in ("open", "closed"):
            return "row" if SUPPRESSED in document["by_status_end_of_month"].values() else "status"
        row = "by_category" if kind == "category" else "outcomes_closed_in_month"
        month, code = figure.key[2], figure.key[3]
        if scope == "all" and any(code in self.hidden_cells.get((slug, month, row), ())
                                  for slug, first in self.firsts.items() if first <= month):
            return "programme"
        return "row"

    def count(self, figure: Figure, form: dict[int, float], reason: str | None) -> None:
        value = figure.value
        earlier = self.published.setdefault(self.published_key(figure), [])
        if self.rules.corrections:
            for old_form, old_value in earlier:
                if old_form != form and (is_hidden(old_value) or is_hidden(value)):
                    difference = dict(form)
                    for i, a in old_form.items():
                        difference[i] = difference.get(i, 0.0) - a
                    self.check("difference", figure.key, {i: a for i, a in difference.items() if a})
        if (form, value) not in earlier:
            earlier.append((form, value))
        if value == SUPPRESSED:
            self.add(form, 1.0 if self.rules.small else 0.0, THRESHOLD - 1.0)
            self.check("small", figure.key, form)
        elif value == WITHHELD:
            at_least_10 = reason in ("programme", "row") and self.rules.withheld
            self.add(form, THRESHOLD if at_least_10 else 0.0)
            if reason == "audit":
                self.check("audit", figure.key, form)
        elif value == 0:
            self.add(form, 0.0, 0.0)
        elif isinstance(value, int):
            self.add(form, max(value - 2, THRESHOLD) if self.rules.floor else value - 2.0, value + 2.0)

    def published_key(self, figure: Figure) -> tuple:
        """A figure's key among those published, with the programmes all programmes then summed:
        a figure of all programmes after a programme was added is another figure, not a correction."""
        if figure.key[1] != "all":
            return figure.key
        last = max(term[4] for term in figure.terms)
        return (*figure.key, tuple(sorted(slug for slug, first in self.firsts.items() if first <= last)))

    def percentage(self, figure: Figure) -> None:
        """A whole p from the exact counts: p - 1/2 <= 100 top / bottom (- 100) <= p + 1/2."""
        top, bottom = self.form(figure.terms), self.form(figure.bottom)
        shift = 100.0 if figure.change else 0.0
        for sign, edge in ((1, figure.value + 0.5), (-1, figure.value - 0.5)):
            row: dict[int, float] = {}
            for i, a in top.items():
                row[i] = row.get(i, 0.0) + sign * 100 * a
            for i, a in bottom.items():
                row[i] = row.get(i, 0.0) - sign * (shift + edge) * a
            self.add({i: a for i, a in row.items() if a}, high=0.0)
        self.add(bottom, 1.0)

    def ordering(self, figure: Figure, scope: str, month: dt.date) -> None:
        """Highest (lowest): the listed months are equal and above (below) every other by
        at least 1; rank 1: the month is at least every other."""
        name = figure.key[0]
        months = {m: self.form(((1, "r", scope, m, m, None),)) for m in figure.months}
        if name == "rank_of_month":
            if figure.value == 1:
                for m in figure.months:
                    self.add(_minus(months[m], months[month]), high=0.0)
            return
        listed = [parse_month(item["month"]) for item in figure.value]
        first = months[listed[0]]
        for m in figure.months:
            if m in listed:
                self.add(_minus(months[m], first), 0.0, 0.0)
            elif name == "highest":
                self.add(_minus(months[m], first), high=-1.0)
            else:
                self.add(_minus(first, months[m]), high=-1.0)

    def stopping_rule(self, document: dict, row: str, codes: Sequence[str], reasons: dict | None) -> None:
        """Rule 4c: a "<10" cell withholds the smallest shown cells, ties in the row's order,
        until the hidden cells hold at least 10 in at least two; a row with shown cells and
        no such "[c]" had enough already (said only of documents made by the rules alone)."""
        values = document[row]
        if SUPPRESSED not in values.values():
            return
        figures = {figure.paths[0][1]: figure for figure in figures_of(document) if figure.paths[0][0] == row}
        reason = {code: (reasons or {}).get(figures[code].label) or self.inferred_reason(document, figures[code])
                  for code in codes if values[code] == WITHHELD}
        stopped = [code for code in codes if reason.get(code) == "row"]
        before = [code for code in codes if values[code] == SUPPRESSED or reason.get(code) == "programme"]
        shown = [code for code in codes if isinstance(values[code], int) and values[code] > 0]
        forms = {code: self.form(figures[code].terms) for code in codes}
        for w in stopped:
            for s in shown:
                self.add(_minus(forms[w], forms[s]), high=0.0 if codes.index(w) < codes.index(s) else -1.0)
        if stopped and len(before) >= 2:
            self.add(_sum(forms[code] for code in before), high=THRESHOLD - 1.0)
        if not stopped and shown and reasons is None and len(before) >= 2:
            self.add(_sum(forms[code] for code in before), THRESHOLD)

    # --- the linear programs ---

    def vector(self, form: dict[int, float]) -> np.ndarray:
        return np.bincount(np.array(list(form), dtype=int), weights=list(form.values()), minlength=len(self.index))

    def solver(self) -> highspy.Highs:
        """HiGHS holding the model (reports/disclosure_highs.py): each program only changes the objective (and adds
        a few rows for a while), so it starts from the last basis instead of from nothing."""
        return self.program().highs

    def program(self) -> Program:
        if self._program is None or self._program[1] != (len(self.index), len(self.rows)):
            self._program = (Program(self), (len(self.index), len(self.rows)))
        return self._program[0]

    def optimum(self, form: dict | np.ndarray, sign: int, extra: Sequence[tuple] = ()) -> tuple[float, np.ndarray | None]:
        """The smallest (sign 1) or largest (sign -1) value of `form` (or of coefficients of every variable) under
        every constraint (HiGHS's simplex, behind scipy's linprog(method="highs")), and where; `extra` rows (form,
        low, high) hold for this program only."""
        highs = self.solver()
        n = len(self.index)
        costs = form if isinstance(form, np.ndarray) else self.vector(form)
        highs.changeColsCost(n, np.arange(n, dtype=np.int32), costs)
        highs.changeObjectiveSense(highspy.ObjSense.kMinimize if sign == 1 else highspy.ObjSense.kMaximize)
        with self.holding(extra):
            highs.run()
            status = highs.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                return highs.getInfo().objective_function_value, np.array(highs.getSolution().col_value)[:n]
            if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
                return -sign * math.inf, None
        raise Infeasible(f"the published figures admit no counts ({highs.modelStatusToString(status)})")

    @contextlib.contextmanager
    def holding(self, extra: Sequence[tuple]):
        """The solver with `extra` rows (form, low, high) added while the block runs. Programs solved in one such
        block keep the solver's factorisation from one to the next; rows added and taken away for each program would
        make it start again each time (about 2 ms a program for a few iterations at 24 months)."""
        highs = self.solver()
        first = highs.getNumRow()
        self.program().add_rows(extra)
        try:
            yield highs
        finally:
            if extra:
                highs.deleteRows(len(extra), np.arange(first, first + len(extra), dtype=np.int32))


class Infeasible(ValueError):
    """The documents contradict each other or the rules: no counts could have made them."""


def _minus(a: dict[int, float], b: dict[int, float]) -> dict[int, float]:
    out = dict(a)
    for i, v in b.items():
        out[i] = out.get(i, 0.0) - v
    return {i: v for i, v in out.items() if v}


def _sum(forms: Iterable[dict[int, float]]) -> dict[int, float]:
    out: dict[int, float] = {}
    for form in forms:
        out = _minus(out, {i: -v for i, v in form.items()})
    return out
