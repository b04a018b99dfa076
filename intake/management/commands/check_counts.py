"""Compare the table of monthly counts with the requests themselves, for operators:
after restoring a backup, or after anything wrote requests behind the app's back."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count

from intake.cells import cells_apply
from intake.models import Cell, HelpRequest, MonthlyCount, Programme
from intake.months import format_month


class Command(BaseCommand):
    help = (
        "Compare the table of monthly counts with a count of the requests themselves. Prints "
        "'Counts match' and exits 0, or lists the cells that differ and exits 1; --fix then "
        "brings the table in line with the requests."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true",
            help="Change the cells that differ to what the requests say (reports of those months then "
                 "show that their data may have changed).",
        )

    def handle(self, *args, fix: bool = False, **options):
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    if fix:
                        # Writers of requests wait until the table is mended.
                        cursor.execute(f"LOCK TABLE {HelpRequest._meta.db_table} IN SHARE MODE")
                    elif outermost:
                        # Both sides read from one snapshot, while writers go on.
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            # The requests that are rows: a cell's requests less those kept as counts only
            # (collapsed, or purged: intake/retention.py).
            stored = list(MonthlyCount.objects.values_list(*Cell._fields, "requests", "collapsed"))
            table = {Cell(*row[:-2]): row[-2] - row[-1] for row in stored}
            counts_only = sum(row[-1] for row in stored)
            actual = {
                Cell(*row[:-1]): row[-1]
                for row in HelpRequest.objects.values_list(*Cell._fields).annotate(n=Count("id")).order_by()
            }
            differing = sorted((cell for cell in table.keys() | actual.keys()
                                if table.get(cell, 0) != actual.get(cell, 0)), key=_order)
            if not differing:
                kept = f" ({counts_only} requests kept as counts only)" if counts_only else ""
                self.stdout.write(f"Counts match: {len(actual)} cells{kept}.")
                return
            slugs = dict(Programme.objects.values_list("pk", "slug"))
            self.stdout.write(f"{len(differing)} cell(s) differ (programme, month, category, status, outcome, "
                              "month closed: in the table / counted from the requests):")
            for cell in differing:
                closed = format_month(cell.closed_month) if cell.closed_month else "-"
                self.stdout.write(
                    f"  {slugs.get(cell.programme_id, cell.programme_id)} {format_month(cell.month)} {cell.category} "
                    f"{cell.status} {cell.outcome or '-'} {closed}: {table.get(cell, 0)} / {actual.get(cell, 0)}"
                )
            if fix:
                # The requests are as they are: the table is made to say so, locked months included.
                cells_apply({cell: actual.get(cell, 0) - table.get(cell, 0) for cell in differing},
                            by=None, check_locks=False)
                self.stdout.write(f"Fixed: the table now matches the requests ({len(actual)} cells).")
                return
        raise CommandError(
            f"The table of monthly counts differs from the requests in {len(differing)} cell(s). Run "
            "`manage.py check_counts --fix` to bring it in line with the requests."
        )


def _order(cell: Cell) -> tuple:
    return (cell.programme_id, cell.month, cell.category, cell.status, cell.outcome, cell.closed_month or cell.month)
