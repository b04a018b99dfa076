"""The two sides the counts tests compare: the table of monthly counts, and a count of
the requests themselves (the GROUP BY that counts.py ran before the table existed)."""

from django.db.models import Count

from intake.models import Cell, HelpRequest, MonthlyCount


def table() -> dict[Cell, int]:
    """The table's cells that have requests (cells emptied since are kept at 0)."""
    rows = MonthlyCount.objects.filter(requests__gt=0).values_list(*Cell._fields, "requests")
    return {Cell(*row[:-1]): row[-1] for row in rows}


def counted() -> dict[Cell, int]:
    """Every cell of the requests as they are, counted one by one by the database."""
    rows = HelpRequest.objects.values_list(*Cell._fields).annotate(n=Count("id")).order_by()
    return {Cell(*row[:-1]): row[-1] for row in rows}


def assert_counts_match() -> None:
    assert table() == counted()
    assert not MonthlyCount.objects.filter(requests__lt=0).exists()
