"""The one place that counts help requests.

Everything that needs a number (reports, home pages, fingerprints) asks here. Today it
is a GROUP BY over the requests; later it can read a table of monthly counts kept in
the same transaction as every change, without any caller noticing.
"""

import datetime as dt
from typing import NamedTuple

from django.db.models import Count, Min

from .models import HelpRequest, Programme, Status


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
    requests = HelpRequest.objects.filter(month__lte=until)
    if programme is not None:
        requests = requests.filter(programme=programme)
    keys = ("month", "category", "status", "outcome", "closed_month")
    grouped = requests.values_list(*keys).annotate(n=Count("id")).order_by(*keys)
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
        HelpRequest.objects.in_programmes(list(counts)).filter(month=month)
        .values_list("programme", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for programme_id, status, n in grouped:
        counts[programme_id][status] = n
    return counts
