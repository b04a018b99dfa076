from django.core.management.base import BaseCommand, CommandError

from intake.models import Programme
from intake.months import parse_month
from reports.publication import PublicationFailed, publish


class Command(BaseCommand):
    help = (
        "Publish an accepted month in the foreground, as the worker does at acceptance (for scripts and "
        "recovery): exit 0 when its partner and public figures are published (or were already), 1 with the "
        "reason when not."
    )

    def add_arguments(self, parser):
        parser.add_argument("month", help="The month, YYYY-MM.")
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--programme", metavar="SLUG", help="The programme whose month is accepted.")
        scope.add_argument("--all-programmes", action="store_true",
                           help="All programmes together (every programme started by then must have accepted it).")

    def handle(self, *args, month: str, programme: str | None, all_programmes: bool, **options):
        try:
            when = parse_month(month)
        except ValueError:
            raise CommandError(f"Give the month as YYYY-MM, e.g. 2023-11 (not {month[:20]!r}).") from None
        scope = None
        if programme is not None:
            scope = Programme.objects.filter(slug=programme).first()
            if scope is None:
                raise CommandError(f"There is no programme {programme[:40]!r}.")
        try:
            publications = publish(scope, when)
        except PublicationFailed as exc:
            raise CommandError(f"Not published: {exc}") from None
        for publication in publications:
            self.stdout.write(f"Published {publication} ({publication.fingerprint}).")
