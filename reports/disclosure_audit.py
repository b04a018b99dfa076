"""The disclosure audit (issue 23): publish what an audit of everything ever published proves safe, and no less. Pure:
it reads and writes documents in the published shape (`reports.disclosure.disclosed`, docs/report-json.md) and never
the database.

The attacker model, written once (docs/disclosure.md, "Attacker model", says the same): an outsider holds every
partner and public document ever published: every month, every scope (each programme and all programmes), every
version and profile, those replaced by corrections included. They know the rules and this procedure, and read a
document so:

- a count r > 0 is in [r - 2, r + 2] and at least 10 (8 or 9 would be "<10"); 0 is 0;
- "<10" is 1 to 9; "[c]" is what its rule says it hides: a cell withheld by the stopping rule (4c) or a figure of
  all programmes withheld because a programme hides it (4b) holds at least 10, the stopping rule withholds the
  smallest shown cell first (ties in the row's order) and stops as soon as the hidden cells hold 10 in 2 cells; a
  span or status withheld by 4a, or any "[c]" the audit added, says nothing but ">= 0";
- a whole percentage p of exact counts is 100 x top / bottom in [p - 1/2, p + 1/2];
- highest and lowest months are above (below) every other month, ties equal; rank 1 means no month above;
- all programmes are the sum of the programmes started by then; a month's closed requests never exceed those
  received;
- a correction (a month's documents published again with a higher version) concerns that programme's requests of
  that month, so it changes the cells of that month and the closings from then on; everything else keeps its value.
  Corrections are small, so an outsider who can prove that a hidden figure changed learns about the few people the
  correction was about (0 -> "<10" says "exactly the one request corrected").

The audit (`audit`): the published figures become linear constraints over the base cells
(`reports/disclosure_lp.py`); for every figure published as "<10" the smallest and largest value the linear program
allows, rounded inwards to whole numbers, must stay 1 and 9; a "[c]" the audit added must be known to be 0, or known
to be 10 or more, or leave at least as many values open as "<10" does (nine); and for every figure hidden before or
after a correction, the change must still be allowed to be 0.

Protection (`protect(candidates, earlier, internal)`), in a fixed order:

0. A figure already published (same figure, same data) keeps its published value. 1. Every new figure of the
candidates that shares a base cell with a figure published as "<10" (percentages, highest/lowest/rank, spans,
open/closed, months, cells) is withheld ("audit"). The choice depends only on where the "<10"s are, which the
outsider sees, not on any value. 2. While the audit fails, the first failing check (in the order the figures were
read) loosens the candidates: a shown figure touching it is withheld, else its breakdown row is withheld whole
(zeros too, so that a "[c]" does not say "not 0"), else the figure of all programmes or the figure itself is. Only
the candidates change: earlier documents are out. 3. Publish everything the audit allows: each figure withheld by 4a
(spans, since-start totals, open/closed) or by the audit is tried in turn (then the percentages the audit left out).
Every value it could be published as, given everything published (0, "<10", each rounded value the linear program
allows), is tried before its own is read. If all pass, it is shown. If only the lowest and/or highest fail, and
knowing that the figure is among those (which withholding it then says) passes the audit too, it is shown exactly
when its value is not among them, and the document's "withheld_bounds" says what withholding it says. Otherwise it
stays withheld, whatever its value. Scanning from both ends suffices: the largest value of a "<10" figure s with f
held in a window [t - 2, t + 2] is the maximum over the window of a concave function of f (a linear program's
optimum as one right-hand side moves), so the windows that fail are the lowest and the highest; if f is unbounded
above that function, bounded below by s >= 1, never decreases, so only the lowest can fail.

Why the procedure does not leak through itself. Step 1 reads only where the "<10"s are, which is published. Step 3
decides from published figures alone, or publishes (and audits) the one fact it decided on. Step 2 acts only when
the figures it has so far fail the audit, on figures the outsider sees and on positions of hidden ones, and what it
does (withholding a shown figure, a whole row "[c]", zeros included) only widens what the outsider knows.
tests/reports/test_disclosure_audit.py checks that two histories that differ only in the value of such a figure get
the same decisions.

A consequence of the worst case: a sum over months that holds a "<10" month (the total since the start) stays
withheld, since at the edge of what the other months allow it would pin the small one, and withholding it only then
would say so."""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _lazy

from .disclosure import SUPPRESSED, THRESHOLD, WITHHELD, published_fingerprint, rounded, whole_pct
from .disclosure_lp import FULL, ROWS, Check, Figure, Infeasible, Model, Rules, figures_of, get, is_hidden, put
from .disclosure_solve import AuditResult, Finding, passes, run

__all__ = ["REASONS", "AuditResult", "Finding", "audit", "passes", "protect", "run", "withheld_share"]

# The reason codes of a "[c]" (or a percentage or ranking left out), in a document's
# "withheld" map {figure: code}; the words are the pipeline's to give (reports/outputs).
REASONS = {
    "months": _lazy("withheld because a month it counts is hidden"),
    "programme": _lazy("withheld because a programme's own figure is hidden"),
    "row": _lazy("withheld so that a small cell of the row cannot be worked out by subtraction"),
    "status": _lazy("withheld because a month of the record had few closings"),
    "audit": _lazy("withheld so that a small count cannot be worked out from the other figures"),
}
PRIORITY = {"pct": 0, "order": 1, "span": 2, "open": 3, "closed": 3, "month": 4, "category": 5, "outcome": 5}
UNWITHHOLD = ("months", "status", "audit")


def audit(documents: Sequence[dict], rules: Rules = FULL) -> AuditResult:
    """Audit published documents, in the order they were published."""
    return run(Model(list(documents), rules), {})


# --- protection -----------------------------------------------------------------------


def protect(candidates: Sequence[dict], earlier: Sequence[dict] = (), internal: Sequence[dict] | None = None,
            rules: Rules = FULL) -> tuple[list[dict], AuditResult]:
    """The candidates (one publication: each scope's partner or public document of a month,
    as the rules make them) with suppression extended until the audit of them with every
    earlier publication passes, then every figure the audit allows shown again.
    `internal` are the candidates' exact documents (same order), for the values shown again.
    Each "[c]" gets its reason in the document's "withheld" map. The result is not passed
    only when earlier publications alone fail."""
    order = sorted(range(len(candidates)), key=lambda i: candidates[i]["scope"]["programme"] is None)
    docs = [copy.deepcopy(candidates[i]) for i in order]
    exact = [internal[i] for i in order] if internal is not None else None
    earlier = list(earlier)
    start = len(earlier)
    base = Model(earlier, rules)  # read once; each step reads only the candidates again
    model = base.extended(docs)
    for position, doc in enumerate(docs, start):
        doc.setdefault("withheld", dict(model.reasons[position]))
    made = 0
    # 0. what is out stays as it is
    for doc in docs:
        for figure in figures_of(doc):
            if figure.kind == "count":
                value, where, reason = model.origin[figure.key, frozenset(model.form(figure.terms).items())]
                if where < start and value != figure.value:
                    _set(doc, figure, value, reason)
    # 1. nothing new touches a "<10"
    model = base.extended(docs)
    small = set().union(*(set(c.form) for c in model.checks.values() if c.kind == "small"))
    for doc, figure, form in _new_figures(model, docs, start):
        if _shown(figure) and set(form) & small:
            _set(doc, figure, None, "audit")
            made += 1
    # 2. loosen until the audit passes
    hints: dict = {}
    while True:
        model = base.extended(docs)
        result = run(model, hints, first_failure=True)
        hints.update(result.solutions)
        if result.passed:
            break
        changed = _loosen(model, docs, start, result.findings[0])
        if not changed:
            return _in_order(docs, order), result
        made += changed
    # 3. show again what the audit allows, whatever its value
    if exact is not None:
        made -= _show_again(docs, exact, base, start, hints)
    model = base.extended(docs)
    result = run(model, hints)
    result.withheld = made
    for doc in docs:  # the fingerprint last, of the document as published
        doc.pop("fingerprint", None)
        doc["fingerprint"] = published_fingerprint(doc)
    return _in_order(docs, order), result


def _in_order(docs: list[dict], order: list[int]) -> list[dict]:
    out: list[Any] = [None] * len(docs)
    for doc, i in zip(docs, order):
        out[i] = doc
    return out


def _shown(figure: Figure) -> bool:
    if figure.kind == "count":
        return isinstance(figure.value, int) and figure.value != 0
    return figure.value is not None


def _new_figures(model: Model, docs: list[dict], start: int):
    """(document, figure, form) of every figure of the candidates not published before."""
    for doc in docs:
        for figure in figures_of(doc):
            terms = (*figure.terms, *figure.bottom)
            if figure.kind == "order":
                terms = tuple((1, "r", figure.key[1], m, m, None) for m in figure.months)
            form = model.form(terms)
            if figure.kind == "count" and model.origin[figure.key, frozenset(form.items())][1] < start:
                continue
            yield doc, figure, form


def _set(doc: dict, figure: Figure, value: Any, reason: str | None) -> None:
    """Put a value (None: withhold, "[c]" for a count) at every place of the figure."""
    if value is None and figure.kind == "count":
        value = WITHHELD
    for path in figure.paths:
        if path[0] != "since_start" or path[1] not in ("highest", "lowest") or doc["since_start"][path[1]]:
            put(doc, path, value)
    if reason and (value == WITHHELD or value is None):
        doc["withheld"][figure.label] = reason
    else:
        doc["withheld"].pop(figure.label, None)
    since = doc["since_start"]
    for name in ("highest", "lowest"):
        if since[name] and any(is_hidden(item["requests"]) for item in since[name]):
            since[name] = None
            doc["withheld"][f"since_start.{name}"] = "audit"


def _loosen(model: Model, docs: list[dict], start: int, finding: Finding) -> int:
    """Withhold what the first failing check calls for; how many figures changed."""
    failing = next(c for c in model.checks.values() if (c.kind, c.key) == (finding.kind, finding.key))
    cells = set(failing.form)
    new = list(_new_figures(model, docs, start))
    touching = [(doc, figure) for doc, figure, form in new if set(form) & cells]
    for _hop in range(3):  # through the constraints that link the cells to others (closed <= received)
        if any(_shown(f) or f.kind == "count" and doc["withheld"].get(f.label) != "audit" for doc, f in touching):
            break
        cells |= {i for row in model.rows if cells & set(row) for i in row}
        touching = [(doc, figure) for doc, figure, form in new if set(form) & cells]
    else:
        touching = [(doc, figure) for doc, figure, _form in new]  # last resort: any new figure
    shown = [(doc, f) for doc, f in touching if _shown(f)]
    if shown:
        doc, figure = min(shown, key=lambda item: PRIORITY[item[1].key[0] if item[1].kind == "count"
                                                            else item[1].kind])
        _set(doc, figure, None, "audit")
        return 1
    hidden = [(doc, f) for doc, f in touching if f.kind == "count" and f.value in (SUPPRESSED, WITHHELD, 0)
              and doc["withheld"].get(f.label) != "audit"]

    def rank(item):
        doc, figure = item
        own = figure.key == failing.key
        return (own, figure.key[1] != "all", figure.paths[0][0] not in ROWS, figure.value == 0)

    for doc, figure in sorted(hidden, key=rank):
        row = figure.paths[0][0]
        if row in ROWS:
            changed = 0
            for cell in figures_of(doc):
                if cell.paths[0][0] == row and doc["withheld"].get(cell.label) != "audit":
                    _set(doc, cell, None, "audit")
                    changed += 1
            return changed
        if figure.value != 0:
            _set(doc, figure, None, "audit")
            return 1
    return 0


def _show_again(docs: list[dict], exact: list[dict], base: Model, start: int, hints: dict) -> int:
    """Step 3: how many figures were shown again."""
    model = base.extended(docs)
    tried = []
    for doc, truth in zip(docs, exact):
        for figure in figures_of(doc):
            reason = doc["withheld"].get(figure.label)
            if figure.kind == "count" and figure.value == WITHHELD and reason in UNWITHHOLD:
                form = model.form(figure.terms)
                if model.origin[figure.key, frozenset(form.items())][1] >= start:
                    kind = figure.key[0]
                    first = kind == "span" and figure.paths[0] == ("since_start", "requests")
                    tried.append((0 if first else PRIORITY[kind] - 1, doc, truth, figure))
    shown = 0
    # The model is read again only when the documents change (a figure shown, or what
    # withholding one says): reading five documents of years of months costs more than
    # deciding most figures.
    for _rank, doc, truth, figure in sorted(tried, key=lambda item: item[0]):
        exact_value = get(truth, figure.paths[0])
        value = 0 if exact_value == 0 else SUPPRESSED if exact_value < THRESHOLD else rounded(exact_value)
        show, said = _decide(model, figure, hints, value)
        if show:
            _set(doc, figure, value, None)
            shown += 1
        elif said:
            doc.setdefault("withheld_bounds", {})[figure.label] = [said[0], None if math.isinf(said[1]) else said[1]]
        else:
            continue
        model = base.extended(docs)
        hints.update(run(model, hints).solutions)
    for doc, truth in zip(docs, exact):
        for figure in figures_of(doc):
            if figure.kind != "pct" or doc["withheld"].get(figure.label) != "audit":
                continue
            value = _exact_pct(truth, figure)
            if value is not None and _pct_showable(model, figure, hints):
                _set(doc, figure, value, None)
                model = base.extended(docs)
                hints.update(run(model, hints).solutions)
                shown += 1
    return shown


def _exact_pct(truth: dict, figure: Figure) -> int | None:
    """The whole percentage rule 3 publishes, from the exact document."""
    if figure.key[0] == "change":
        top, bottom = truth["requests"]["this_month"], truth["requests"]["previous_month"]
    elif figure.key[0] == "window change":
        top, bottom = truth["window"]["current"]["requests"], truth["window"]["previous"]["requests"]
    else:
        top, bottom = truth["window"]["current"]["requests"], truth["since_start"]["requests"]
    if not bottom:
        return None
    return whole_pct(top - bottom if figure.change else top, bottom)


def _pct_showable(model: Model, figure: Figure, hints: dict, most: int = 40) -> bool:
    """Whether stating the percentage passes the audit for every whole percentage it could
    be, given everything published (at most `most` of them; else it stays left out)."""
    top, bottom = model.form(figure.terms), model.form(figure.bottom)
    top_low, top_high = model.optimum(top, 1)[0], model.optimum(top, -1)[0]
    bottom_low, bottom_high = model.optimum(bottom, 1)[0], model.optimum(bottom, -1)[0]
    if not math.isfinite(top_high) or not math.isfinite(bottom_high) or bottom_high < 1:
        return False
    shift = 100 if figure.change else 0
    lowest = math.floor(100 * top_low / bottom_high - shift) - 1
    highest = math.ceil(100 * top_high / max(bottom_low, 1) - shift) + 1
    if highest - lowest > most:
        return False
    for pct in range(lowest, highest + 1):
        extra = [(bottom, 1.0, math.inf)]
        for sign, edge in ((1, pct + 0.5), (-1, pct - 0.5)):
            row: dict[int, float] = {}
            for i, a in top.items():
                row[i] = row.get(i, 0.0) + sign * 100 * a
            for i, a in bottom.items():
                row[i] = row.get(i, 0.0) - sign * (shift + edge) * a
            extra.append(({i: a for i, a in row.items() if a}, -math.inf, 0.0))
        try:
            if not _trial(model, hints, extra=extra):
                return False
        except Infeasible:
            continue  # a percentage it cannot be
    return True


SUSPECTS = 8  # checks that failed trials, kept to be tried first in the next ones


def _trial(model: Model, hints: dict, **asked) -> bool:
    """Whether the audit passes with the rows and checks asked for this trial only. Only the answer matters, so the
    checks that failed the latest trials go first (hints["suspects"]): a trial that fails most often fails on one.
    The points it found are kept for the next trials (hints["trials"])."""
    suspects = hints.setdefault("suspects", [])
    result = run(model, hints, first_failure=True, suspects=suspects, **asked)
    hints.update(result.solutions)
    if not result.passed:
        ident = result.findings[0].ident
        suspects[:] = [ident, *(s for s in suspects if s != ident)][:SUSPECTS]
    return result.passed


def _windows(low: float, high: float, most: int = 30) -> list[tuple[Any, float, float]]:
    """Every value a count in [low, high] could be published as, in order, with what it
    says: (value, smallest, largest); when high is infinite, the first `most` rounded ones."""
    low = math.ceil(low - 1e-6)
    high = math.floor(high + 1e-6) if math.isfinite(high) else math.inf
    found: list[tuple[Any, float, float]] = []
    if low <= 0:
        found.append((0, 0.0, 0.0))
    if low <= THRESHOLD - 1 and high >= 1:
        found.append((SUPPRESSED, 1.0, THRESHOLD - 1.0))
    t = max(THRESHOLD, 5 * math.ceil((low - 2) / 5))
    while max(t - 2, THRESHOLD) <= high and len(found) < most:
        found.append((t, max(t - 2.0, THRESHOLD), t + 2.0))
        t += 5
    return found


def _decide(model: Model, figure: Figure, hints: dict, value: Any) -> tuple[bool, tuple | None]:
    """Show the figure (published as `value`)? Every value it could be published as is tried
    first, without reading `value`: those that fail the audit must be the lowest ones and/or
    the highest ones, and knowing that the figure is among them (which withholding it then
    says) must pass the audit too; else it stays withheld whatever its value. Returns
    (show, what withholding it says: (smallest, largest) or None)."""
    form = model.form(figure.terms)
    low, high = model.optimum(form, 1)[0], model.optimum(form, -1)[0]
    windows = _windows(low, high)
    own = frozenset({("audit", frozenset(form.items()))})

    def passes_with(low_end: float, high_end: float, small: bool) -> bool:
        more = [Check("small", figure.key, form)] if small else []
        if model.rules.corrections:
            for old_form, old_value in model.published.get(model.published_key(figure), []):
                if old_form != form and (is_hidden(old_value) or small):
                    more.append(Check("difference", figure.key, _difference(form, old_form)))
        try:
            return _trial(model, hints, extra=[(form, low_end, high_end)], more=more, skip=own)
        except Infeasible:
            return True  # a value it cannot have
    # The failing values are the lowest and/or the highest (concavity, above): from the
    # bottom to the first value that passes, then the last one from the top; those between pass too.
    first = next((n for n, (v, lo, hi) in enumerate(windows) if passes_with(lo, hi, v == SUPPRESSED)), None)
    if first is None:
        return False, None
    # What withholding says of the lowest values is tried at once (the order of the trials changes nothing but the
    # time: the figure is shown only if all pass), since it is the one that fails most often: a sum of months that
    # holds a "<10" one, at its least, pins that one.
    below = (0.0, windows[first - 1][2]) if first else None
    if below and not passes_with(below[0], below[1], False):
        return False, None
    # From the top too, with no largest value as well: a change from a hidden value published before can fail
    # there (0 published, then "<10", 10, 15...: each says the figure changed). The top one first (most often it
    # passes); if it fails, the last that passes is found by halving: from `first` up they pass, then fail.
    def tried(n: int) -> bool:
        return passes_with(windows[n][1], windows[n][2], windows[n][0] == SUPPRESSED)

    last = len(windows) - 1
    if last != first and not tried(last):
        failing, last = last, first
        while failing - last > 1:
            probe = (last + failing) // 2
            if tried(probe):
                last = probe
            else:
                failing = probe
    above = (windows[last + 1][1], math.inf) if last + 1 < len(windows) else None
    if above and not passes_with(above[0], above[1], False):
        return False, None
    position = next((n for n, (v, _lo, _hi) in enumerate(windows) if v == value), None)
    if position is None:  # beyond the values tried, with no largest value: passes as they do
        return (not math.isfinite(high) and last == len(windows) - 1 and isinstance(value, int)
                and value > windows[-1][0]), None
    if first <= position <= last:
        return True, None
    return False, below if position < first else above


def _difference(form: dict[int, float], old: dict[int, float]) -> dict[int, float]:
    out = dict(form)
    for i, a in old.items():
        out[i] = out.get(i, 0.0) - a
    return {i: a for i, a in out.items() if a}


# --- information loss -------------------------------------------------------------------


def withheld_share(documents: Sequence[dict]) -> dict[str, float]:
    """The share of the distinct count figures published as "[c]", as "<10" and as a
    number, and of the percentages and rankings left out, over the documents."""
    counts: dict[tuple, Any] = {}
    others: dict[tuple, Any] = {}
    for doc in documents:
        for figure in figures_of(doc):
            target = counts if figure.kind == "count" else others
            target[(figure.key, doc["version"])] = figure.value
    n = max(len(counts), 1)
    return {
        "figures": len(counts),
        "withheld": sum(v == WITHHELD for v in counts.values()) / n,
        "small": sum(v == SUPPRESSED for v in counts.values()) / n,
        "shown": sum(isinstance(v, int) for v in counts.values()) / n,
        "left_out": sum(v is None for v in others.values()) / max(len(others), 1),
    }
