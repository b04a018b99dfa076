"""The one place that counts help requests.

Everything that needs a number (reports, home pages, fingerprints) asks here, and
everything here reads the table of monthly counts (`MonthlyCount`), kept in the same
transaction as every change to requests. So the cost of a count depends on the number
of programmes, months and categories, never on the number of requests.
"""

import datetime as dt
from typing import NamedTuple

from django.db.models import Min, Sum

from .models import Category, DataVersion, MonthlyCount, Programme, Status


class CountRow(NamedTuple):
    """How many requests share one combination of month, category, status and outcome."""

    month: dt.date
    category: str
    status: str
    outcome: str
    closed_month: dt.date | None
    requests: int


def count_rows(*, programme: Programme | None, until: dt.date) -> list[CountRow]:
    """Grouped counts of the requests received up to the month `until`, in a stable
    order; `programme=None` counts every programme. One query, whatever the volume."""
    # Cells that have had requests and have none now keep a row at 0: left out, so
    # that the rows are exactly what a GROUP BY over the requests would give.
    counts = MonthlyCount.objects.filter(month__lte=until, requests__gt=0)
    if programme is not None:
        counts = counts.filter(programme=programme)
    keys = ("month", "category", "status", "outcome", "closed_month")
    grouped = counts.values_list(*keys).annotate(n=Sum("requests")).order_by(*keys)
    return [CountRow(*row) for row in grouped]


def first_month(programme: Programme | None) -> dt.date | None:
    """The month a scope starts: its programme's first month, or the earliest of all."""
    if programme is not None:
        return programme.first_month
    return Programme.objects.aggregate(first=Min("first_month"))["first"]


def status_counts(*, programmes, month: dt.date) -> dict[int, dict[str, int]]:
    """For each programme, how many of the requests received in `month` are in each
    status (every status present, zeros included). One query."""
    counts = {programme.pk: dict.fromkeys(Status.values, 0) for programme in programmes}
    grouped = (
        MonthlyCount.objects.filter(programme__in=list(counts), month=month)
        .values_list("programme", "status")
        .annotate(n=Sum("requests"))
        .order_by()
    )
    for programme_id, status, n in grouped:
        counts[programme_id][status] = n
    return counts


def open_count(*, programmes) -> int:
    """How many requests of `programmes`, of any month, are not closed. One query."""
    open_cells = MonthlyCount.objects.filter(programme__in=list(programmes)).exclude(status=Status.CLOSED)
    return open_cells.aggregate(n=Sum("requests"))["n"] or 0


def data_version(*, programme: Programme | None, until: dt.date) -> int:
    """A stamp of the data under a report of `programme` (None: every programme) and
    the month `until`: it grows whenever a request received up to that month is
    logged, changed or removed. One query over a row per programme and month."""
    versions = DataVersion.objects.filter(month__lte=until)
    if programme is not None:
        versions = versions.filter(programme=programme)
    return int(versions.aggregate(v=Sum("version"))["v"] or 0)


def month_counts(programme: Programme, month: dt.date) -> dict[str, dict[str, int]]:
    """The grid of a programme's month: the requests received in it, by category and
    status, as {category: {status: n}}, every category and status present (zeros
    included), in the order of their lists. One query."""
    grid = {category: dict.fromkeys(Status.values, 0) for category in Category.values}
    grouped = (
        MonthlyCount.objects.filter(programme=programme, month=month)
        .values_list("category", "status")
        .annotate(n=Sum("requests"))
        .order_by()
    )
    for category, status, n in grouped:
        grid[category][status] += n
    return grid
