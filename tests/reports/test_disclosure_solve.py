"""How the audit's checks are decided with few programs (reports/disclosure_solve.py): the points
kept from earlier runs change how fast a check is decided, never what is decided."""

import datetime as dt

import numpy as np

from reports.disclosure_lp import Model
from reports.disclosure_solve import run

MONTH = dt.date(2026, 1, 1)


def two_cells() -> tuple[Model, dict]:
    """Two cells a and b of one month, published together as 20 (so 18 to 22 together), and
    a "[c]" the audit withheld on a alone: a can be anything from 0 to 22, far more than
    the nine values a "<10" leaves open, so the check passes."""
    model = Model([])
    model.firsts["north"], model.corrections["north"] = MONTH, []
    a, b = model.var("r", "north", MONTH, "desertion"), model.var("r", "north", MONTH, "legal")
    model.add({a: 1.0, b: 1.0}, 18.0, 22.0)
    model.check("audit", ("category", "north", MONTH, "desertion"), {a: 1.0})
    return model, {"a": a, "b": b}


def test_a_withheld_cell_passes_whatever_points_were_kept_from_before():
    model, cells = two_cells()
    assert run(model, {}).passed  # no point kept: the programs alone
    # Two points kept from earlier runs, each satisfying the constraints, between which a
    # takes 7.03 and 15.72: 8.69 apart, but only 8 to 15 in whole counts, fewer than the
    # check asks for; they prove nothing, and the programs must still be solved.
    names = list(model.index)
    points = np.zeros((len(names), 2))
    points[cells["a"]], points[cells["b"]] = [7.03, 15.72], [11.97, 4.28]

    result = run(model, {"pool": (names, points)})

    assert result.passed, result.findings
    low, high = result.bounds["audit", ("category", "north", MONTH, "desertion")]
    assert low <= 0 and high >= 22 - 1e-6
