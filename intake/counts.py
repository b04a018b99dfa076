"""The one place that counts help requests.

Everything that needs a number (reports, home pages, fingerprints) asks here, and
everything here reads the table of monthly counts (`MonthlyCount`), kept in the same
transaction as every change to requests. So the cost of a count depends on the number
of programmes, months and categories, never on the number of requests.
"""

import datetime as dt
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from django.db import connections, router
from django.db.models import Sum

from .models import Category, DataVersion, MonthlyCount, Outcome, Programme, Status
from .months import add_months


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
    order (month, category, status, outcome, month closed with the open last);
    `programme=None` counts every programme. One query, whatever the volume."""
    programmes = None if programme is None else [programme.pk]
    return list(map(CountRow._make, _in_order(_grouped(until=until, programmes=programmes, ordered=True))))


def grouped_counts(*, programme: Programme | None, until: dt.date) -> list[tuple]:
    """count_rows as plain tuples (month, category, status, outcome, month closed,
    requests), in no order: what the report task reads. Its figures need no order, and
    the fingerprint orders what it hashes (reports.document.fingerprint_basis, by the
    text it writes: cheaper than the database's ORDER BY, a fifth of the query's time).
    The garbage collector stops watching a plain tuple of dates, codes and numbers, not
    a named one: the thousands of rows of years of data would otherwise keep it busy
    while the report is made."""
    return _grouped(until=until, programmes=None if programme is None else [programme.pk])


def _grouped(*, until: dt.date, programmes: list[int] | None, with_programme: bool = False,
             ordered: bool = False) -> list[tuple]:
    """The counts up to `until` of `programmes` (None: every one) grouped by month,
    category, status, outcome and month closed, with the programme first if
    `with_programme`: rows as the database driver reads them, plain tuples (tens of
    thousands over years of data: the ORM's conversion of each would cost more than the
    query; dates come back as dates, SQLite's driver parsing declared date columns).
    `ordered`: by the two months, which every database orders alike, the open (no month
    closed) last, for _in_order to order the codes. Written here once rather than
    compiled by the ORM at every report (a twentieth of the report's time at 10,000
    requests)."""
    connection = connections[router.db_for_read(MonthlyCount)]
    column = {field.name: connection.ops.quote_name(field.column) for field in MonthlyCount._meta.concrete_fields}
    keys = [column[name] for name in ("programme", *_KEYS)[0 if with_programme else 1:]]
    # Cells that have had requests and have none now keep a row at 0: left out, so
    # that the rows are exactly what a GROUP BY over the requests would give.
    where, params = [f"{column['month']} <= %s", f"{column['requests']} > 0"], [until]
    if programmes is not None:
        where.append(f"{column['programme']} IN ({', '.join(['%s'] * len(programmes))})")
        params += programmes
    month, closed = column["month"], column["closed_month"]
    # nosec below: names quoted from the model's metadata, values as parameters.
    sql = (f"SELECT {', '.join(keys)}, SUM({column['requests']}) "  # nosec B608
           f"FROM {connection.ops.quote_name(MonthlyCount._meta.db_table)} WHERE {' AND '.join(where)} "
           f"GROUP BY {', '.join(keys)}")
    if ordered:
        sql += f" ORDER BY {month}, {closed} IS NULL, {closed}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_KEYS = ("month", "category", "status", "outcome", "closed_month")


def _in_order(rows: list[tuple]) -> list[tuple]:
    """The grouped rows, which the database ordered by month and then by month closed
    with the open (no month) last, ordered by month, category, status, outcome, then
    month closed: the order of ORDER BY over all five on PostgreSQL (the codes are
    lower-case ASCII letters and underscores, which every collation orders alike).
    Each month's rows are sorted here by their codes, a stable sort that keeps the
    order of the months closed: faster than the database's sort over all five, and
    than one here over all five with a key function building a tuple a row."""
    ordered: list[tuple] = []
    codes = itemgetter(1, 2, 3)
    for _month, rows_of_month in groupby(rows, itemgetter(0)):
        ordered += sorted(rows_of_month, key=codes)
    return ordered


def count_rows_by_programme(*, programmes, until: dt.date) -> dict[int, list[CountRow]]:
    """count_rows of each of `programmes` (by id, every one present), in one query: what
    a scope of several programmes is made of, programme by programme."""
    by_programme: dict[int, list[tuple]] = {programme.pk: [] for programme in programmes}
    if by_programme:
        for programme_id, *row in _grouped(until=until, programmes=list(by_programme), with_programme=True, ordered=True):
            by_programme[programme_id].append(row)
    return {pk: list(map(CountRow._make, _in_order(rows))) for pk, rows in by_programme.items()}


def first_month(programme: Programme | None) -> dt.date | None:
    """The month a scope starts: its programme's first month, or the earliest of all."""
    if programme is not None:
        return programme.first_month
    # By hand, as _grouped: the ORM's aggregate costs more than the query, once a report.
    connection = connections[router.db_for_read(Programme)]
    column = connection.ops.quote_name(Programme._meta.get_field("first_month").column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN({column}) FROM {connection.ops.quote_name(Programme._meta.db_table)}")  # nosec B608
        first = cursor.fetchone()[0]
    return dt.date.fromisoformat(first) if isinstance(first, str) else first  # SQLite's MIN gives the text


def status_counts(*, programmes, months: list[dt.date]) -> dict[int, dict[dt.date, dict[str, int]]]:
    """For each programme and each of `months`, how many of the requests received in
    that month are in each status (every status present, zeros included):
    {programme id: {month: {status: n}}}. One query."""
    counts = {programme.pk: {m: dict.fromkeys(Status.values, 0) for m in months} for programme in programmes}
    grouped = (
        MonthlyCount.objects.filter(programme__in=list(counts), month__in=months)
        .values_list("programme", "month", "status")
        .annotate(n=Sum("requests"))
        .order_by()
    )
    for programme_id, row_month, status, n in grouped:
        counts[programme_id][row_month][status] = n
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
    """The grid of a programme's month as {category: {status: n}}, every category and
    status present (zeros included), in the order of their lists: month_grid's cells,
    without the month before and the outcomes. One query over the counts table."""
    grid = {category: dict.fromkeys(Status.values, 0) for category in Category.values}
    grouped = (MonthlyCount.objects.filter(programme=programme, month=month, requests__gt=0)
               .values_list("category", "status").annotate(n=Sum("requests")).order_by())
    for category, status, n in grouped:
        if status in grid.get(category, ()):
            grid[category][status] += n
    return grid


class GridRow(NamedTuple):
    """One category's counts in a month: per status, per outcome of the closed, the
    total, and the change in the total since the previous month."""

    category: str
    label: str
    statuses: dict[str, int]
    outcomes: dict[str, int]
    total: int
    change: int


class MonthGrid(NamedTuple):
    month: dt.date
    previous: dt.date
    rows: list[GridRow]
    # Column totals: per status, per outcome, all; and each one's change since the previous month.
    statuses: dict[str, int]
    outcomes: dict[str, int]
    total: int
    status_changes: dict[str, int]
    total_change: int


def month_grid(*, programme: Programme, month: dt.date) -> MonthGrid:
    """The requests of `programme` received in `month`, as a grid of category × status
    (and the outcomes of the closed), with totals and the change since the previous
    month. One query over the counts table."""
    previous = add_months(month, -1)
    cells: dict[tuple[dt.date, str, str, str], int] = {}
    grouped = (
        MonthlyCount.objects.filter(programme=programme, month__in=[previous, month], requests__gt=0)
        .values_list("month", "category", "status", "outcome").annotate(n=Sum("requests")).order_by()
    )
    for row_month, category, status, outcome, n in grouped:
        cells[row_month, category, status, outcome] = cells.get((row_month, category, status, outcome), 0) + n

    def count(of_month, category=None, status=None, outcome=None) -> int:
        return sum(n for (m, c, s, o), n in cells.items() if m == of_month and category in (None, c)
                   and status in (None, s) and outcome in (None, o))

    rows = []
    for category, label in Category.choices:
        total = count(month, category)
        rows.append(GridRow(
            category, label,
            {status: count(month, category, status) for status in Status.values},
            {outcome: count(month, category, Status.CLOSED, outcome) for outcome in Outcome.values},
            total, total - count(previous, category),
        ))
    return MonthGrid(
        month, previous, rows,
        {status: count(month, status=status) for status in Status.values},
        {outcome: count(month, status=Status.CLOSED, outcome=outcome) for outcome in Outcome.values},
        count(month), {status: count(month, status=status) - count(previous, status=status) for status in Status.values},
        count(month) - count(previous),
    )


def open_groups(*, programmes) -> list[tuple[int, dt.date, str, str, int]]:
    """The requests waiting for action, as (programme id, month, category, status, how
    many), oldest month first. One query over the counts table."""
    grouped = (
        MonthlyCount.objects.filter(programme__in=list(programmes), requests__gt=0).exclude(status=Status.CLOSED)
        .values_list("programme", "month", "category", "status").annotate(n=Sum("requests"))
        .order_by("month", "programme", "category", "status")
    )
    return list(grouped)
