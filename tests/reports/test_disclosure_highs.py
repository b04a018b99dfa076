"""The audit's linear program as HiGHS holds it (reports/disclosure_highs.py): the sums from a
programme's first month written as running totals give the same smallest and largest values as
the rows written out cell by cell, with far fewer cells."""

import datetime as dt
import random

import numpy as np
import pytest
from scipy.optimize import linprog

from intake.months import add_months
from reports.disclosure_lp import Model
from tests.reports.audit_history import inequalities, publish, random_history

FIRST = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def model() -> Model:
    """Three programmes (one may start late) over 14 months, one month corrected (a new
    epoch of cells from then on), published by today's rules."""
    rng = random.Random(7)
    history = random_history(rng, programmes=3, first=FIRST, months=14, small=0.3)
    documents = publish(history, FIRST, add_months(FIRST, 13), correction=add_months(FIRST, 9), rng=rng)
    return Model(documents)


def _written_out(model: Model, form: dict, sign: int, written: tuple) -> float:
    """The same program over the rows written out cell by cell (`inequalities`), by scipy's linprog."""
    a_ub, b_ub = written
    result = linprog(sign * model.vector(form), A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    assert result.status in (0, 3), result.message
    return sign * result.fun if result.status == 0 else -sign * np.inf


def test_the_running_totals_give_every_check_the_values_of_the_rows_written_out(model):
    rng = random.Random(1)
    forms = [check.form for check in model.checks.values()]
    sums = [row for row in model.rows if len(row) > 100]  # sums from a programme's first month
    assert len(forms) > 40 and sums
    written = inequalities(model)
    for form in rng.sample(forms, 20) + rng.sample(sums, 6):
        for sign in (1, -1):
            assert model.optimum(form, sign)[0] == pytest.approx(_written_out(model, form, sign, written), abs=1e-6), \
                (sign, len(form))


def test_with_a_row_added_for_a_trial_the_values_are_those_of_the_rows_written_out(model):
    """A trial's row (a figure held in a window) is a sum from the first month too."""
    rng = random.Random(2)
    forms = [check.form for check in model.checks.values()]
    total = max(model.rows, key=len)
    lowest = model.optimum(total, 1)[0]
    extra = [(total, lowest + 3, lowest + 7)]
    written = inequalities(model, extra)
    for form in rng.sample(forms, 12):
        for sign in (1, -1):
            assert model.optimum(form, sign, extra)[0] == pytest.approx(_written_out(model, form, sign, written),
                                                                       abs=1e-6), (sign, len(form))


def test_the_solver_holds_a_fraction_of_the_cells(model):
    highs = model.solver()
    written_out = sum(len(row) for row in model.rows)
    held = highs.getLp().a_matrix_.value_
    assert len(held) < written_out / 3, (len(held), written_out)
    # the running totals are columns after the cells, one per programme's month and kind at most per epoch
    assert highs.getNumCol() > len(model.index)


def test_the_rows_values_at_a_point_are_those_of_the_rows_written_out(model):
    """What the audit reads to keep a point of an earlier run: each row's value there."""
    rng = np.random.default_rng(3)
    points = rng.integers(0, 40, size=(len(model.index), 5)).astype(float)
    written_out = np.array([[sum(a * points[i, p] for i, a in row.items()) for p in range(5)] for row in model.rows])
    assert np.allclose(model.program().activity(points), written_out)
