"""Histories without a database, for the disclosure audit's tests and bench: each
programme's requests, and its partner or public documents made by today's code
(report_document, then disclosed over ScopeCounts), month by month."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from types import SimpleNamespace

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from intake.counts import CountRow
from intake.models import Status
from intake.months import add_months, month_range
from reports.disclosure import Disclosure, ScopeCounts, disclosed
from reports.document import report_document

CATEGORIES = ("desertion", "mobilisation", "emigration", "surrender", "legal", "other")
OUTCOMES = ("left_country", "safe_in_russia", "surrendered", "returned_to_unit", "detained", "referred",
            "lost_contact", "withdrew")

# A request: (month received, category, month closed or None, outcome or "").
Request = tuple


def inequalities(model, extra=()) -> tuple[csr_matrix, np.ndarray]:
    """Every constraint of a reports.disclosure_lp.Model (and `extra` rows: form, low, high),
    written out cell by cell as A x <= b, each side of a row a row of its own."""
    rows, columns, data, bounds = [], [], [], []
    for row, low, high in [*zip(model.rows, model.lows, model.highs), *extra]:
        for sign, bound in ((1, high), (-1, -low)):
            if math.isfinite(bound):
                for i, a in row.items():
                    rows.append(len(bounds))
                    columns.append(i)
                    data.append(sign * a)
                bounds.append(bound)
    return csr_matrix((data, (rows, columns)), shape=(len(bounds), len(model.index))), np.array(bounds, dtype=float)


def integer_bounds(model, form: dict[int, float]) -> tuple[float, float]:
    """The smallest and largest value of `form` over whole counts under every constraint of a
    reports.disclosure_lp.Model (scipy.optimize.milp): to check the linear program's bounds on samples."""
    matrix, bounds = inequalities(model)
    found = []
    for sign in (1, -1):
        result = milp(sign * model.vector(form), integrality=np.ones(len(model.index)), bounds=Bounds(0, np.inf),
                      constraints=[LinearConstraint(matrix, -np.inf, bounds)])
        found.append(sign * result.fun if result.status == 0 else -sign * math.inf)
    return found[0], found[1]


def rows_of(requests: list[Request], until: dt.date) -> list[CountRow]:
    grouped = Counter((month, category, Status.CLOSED if closed else Status.NEW, outcome, closed)
                      for month, category, closed, outcome in requests if month <= until)
    return [CountRow(*key, n) for key, n in sorted(grouped.items(), key=lambda item: repr(item[0]))]


def publication(history: dict[str, tuple[dt.date, list[Request]]], month: dt.date, *, version: int = 1,
                profile: str = "public") -> tuple[list[dict], list[dict]]:
    """(published, internal) documents of every programme started by `month`, then of all
    programmes: what one acceptance publishes, as today's rules make it."""
    started = [(slug, first, requests) for slug, (first, requests) in history.items() if first <= month]
    published, internal = [], []
    parts = []
    every: list[Request] = []
    for slug, first, requests in started:
        rows = rows_of(requests, month)
        part = Disclosure(ScopeCounts.from_rows(rows, first=first), zeros_sensitive=False)
        parts.append(part)
        every += requests
        document = report_document(programme=SimpleNamespace(slug=slug), month=month, version=version, window=3,
                                   rows=rows, first_month=first)
        internal.append(document)
        published.append(disclosed(document, part, profile=profile))
    first = min(first for _slug, first, _requests in started)
    rows = rows_of(every, month)
    whole = Disclosure(ScopeCounts.from_rows(rows, first=first), zeros_sensitive=False, parts=parts)
    document = report_document(programme=None, month=month, version=version, window=3, rows=rows, first_month=first)
    internal.append(document)
    published.append(disclosed(document, whole, profile=profile))
    return published, internal


def random_history(rng: random.Random, *, programmes: int, first: dt.date, months: int,
                   small: float = 0.3) -> dict[str, tuple[dt.date, list[Request]]]:
    """Programmes (some starting late) with months of nothing, months of 1 to 9, ties, and
    requests closed 0 to 2 months after they came."""
    last = add_months(first, months - 1)
    history = {}
    for p in range(programmes):
        start = first if p == 0 else add_months(first, rng.choice([0, 0, 1, months // 2]))
        requests: list[Request] = []
        previous = 0
        weights = [rng.randint(1, 10) for _ in CATEGORIES]
        for month in month_range(start, last):
            draw = rng.random()
            n = (0 if draw < 0.1 else rng.randint(1, 9) if draw < 0.1 + small
                 else previous if draw < 0.2 + small and previous else rng.randint(10, 60))
            previous = n
            for _ in range(n):
                category = rng.choices(CATEGORIES, weights)[0]
                if rng.random() < 0.6:
                    closed = min(add_months(month, rng.choice([0, 0, 1, 2])), last)
                    requests.append((month, category, closed, rng.choice(OUTCOMES)))
                else:
                    requests.append((month, category, None, ""))
        history[f"p{p}"] = (start, requests)
    return history


def corrected(history: dict[str, tuple[dt.date, list[Request]]], rng: random.Random, month: dt.date):
    """The history after a correction of one programme's `month`: one of its requests
    closed in that month (as surrendered, say), or one more request logged in it."""
    slug = rng.choice(sorted(slug for slug, (first, _r) in history.items() if first <= month))
    first, requests = history[slug]
    requests = list(requests)
    open_ones = [i for i, r in enumerate(requests) if r[0] == month and r[2] is None]
    if open_ones and rng.random() < 0.7:
        i = rng.choice(open_ones)
        requests[i] = (month, requests[i][1], month, rng.choice(OUTCOMES))
    else:
        requests.append((month, rng.choice(CATEGORIES), None, ""))
    return {**history, slug: (first, requests)}


def publish(history, first: dt.date, last: dt.date, *, protect=None, correction=None, rng=None,
            profile: str = "public") -> list[dict]:
    """Every publication of the history, month by month, in order: today's documents, or
    those `protect(candidates, earlier, internal)` makes of them. `correction` (a month):
    once `last` is published, that month is corrected and it and every later month
    published again, version 2. A publication `protect` refuses (its audit failed even
    with every new figure withheld) is left out, as the pipeline leaves it out."""
    published: list[dict] = []
    refused: list[dt.date] = []

    def accept(month, version, history):
        candidates, internal = publication(history, month, version=version, profile=profile)
        if protect is not None:
            candidates, result = protect(candidates, published, internal)
            if not result.passed:  # refused: not published (the pipeline says why)
                refused.append(month)
                return
        published.extend(sorted(candidates, key=lambda d: d["scope"]["programme"] is None))

    for month in month_range(first, last):
        accept(month, 1, history)
    if correction is not None:
        history = corrected(history, rng or random.Random(0), correction)
        for month in month_range(correction, last):
            accept(month, 2, history)
    return published


def demo_history() -> dict[str, tuple[dt.date, list[Request]]]:
    """The demo programme's requests (intake/demo.py), without a database."""
    from intake import demo
    from intake.models import Programme

    programme = Programme(slug=demo.SLUG, first_month=demo.FIRST_MONTH)
    requests = [(r.month, r.category, r.closed_month, r.outcome)
                for month, (count, _source) in demo.MONTHS.items()
                for r in demo.requests_for_month(programme, month, count)]
    return {demo.SLUG: (demo.FIRST_MONTH, requests)}
