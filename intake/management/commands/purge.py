"""Emergency purge (docs/operations.md, "Emergency purge: runbook"): delete every request, reference,
entry, audit event, session and account but the administrators, keeping the monthly
counts and the reports."""

from django.core.management.base import BaseCommand, CommandError

from intake.models import Programme
from intake.retention import PURGED_ACCOUNTS, purge, purge_remaining


class Command(BaseCommand):
    help = (
        "Emergency purge: delete every request and its reference, every entry, move and audit event, the "
        "admin's change log, every session, and every account except the administrators (superusers), of "
        "all programmes (--confirm all) or of one (--confirm SLUG). The monthly counts and the reports, "
        "every version with its fingerprint, stay. --check lists what a purge would still find."
    )

    def add_arguments(self, parser):
        parser.add_argument("--confirm", metavar="all|SLUG", help="What to purge: `all`, or a programme's slug.")
        parser.add_argument("--check", action="store_true",
                            help="Purge nothing: list how many rows of each kind a purge of all would delete "
                                 "(0 everywhere after one), and exit 1 if any.")

    def handle(self, *args, confirm: str | None = None, check: bool = False, **options):
        if check:
            return self._check()
        slugs = sorted(Programme.objects.values_list("slug", flat=True))
        if not confirm:
            raise CommandError(
                "Refused: nothing was deleted. A purge cannot be undone; say what to purge with "
                "`--confirm all` or `--confirm SLUG` (programmes: " + (", ".join(slugs) or "none") + ")."
            )
        if confirm == "all":
            programme = None
        elif confirm in slugs:
            programme = Programme.objects.get(slug=confirm)
        else:
            raise CommandError(f"Refused: nothing was deleted. No programme is called {confirm!r}; "
                               f"use `--confirm all` or one of: {', '.join(slugs) or 'none'}.")
        deleted = purge(programme)
        self.stdout.write(f"Purged {'all programmes' if programme is None else programme.slug}:")
        for label, count in deleted.items():
            self.stdout.write(f"  {label}: {count} deleted")
        self.stdout.write("Kept: the monthly counts, the reports (every version, with its fingerprint), the "
                          "programmes, the reference figures and the administrators' accounts.")

    def _check(self):
        remaining = purge_remaining()
        for label, what, count in remaining:
            self.stdout.write(f"  {label} ({what}): {count}")
        left = sum(count for _label, _what, count in remaining)
        if left:
            raise CommandError(f"{left} row(s) a purge of all would delete are in the database.")
        self.stdout.write(f"Nothing a purge deletes is left (accounts: {PURGED_ACCOUNTS}, administrators only).")
