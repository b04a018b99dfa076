"""Emergency purge (docs/operations.md, "Emergency purge: runbook"): delete every request, reference,
entry, audit event, session and account but the administrators, keeping the monthly
counts and the reports."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from intake.models import Programme
from intake.retention import (
    PURGED_ACCOUNTS,
    SESSIONS,
    account_rows_by_foreign_keys,
    purge,
    purge_remaining,
    sessions_searchable,
)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


class Command(BaseCommand):
    help = (
        "Emergency purge: delete every request and its reference, every entry, move and audit event, the "
        "admin's change log, every session, and every account except the administrators (superusers), of "
        "all programmes (--confirm all) or of one (--confirm SLUG: its requests, and the accounts of its "
        "coordinators who coordinate no other, who alone are logged out). The monthly counts and the "
        "reports, every version with its fingerprint, stay. --check lists what a purge would still find."
    )

    def add_arguments(self, parser):
        parser.add_argument("--confirm", metavar="all|SLUG", help="What to purge: `all`, or a programme's slug.")
        parser.add_argument("--check", action="store_true",
                            help="Purge nothing: list how many rows of each kind a purge of all would delete, "
                                 "and every table holding rows of the accounts it would delete (0 everywhere "
                                 "after one), and exit 1 if any.")

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
        try:
            deleted = purge(programme)
        except IntegrityError as exc:
            raise CommandError(
                f"Nothing was deleted: the database refused the purge ({str(exc).splitlines()[0]}). If a table "
                "the app does not know holds rows of the accounts it deletes, `manage.py purge --check` names it."
            ) from exc
        self.stdout.write(f"Purged {'all programmes' if programme is None else programme.slug}:")
        for label, count in deleted.items():
            self.stdout.write(f"  {label}: {count} deleted")
        self.stdout.write(self._logged_out(programme, deleted[SESSIONS], deleted[PURGED_ACCOUNTS]))
        if programme is None:
            self.stdout.write("Emptied: the default cache (entries undone lately, import previews).")
        else:
            self.stdout.write("Left as it is: the cache, which holds everyone's login and code counters.")
        self.stdout.write("Kept: the monthly counts, the reports (every version, with its fingerprint), the "
                          "programmes, the reference figures and the administrators' accounts.")

    @staticmethod
    def _logged_out(programme, sessions: int, accounts: int) -> str:
        if not sessions_searchable():
            return (f"Logged out: the {_plural(accounts, 'account')} deleted, whose sessions "
                    f"({settings.SESSION_ENGINE}) cannot be searched: they end at their next request, the "
                    "account being gone; every other session stays.")
        if programme is None:
            return f"Logged out: everyone ({_plural(sessions, 'session')})."
        return (f"Logged out: {_plural(sessions, 'session')} of the {_plural(accounts, 'account')} deleted; "
                "nobody else was logged out.")

    def _check(self):
        remaining = purge_remaining()
        self.stdout.write("What a purge of all deletes, and how many rows of each kind are in the database:")
        for label, what, count in remaining:
            self.stdout.write(f"  {label} ({what}): {count}")
        linked = account_rows_by_foreign_keys()
        self.stdout.write("Rows that lead to an account other than an administrator's, by the database's "
                          "foreign keys (table.column -> the table.column it points at):")
        for link, count in linked:
            self.stdout.write(f"  {link}: {count}")
        left = [count for _label, _what, count in remaining if count] + [count for _link, count in linked if count]
        if left:
            raise CommandError(f"Rows a purge of all would delete are in the database ({len(left)} line(s) above "
                               "are not 0).")
        self.stdout.write(f"Nothing a purge deletes is left (accounts: {PURGED_ACCOUNTS}, administrators only).")
