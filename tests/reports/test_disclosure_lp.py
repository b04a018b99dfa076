"""Issue 15, point 2: no suppressed count can be worked out from everything a profile
publishes. A random but realistic history of 9 months over 3 programmes (one starting
in the seventh) is logged, every month accepted and published, and every partner and
public publication is read. Each published figure is a sum of base cells (a programme's
requests of a month by category; its requests closed in a month by outcome) and says,
of that sum:

- a number r: the sum is in [r - 2.5, r + 2.5] (0: the sum is 0);
- "<10" or "[c]": the sum is >= 0;
- a percentage p: the exact ratio is in [p - 0.5, p + 0.5] (a linear constraint);
- "highest" ("lowest"): no month of the series has more (fewer) requests.

For every figure published as "<10", linear programs (scipy's HiGHS) find the smallest
and largest value the sum can take under all of these at once: the interval must be at
least 10 wide, as wide as "fewer than 10" itself. And a figure published twice (March in
March's report, in April's series, in May's window...) must have one value."""

import datetime as dt
import random
import time
from collections import defaultdict

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from intake.models import Category, HelpRequest, Outcome, Programme, Status, new_reference
from intake.months import add_months, format_month, month_range, parse_month
from intake.services import requests_add
from reports.disclosure import SUPPRESSED, WITHHELD
from reports.models import Publication
from tests.reports.accepting import accept_month, make_report

FIRST, LAST = dt.date(2022, 1, 1), dt.date(2022, 9, 1)
PROGRAMMES = [("north", FIRST, [60, 25, 5, 3, 5, 2]), ("south", FIRST, [20, 50, 20, 2, 6, 2]),
              ("east", dt.date(2022, 7, 1), [10, 10, 70, 5, 3, 2])]
OUTCOME_WEIGHTS = [30, 20, 4, 3, 4, 25, 10, 4]


def history(rng: random.Random) -> dict[str, list[tuple]]:
    """Each programme's requests as (month, category, status, outcome, closed month):
    months with nothing, months with 1 to 9, ties, small categories and outcomes; the
    older a request, the likelier it is closed, 0 to 3 months after it came."""
    made: dict[str, list[tuple]] = {}
    totals: dict[dt.date, int] = {}
    for slug, first, weights in PROGRAMMES:
        made[slug] = []
        previous = 0
        for month in month_range(first, LAST):
            draw = rng.random()
            if draw < 0.12:
                n = 0
            elif draw < 0.37:
                n = rng.randint(1, 9)
            elif draw < 0.47 and previous:
                n = previous  # a tie with the month before
            elif draw < 0.52 and month in totals:
                n = totals[month]  # a tie with another programme
            else:
                n = rng.randint(10, 70)
            previous = totals[month] = n
            age = (LAST.year - month.year) * 12 + LAST.month - month.month
            for _ in range(n):
                category = rng.choices(Category.values, weights)[0]
                if rng.random() < min(0.9, 0.15 + 0.2 * age):
                    closed = add_months(month, min(rng.choice([0, 0, 1, 1, 2, 3]), age))
                    outcome = rng.choices(Outcome.values, OUTCOME_WEIGHTS)[0]
                    made[slug].append((month, category, Status.CLOSED, outcome, closed))
                else:
                    made[slug].append((month, category, rng.choice([Status.NEW, Status.IN_PROGRESS]), "", None))
    return made


class Model:
    """The base cells (variables) and the constraints the published figures put on them."""

    def __init__(self, programmes: list[Programme], made: dict[str, list[tuple]]):
        self.programmes = programmes
        self.index: dict[tuple, int] = {}
        truth: list[int] = []
        for programme in programmes:
            for month in month_range(programme.first_month, LAST):
                for code in Category.values:
                    self.index["r", programme.slug, month, code] = len(truth)
                    truth.append(0)
                for code in Outcome.values:
                    self.index["c", programme.slug, month, code] = len(truth)
                    truth.append(0)
        for slug, requests in made.items():
            for month, category, _status, outcome, closed in requests:
                truth[self.index["r", slug, month, category]] += 1
                if closed:
                    truth[self.index["c", slug, closed, outcome]] += 1
        self.truth = np.array(truth, dtype=float)
        self.rows: list[dict[int, float]] = []
        self.bounds: list[float] = []
        self.values: dict[tuple, object] = {}
        self.suppressed: dict[tuple, dict[int, float]] = {}
        self.programs = 0

    def slugs(self, scope: str) -> list[str]:
        return [p.slug for p in self.programmes] if scope == "all" else [scope]

    def cells(self, kind: str, scope: str, months: list[dt.date], codes) -> dict[int, float]:
        return {self.index[key]: 1.0 for slug in self.slugs(scope) for month in months for code in codes
                if (key := (kind, slug, month, code)) in self.index}

    def month(self, scope, first, last=None) -> dict[int, float]:
        return self.cells("r", scope, month_range(first, last or first), Category.values)

    def closed(self, scope, month) -> dict[int, float]:
        return self.cells("c", scope, month_range(FIRST, month), Outcome.values)

    def open(self, scope, month) -> dict[int, float]:
        form = self.month(scope, FIRST, month)
        for i in self.closed(scope, month):
            form[i] = form.get(i, 0) - 1.0
        return form

    def true(self, form: dict[int, float]) -> float:
        return sum(self.truth[i] * a for i, a in form.items())

    def add(self, form: dict[int, float], bound: float) -> None:
        self.rows.append(form)
        self.bounds.append(bound)

    def published(self, key: tuple, value, form: dict[int, float]) -> None:
        """A count as published: one value per figure, consistent with the truth."""
        if key in self.values:
            assert self.values[key] == value, f"{key} published as {self.values[key]} and {value}"
            return
        self.values[key] = value
        true = self.true(form)
        if value in (SUPPRESSED, WITHHELD):
            if value == SUPPRESSED:
                assert 1 <= true <= 9, f"{key}: {true} published as {value}"
                self.suppressed[key] = form
            self.add({i: -a for i, a in form.items()}, 0.0)
            return
        assert isinstance(value, int) and value % 5 == 0 and abs(true - value) <= 2, f"{key}: {true} as {value}"
        low, high = (0.0, 0.0) if value == 0 else (value - 2.5, value + 2.5)
        self.add(form, high)
        self.add({i: -a for i, a in form.items()}, -low)

    def ratio(self, key: tuple, pct, top: dict[int, float], bottom: dict[int, float], change: bool) -> None:
        """A percentage: 100 × top / bottom (change: 100 × (top - bottom) / bottom) is in [p - 0.5, p + 0.5]."""
        if key in self.values:
            assert self.values[key] == pct, f"{key} published as {self.values[key]} and {pct}"
            return
        self.values[key] = pct
        if pct is None:
            return
        assert isinstance(pct, int)
        shift = 100.0 if change else 0.0
        # 100 top - (shift + p + 0.5) bottom <= 0 and (shift + p - 0.5) bottom - 100 top <= 0
        for sign, edge in ((1, pct + 0.5), (-1, pct - 0.5)):
            form: dict[int, float] = defaultdict(float)
            for i, a in top.items():
                form[i] += sign * 100 * a
            for i, a in bottom.items():
                form[i] -= sign * (shift + edge) * a
            self.add(dict(form), 0.0)

    def ordered(self, key: tuple, smaller: dict[int, float], larger: dict[int, float]) -> None:
        if key in self.values:
            return
        self.values[key] = True
        form: dict[int, float] = defaultdict(float)
        for i, a in smaller.items():
            form[i] += a
        for i, a in larger.items():
            form[i] -= a
        self.add(dict(form), 0.0)

    def read(self, document: dict) -> None:
        """Every figure of a published document, as constraints."""
        scope = document["scope"]["programme"] or "all"
        month = parse_month(document["month"])
        before = add_months(month, -1)
        requests = document["requests"]
        self.published(("month", scope, month), requests["this_month"], self.month(scope, month))
        if requests["previous_month"] is not None:
            self.published(("month", scope, before), requests["previous_month"], self.month(scope, before))
            self.ratio(("change", scope, month), requests["change_pct"], self.month(scope, month),
                       self.month(scope, before), change=True)
        spans = {}
        for name in ("current", "previous"):
            span = document["window"][name]
            if span is not None:
                first, last = parse_month(span["first"]), parse_month(span["last"])
                spans[name] = self.month(scope, first, last)
                self.published(("span", scope, first, last), span["requests"], spans[name])
        if "previous" in spans:
            self.ratio(("window change", scope, month), document["window"]["change_pct"], spans["current"],
                       spans["previous"], change=True)
        since = document["since_start"]
        first = parse_month(since["first"])
        total = self.month(scope, first, month)
        self.published(("span", scope, first, month), since["requests"], total)
        self.ratio(("share", scope, month), since["current_window_share_pct"], spans["current"], total, change=False)
        for item in document["series"]:
            self.published(("month", scope, parse_month(item["month"])), item["requests"],
                           self.month(scope, parse_month(item["month"])))
        series = [parse_month(item["month"]) for item in document["series"]]
        for name, top in (("highest", True), ("lowest", False)):
            for item in since[name] or []:
                named = parse_month(item["month"])
                self.published(("month", scope, named), item["requests"], self.month(scope, named))
                for other in series:
                    if top:
                        self.ordered(("<=", scope, other, named), self.month(scope, other), self.month(scope, named))
                    else:
                        self.ordered(("<=", scope, named, other), self.month(scope, named), self.month(scope, other))
        for code, value in document["by_category"].items():
            self.published(("category", scope, month, code), value, self.cells("r", scope, [month], [code]))
        for code, value in document["outcomes_closed_in_month"].items():
            self.published(("outcome", scope, month, code), value, self.cells("c", scope, [month], [code]))
        status = document["by_status_end_of_month"]
        self.published(("open", scope, month), status["open"], self.open(scope, month))
        self.published(("closed", scope, month), status["closed"], self.closed(scope, month))

    def widths(self) -> dict[tuple, tuple[float, float]]:
        """The tightest interval of every figure published as "<10": its largest value
        and, when that is less than 10 above the true one, its smallest (the smallest is
        at most the true value, so otherwise the interval is at least 10 wide already;
        it is then given as the true value). Base cells published as exactly 0 are fixed
        at 0 first, and figures with the same sum of cells are solved once: the same
        linear programs, smaller and fewer."""
        zero = {i for row, bound in zip(self.rows, self.bounds)
                if bound == 0.0 and len(row) == 1 for i, a in row.items() if a > 0}
        column = {i: k for k, i in enumerate(i for i in range(len(self.truth)) if i not in zero)}
        rows, bounds = [], []
        for row, bound in zip(self.rows, self.bounds):
            kept = {column[i]: a for i, a in row.items() if i not in zero}
            if kept:
                rows.append(kept)
                bounds.append(bound)
            else:
                assert bound >= 0, "a constraint of zeros only that cannot hold"
        a_ub = csr_matrix(
            ([a for row in rows for a in row.values()],
             ([r for r, row in enumerate(rows) for _ in row], [i for row in rows for i in row])),
            shape=(len(rows), len(column)),
        )
        b_ub = np.array(bounds)
        truth = self.truth[[i for i in column]]
        assert (a_ub @ truth <= b_ub + 1e-9).all(), "the true counts break a constraint"

        def optimum(objective: np.ndarray, sign: int, key: tuple) -> float:
            result = linprog(sign * objective, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs",
                             options={"presolve": False})
            assert result.status in (0, 3), f"{key}: {result.message}"
            return sign * result.fun if result.status == 0 else -sign * np.inf  # unbounded: that way

        solved: dict[frozenset, tuple[float, float]] = {}
        found = {}
        for key, form in self.suppressed.items():
            kept = {column[i]: a for i, a in form.items() if i not in zero}
            if frozenset(kept.items()) not in solved:
                objective = np.zeros(len(column))
                for i, a in kept.items():
                    objective[i] = a
                true = float(objective @ truth)
                high = optimum(objective, -1, key)
                low = optimum(objective, 1, key) if high - true < 10 else true
                solved[frozenset(kept.items())] = (low, high)
                self.programs += 1 + (high - true < 10)
            found[key] = solved[frozenset(kept.items())]
        return found


@pytest.fixture
def published_everything(db, staff, auditor):
    rng = random.Random(15)
    made = history(rng)
    programmes = []
    for slug, first, _weights in PROGRAMMES:
        programme = Programme.objects.create(slug=slug, name=slug.title(), first_month=first)
        programmes.append(programme)
        requests_add([
            HelpRequest(programme=programme, month=month, category=category, status=status, outcome=outcome,
                        closed_month=closed, reference=new_reference())
            for month, category, status, outcome, closed in made[slug]
        ])
    # Month by month, each programme started by then, as the months are accepted (all
    # programmes are then always the sum of the programmes started, as Model reads them).
    for month in month_range(FIRST, LAST):
        for programme in programmes:
            if programme.first_month <= month:
                make_report(programme, month)
                accept_month(programme, month, staff=staff, auditor=auditor)
    # Every publication (the latest of each scope, month and profile: those it replaced,
    # and the audit itself, are the business of tests/reports/test_disclosure_audit.py).
    # Other versions are not published: since issue 23 nothing leaves but what the audit
    # let out at an acceptance.
    latest = {(p.programme_id, p.month, p.profile): p for p in Publication.objects.order_by("pk")}
    documents = [publication.document for publication in latest.values()]
    return programmes, made, documents


def test_no_suppressed_count_can_be_narrowed_below_10_by_all_the_outputs(published_everything):
    programmes, made, documents = published_everything
    model = Model(programmes, made)

    for document in documents:
        model.read(document)  # fails on a figure published with two values
    started = time.monotonic()
    widths = model.widths()
    solved = time.monotonic() - started

    narrow = {key: ends for key, ends in widths.items() if ends[1] - ends[0] < 10 - 1e-6}
    assert len(documents) >= 60 and len(widths) > 150, (len(documents), len(widths))
    assert not narrow, "suppressed counts narrowed below 10: " + "; ".join(
        f"{kind} {scope} {' '.join(format_month(a) if isinstance(a, dt.date) else a for a in rest)}: "
        f"true {model.true(model.suppressed[(kind, scope, *rest)]):.0f}, in [{low:.2f}, {high:.2f}]"
        for (kind, scope, *rest), (low, high) in list(narrow.items())[:8]
    ) + f" ({len(narrow)} of {len(widths)})"
    print(f"\n{len(documents)} documents, {len(model.truth)} base cells, {len(model.rows)} constraints, "
          f"{len(widths)} suppressed figures checked, {model.programs} linear programs in {solved:.1f} s")
