"""What the database keeps, and for how long (docs/design.md, "Collapse" and "Emergency
purge").

Collapse: once a programme's month is accepted, the requests closed in it will not
change again, so their rows are replaced by their counts. The rows and references are
deleted; the counts table keeps every number and notes, per cell, how many of them are
counts only (`MonthlyCount.collapsed`), so reports, fingerprints and check_counts stay
exact. Entries that logged or moved a collapsed request keep their place in the record
but can no longer be undone (`Entry.collapsed`).
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from . import audit
from .audit_actions import Action
from .cells import cells_add_collapsed
from .models import Cell, Entry, HelpRequest, MonthlyCount, MonthReview, MovedRequest, Programme, Status, User
from .months import add_months, current_month, format_month


def collapsible_count(*, programme: Programme, month: dt.date) -> int:
    """How many requests of `programme` closed in `month` are still rows: what a
    collapse of the month would delete. One query over the counts table."""
    cells = MonthlyCount.objects.filter(programme=programme, status=Status.CLOSED, closed_month=month)
    return cells.aggregate(n=Sum(F("requests") - F("collapsed")))["n"] or 0


def month_collapse(*, programme: Programme, month: dt.date, actor: User | None) -> int:
    """Delete the requests of `programme` closed in `month`, an accepted month that is
    locked, keeping them as counts; returns how many. ValidationError, and nothing
    changed, if the month is not accepted or is unlocked for corrections."""
    with transaction.atomic():
        review = MonthReview.objects.select_for_update().filter(programme=programme, month=month).first()
        (review or MonthReview(programme=programme, month=month)).check_can_collapse()
        closed = HelpRequest.objects.filter(programme=programme, status=Status.CLOSED, closed_month=month)
        collapsed = _collapse(closed)
        audit.record(actor, Action.MONTH_COLLAPSED, f"{programme.slug} {format_month(month)}, {collapsed}")
    return collapsed


def _collapse(requests) -> int:
    """Delete `requests`, keeping them in the counts as counts only, and take the undo
    from the entries that logged or moved them. In the caller's transaction."""
    # The entries first, then the requests, each in the order of their ids: the order
    # an undo takes them in (intake/services.py), so the two wait for each other.
    entry_ids = set(requests.exclude(entry=None).values_list("entry_id", flat=True))
    entry_ids |= set(MovedRequest.objects.filter(request__in=requests).values_list("entry_id", flat=True))
    list(Entry.objects.select_for_update().filter(pk__in=entry_ids).order_by("pk").values_list("pk", flat=True))
    cells = Counter(
        Cell(*row[1:]) for row in requests.select_for_update().order_by("pk").values_list("pk", *Cell._fields)
    )
    if not cells:
        return 0
    Entry.objects.filter(pk__in=entry_ids).update(collapsed=True)
    MovedRequest.objects.filter(request__in=requests)._raw_delete(MovedRequest.objects.db)
    requests._raw_delete(requests.db)
    cells_add_collapsed(cells)
    return sum(cells.values())


def months_to_collapse() -> list[MonthReview]:
    """The accepted, locked months accepted at least COLLAPSE_AFTER_MONTHS months ago
    that still have closed requests as rows; none while the setting is off."""
    after = settings.COLLAPSE_AFTER_MONTHS
    if after is None:
        return []
    reviews = MonthReview.objects.locking().filter(
        state=MonthReview.State.ACCEPTED, accepted_in__lte=add_months(current_month(), -after)
    ).select_related("programme").order_by("month", "programme__slug")
    return [review for review in reviews if collapsible_count(programme=review.programme, month=review.month)]


def collapse_due_months() -> int:
    """Collapse every month months_to_collapse names, one transaction each; returns
    how many requests were collapsed."""
    return sum(month_collapse(programme=review.programme, month=review.month, actor=None)
               for review in months_to_collapse())


# --- Emergency purge ---------------------------------------------------------------------------
#
# `manage.py purge --confirm all` (or a programme's slug) deletes everything that says
# who did what, or which request was which, and keeps the monthly counts and the
# reports (every version, with its fingerprint). What it deletes is the registry
# below, one line a model: a model added to the app that holds such things (an API
# token, say) is purged by adding its line.


@dataclass(frozen=True)
class Scope:
    """What a purge covers: one programme, or all (None); and the accounts it deletes."""

    programme: Programme | None
    accounts: models.QuerySet

    def by_programme(self, path: str = "programme") -> Q:
        return Q() if self.programme is None else Q(**{path: self.programme})


def _audit_rows(scope: Scope) -> Q:
    if scope.programme is None:
        return Q()
    slug = scope.programme.slug
    # Events name their programme first ("help 2026-02 v3", "help, 12"); those of the
    # accounts deleted go too, whatever they concern.
    return Q(subject__startswith=f"{slug} ") | Q(subject__startswith=f"{slug},") | Q(actor__in=scope.accounts)


def _admin_log_rows(scope: Scope) -> Q:
    if scope.programme is None:
        return Q()
    ids = [str(pk) for pk in scope.accounts.values_list("pk", flat=True)]
    names = list(scope.accounts.values_list("username", flat=True))
    return Q(user__in=scope.accounts) | Q(content_type__model="user", object_id__in=ids) | Q(object_repr__in=names)


def _of_accounts(scope: Scope) -> Q:
    return Q(user__in=scope.accounts)


def _everything(scope: Scope) -> Q:
    return Q()


def _api_token_rows(lookup: str) -> Callable[[Scope], Q]:
    """API tokens (and what hangs on them) that cover the programme purged, or all. Their
    programme links go last: on both databases a foreign key is checked at commit."""
    return lambda scope: Q() if scope.programme is None else Q(**{lookup: scope.programme})


def _orphaned_token_links(scope: Scope) -> Q:
    from django.apps import apps

    return ~Q(apitoken__in=apps.get_model("api.ApiToken").objects.all())


# (model label, what its rows say, the rows of a scope to delete), in the order they are
# deleted. Accounts are deleted last, by PURGED_ACCOUNTS.
PURGED: list[tuple[str, str, Callable[[Scope], Q]]] = [
    ("intake.MovedRequest", "which requests each move changed", lambda scope: scope.by_programme("entry__programme")),
    ("intake.HelpRequest", "requests and their references", lambda scope: scope.by_programme()),
    ("intake.Entry", "who logged, moved or imported what", lambda scope: scope.by_programme()),
    ("intake.MonthWriter", "who changed the requests of which month", lambda scope: scope.by_programme()),
    ("intake.AuditEvent", "the audit log: who did what, and when", _audit_rows),
    ("admin.LogEntry", "the admin's change log: accounts changed, and by whom", _admin_log_rows),
    ("sessions.Session", "logged-in sessions", _everything),
    ("otp_totp.TOTPDevice", "second-factor devices of the accounts deleted", _of_accounts),
    ("otp_static.StaticDevice", "backup codes of the accounts deleted", _of_accounts),
    ("api.ApiUse", "how often each API token was used, by month", _api_token_rows("token__programmes")),
    ("api.ApiToken", "API tokens and the partners they were issued to", _api_token_rows("programmes")),
    ("api.ApiToken_programmes", "which programmes each API token covered", _orphaned_token_links),
    ("axes.AccessAttempt", "failed logins", _everything),
    ("axes.AccessFailureLog", "failed logins", _everything),
    ("axes.AccessLog", "logins", _everything),
    ("axes.AccessAttemptExpiration", "login lockouts", _everything),
]


def purge_accounts(programme: Programme | None) -> models.QuerySet:
    """The accounts a purge deletes: every one but the administrators (superusers); for
    one programme, its coordinators who coordinate no other programme."""
    accounts = User.objects.filter(is_superuser=False)
    if programme is None:
        return accounts
    others = Programme.members.through.objects.exclude(programme=programme).values("user")
    return accounts.filter(programmes=programme).exclude(pk__in=others)


def purge(programme: Programme | None) -> dict[str, int]:
    """Delete what the registry names for `programme` (None: all), clear the reasons of
    its month reviews, keep its requests' counts as counts only, and delete its
    accounts; returns how many rows of each model were deleted. One transaction:
    writers wait until it is over."""
    from django.apps import apps
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    deleted: dict[str, int] = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                tables = ", ".join(model._meta.db_table for model in (HelpRequest, MonthlyCount, Entry))
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        accounts = purge_accounts(programme)
        scope = Scope(programme, User.objects.filter(pk__in=list(accounts.values_list("pk", flat=True))))
        if programme is not None:
            # An import is the entry of its first row's programme and may hold other
            # programmes' requests: those stay, without their entry, and an entry of
            # another programme that held some of this one's can no longer be undone.
            HelpRequest.objects.filter(entry__programme=programme).exclude(programme=programme).update(entry=None)
            Entry.objects.filter(requests__programme=programme).exclude(programme=programme).update(collapsed=True)
        # Every request of the scope becomes a count only: reports keep their figures.
        MonthlyCount.objects.filter(scope.by_programme()).update(collapsed=F("requests"))
        for label, _what, rows in PURGED:
            model = apps.get_model(label)
            matching = model._base_manager.filter(rows(scope))
            deleted[label] = matching.count()
            matching._raw_delete(matching.db)
        reviews = MonthReview.objects.filter(scope.by_programme())
        reviews.filter(state=MonthReview.State.RETURNED).update(state=MonthReview.State.OPEN, return_reason="",
                                                                 report_version=None)
        reviews.update(unlock_reason="", unlocked_until=None, submitted_by=None, unlock_requested_by=None)
        deleted[PURGED_ACCOUNTS] = scope.accounts.delete()[1].get(User._meta.label, 0)
        # The times the database's migrations were applied, to the month: they tell when
        # the server was set up or updated, and nothing finer.
        _migrations_to_the_month()
        # The caches in the database: undone entries and import previews ("default"),
        # counts of wrong passwords and codes ("security").
        for cache in caches.all():
            if isinstance(cache, DatabaseCache):
                cache.clear()
    return deleted


PURGED_ACCOUNTS = "intake.User"


def _migrations_to_the_month() -> None:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder.Migration
    for pk, applied in recorder.objects.values_list("pk", "applied"):
        start = timezone.localtime(applied, dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        if start != applied:
            recorder.objects.filter(pk=pk).update(applied=start)


def purge_remaining() -> list[tuple[str, str, int]]:
    """What a purge of all would delete that is in the database now: (model, what its
    rows say, how many); a purge just done leaves every number at 0."""
    from django.apps import apps

    scope = Scope(None, purge_accounts(None))
    remaining = [(label, what, apps.get_model(label)._base_manager.filter(rows(scope)).count())
                 for label, what, rows in PURGED]
    remaining.append((PURGED_ACCOUNTS, "accounts other than administrators", scope.accounts.count()))
    return remaining
