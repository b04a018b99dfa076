"""The grid of a month on its review page: requests received in it, by category and status."""

import datetime as dt

from intake.counts import month_counts
from intake.models import Category, Status
from intake.services import Move, RequestSpec, requests_log, requests_move

NOVEMBER, DECEMBER = dt.date(2023, 11, 1), dt.date(2023, 12, 1)


def test_a_month_grid_counts_the_requests_received_in_it_by_category_and_status(this_month, programme,
                                                                                 other_programme):
    requests_log(spec=RequestSpec(programme=programme, month=NOVEMBER, category="legal"), count=5, author=None)
    requests_log(spec=RequestSpec(programme=programme, month=NOVEMBER, category="desertion", status="closed",
                                  outcome="referred", closed_month=DECEMBER), count=2, author=None)
    requests_move(Move(programme=programme, month=NOVEMBER, category="legal", from_status="new", count=3,
                       to_status="in_progress"), actor=None)
    # Neither another month nor another programme.
    requests_log(spec=RequestSpec(programme=programme, month=DECEMBER, category="legal"), count=7, author=None)
    requests_log(spec=RequestSpec(programme=other_programme, month=NOVEMBER, category="legal"), count=9, author=None)

    grid = month_counts(programme, NOVEMBER)

    assert list(grid) == Category.values
    assert all(list(row) == Status.values for row in grid.values())
    assert grid["legal"] == {"new": 2, "in_progress": 3, "closed": 0}
    assert grid["desertion"] == {"new": 0, "in_progress": 0, "closed": 2}
    assert sum(n for row in grid.values() for n in row.values()) == 7


def test_an_empty_month_has_a_grid_of_zeros(db, programme):
    grid = month_counts(programme, NOVEMBER)

    assert grid == {category: {"new": 0, "in_progress": 0, "closed": 0} for category in Category.values}
