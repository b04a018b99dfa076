"""The table of monthly counts, and the version of each month's data. Written by
intake/cells.py only; read by intake/counts.py."""

import datetime as dt
from typing import NamedTuple

from django.db import connection, models
from django.db.models import F, Q

from ..months import format_month
from .base import first_of_month_constraint
from .programmes import Category, Outcome, Programme, Status


class Cell(NamedTuple):
    """Where a request is counted: one row of the counts table."""

    programme_id: int
    month: dt.date
    category: str
    status: str
    outcome: str
    closed_month: dt.date | None


class CountsOutOfStep(RuntimeError):
    """The counts table lacks requests that are being removed: it no longer matches the
    requests (`manage.py check_counts` lists the difference and mends it)."""


class MonthlyCount(models.Model):
    """How many requests of a programme share a month received, category, status,
    outcome and month closed: the one table that anything counting requests reads
    (intake/counts.py). Kept in the same transaction as every change to requests."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    category = models.CharField(max_length=20, choices=Category.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    closed_month = models.DateField(null=True, blank=True)
    requests = models.IntegerField(default=0)
    # How many of `requests` are counts only: their rows were deleted by a collapse or
    # an emergency purge (intake/retention.py). The rest are rows of HelpRequest, which
    # check_counts compares them with.
    collapsed = models.IntegerField(default=0)

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["programme", "month"], name="monthlycount_programme_month")]
        constraints = [
            first_of_month_constraint("month", "monthlycount_month_is_first_day"),
            first_of_month_constraint("closed_month", "monthlycount_closed_month_is_first_day"),
            models.CheckConstraint(condition=Q(requests__gte=0), name="monthlycount_requests_not_negative"),
            # Removing a request that is a row never takes a collapsed one off the count.
            models.CheckConstraint(condition=Q(collapsed__gte=0, collapsed__lte=F("requests")),
                                   name="monthlycount_collapsed_within_requests"),
            # One row per cell. The month closed is empty for open requests, and NULLs
            # are distinct in a unique index (SQLite has no NULLS NOT DISTINCT): one
            # constraint for open cells, one for closed ones.
            models.UniqueConstraint(
                fields=["programme", "month", "category", "status", "outcome"],
                condition=Q(closed_month__isnull=True), name="monthlycount_one_open_cell",
            ),
            models.UniqueConstraint(
                fields=["programme", "month", "category", "status", "outcome", "closed_month"],
                condition=Q(closed_month__isnull=False), name="monthlycount_one_closed_cell",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {format_month(self.month)} {self.category} {self.status}: {self.requests}"


class DataVersionQuerySet(models.QuerySet):
    def bump(self, months: list[tuple[int, dt.date]]) -> None:
        """Add one to the version of each (programme id, month), in the order given."""
        self._upsert(months, step=1)

    def hold(self, months: list[tuple[int, dt.date]]) -> None:
        """Lock the rows of these (programme id, month), sorted, until the transaction
        ends, as a writer's bump does, without changing them: writers of those months
        wait, and the holder waits for the writers already there."""
        self._upsert(sorted(months), step=0)

    def _upsert(self, months: list[tuple[int, dt.date]], *, step: int) -> None:
        table = connection.ops.quote_name(DataVersion._meta.db_table)
        # One upsert, valid on PostgreSQL and SQLite: rows are locked in the order of
        # the VALUES, so writers that share months take them in the same order.
        values = ", ".join([f"(%s, %s, {step:d})"] * len(months))
        params = [value for programme_id, month in months
                  for value in (programme_id, connection.ops.adapt_datefield_value(month))]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (programme_id, month, version) VALUES {values} "  # nosec B608: no user input
                f"ON CONFLICT (programme_id, month) DO UPDATE SET version = {table}.version + {step:d}",
                params,
            )


class DataVersion(models.Model):
    """How many times the requests of a programme received in a month have changed. A
    report keeps the sum over its scope and months; a different sum later means its
    data may have changed, found without counting anything."""

    # Protected: the sum must never go down, or a report could look unchanged again.
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    version = models.PositiveBigIntegerField(default=0)

    objects = DataVersionQuerySet.as_manager()

    class Meta:
        default_permissions = ()
        constraints = [
            first_of_month_constraint("month", "dataversion_month_is_first_day"),
            models.UniqueConstraint(fields=["programme", "month"], name="dataversion_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {format_month(self.month)} v{self.version}"
