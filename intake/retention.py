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
from functools import cached_property
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.db import connection, models, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from . import audit
from .audit_actions import Action
from .cells import cells_add_collapsed
from .locks import hold_programmes
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
        hold_programmes([programme.pk])
        review = MonthReview.objects.select_for_update().filter(programme=programme, month=month).first()
        (review or MonthReview(programme=programme, month=month)).check_can_collapse()
        closed = HelpRequest.objects.filter(programme=programme, status=Status.CLOSED, closed_month=month)
        collapsed = _collapse(closed)
        audit.record(actor, Action.MONTH_COLLAPSED, f"{programme.slug} {format_month(month)}, {collapsed}")
    return collapsed


def _collapse(requests) -> int:
    """Delete `requests`, keeping them in the counts as counts only, and take the undo
    from the entries that logged or moved them. In the caller's transaction."""
    # The entries first, then the requests, each in the order of their ids: the lock
    # order (intake/locks.py), so this and an undo wait for each other.
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
# token, say) is purged by adding its line. Every model whose rows link to an account
# (a foreign key to the user model, or to a row an account owns) has a line there, or
# its link is in CLEARED: tests/test_purge.py fails for one that has neither.


@dataclass(frozen=True)
class Scope:
    """What a purge covers: one programme, or all (None); and the accounts it deletes."""

    programme: Programme | None
    accounts: models.QuerySet

    def by_programme(self, path: str = "programme") -> Q:
        return Q() if self.programme is None else Q(**{path: self.programme})

    @cached_property
    def api_tokens(self) -> list[int]:
        """The API tokens that cover the programme: read once, before their links to
        programmes are deleted."""
        from django.apps import apps

        tokens = apps.get_model("api.ApiToken").objects.filter(programmes=self.programme)
        return sorted(set(tokens.values_list("pk", flat=True)))

    @cached_property
    def usernames(self) -> list[str]:
        return list(self.accounts.values_list("username", flat=True))


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
    return Q(user__in=scope.accounts) | Q(content_type__model="user", object_id__in=ids) | Q(
        object_repr__in=scope.usernames)


def _of_accounts(path: str = "user") -> Callable[[Scope], Q]:
    """The rows of the accounts deleted, found by `path` to the account."""
    return lambda scope: Q(**{f"{path}__in": scope.accounts})


def _of_usernames(path: str) -> Callable[[Scope], Q]:
    """Login records of the usernames of the accounts deleted; all of them in a purge
    of all (they may name no account)."""
    return lambda scope: Q() if scope.programme is None else Q(**{f"{path}__in": scope.usernames})


def _api_token_rows(path: str) -> Callable[[Scope], Q]:
    """API tokens (and what hangs on them) that cover the programme purged, or all."""
    return lambda scope: Q() if scope.programme is None else Q(**{f"{path}__in": scope.api_tokens})


def _session_rows(scope: Scope) -> Q:
    """Every session in a purge of all; otherwise those of the accounts deleted, found
    by reading each session (its account is inside the signed data, not in a column)."""
    if scope.programme is None:
        return Q()
    store = _session_store()
    ids = {str(pk) for pk in scope.accounts.values_list("pk", flat=True)}
    sessions = store.get_model_class().objects.values_list("session_key", "session_data")
    keys = [key for key, data in sessions.iterator() if str(store().decode(data).get(SESSION_KEY)) in ids]
    return Q(session_key__in=keys)


SESSIONS = "sessions.Session"

# (model label, what its rows say, the rows of a scope to delete), in the order they are
# deleted: a row goes before the rows it points at (a test checks). Accounts are deleted
# last, by PURGED_ACCOUNTS.
PURGED: list[tuple[str, str, Callable[[Scope], Q]]] = [
    ("intake.MovedRequest", "which requests each move changed", lambda scope: scope.by_programme("entry__programme")),
    ("intake.HelpRequest", "requests and their references", lambda scope: scope.by_programme()),
    ("intake.Entry", "who logged, moved or imported what", lambda scope: scope.by_programme()),
    ("intake.MonthWriter", "who changed the requests of which month", lambda scope: scope.by_programme()),
    ("intake.AuditEvent", "the audit log: who did what, and when", _audit_rows),
    ("admin.LogEntry", "the admin's change log: accounts changed, and by whom", _admin_log_rows),
    (SESSIONS, "logged-in sessions: everyone's, or those of the accounts deleted", _session_rows),
    ("otp_totp.TOTPDevice", "authenticator apps of the accounts deleted", _of_accounts()),
    ("otp_static.StaticToken", "backup codes of the accounts deleted", _of_accounts("device__user")),
    ("otp_static.StaticDevice", "backup code lists of the accounts deleted", _of_accounts()),
    ("intake.User_groups", "roles of the accounts deleted", _of_accounts()),
    ("intake.User_user_permissions", "permissions of the accounts deleted", _of_accounts()),
    ("intake.Programme_members", "programmes the accounts deleted coordinated", _of_accounts()),
    ("api.ApiUse", "how often each API token was used, by month", _api_token_rows("token")),
    ("api.ApiToken_programmes", "which programmes each API token covered", _api_token_rows("apitoken")),
    ("api.ApiToken", "API tokens and the partners they were issued to", _api_token_rows("pk")),
    ("axes.AccessAttemptExpiration", "login lockouts", _of_usernames("access_attempt__username")),
    ("axes.AccessAttempt", "failed logins", _of_usernames("username")),
    ("axes.AccessFailureLog", "failed logins", _of_usernames("username")),
    ("axes.AccessLog", "logins", _of_usernames("username")),
]

# Links to an account in rows that are kept: emptied where they name an account deleted.
CLEARED = {
    "intake.Entry.author": "who logged, moved or imported an entry of a programme not purged",
    "intake.MonthReview.submitted_by": "who submitted a month",
    "intake.MonthReview.unlock_requested_by": "who asked for a month's unlock",
}

PURGED_ACCOUNTS = "intake.User"


def account_links(candidates, account=None) -> list[tuple[str, type[models.Model]]]:
    """("app.Model.field", model) for every foreign key of `candidates` to the account
    model (User), or to a model whose rows an account owns (deleted with it, as backup
    codes with their list): the rows a purge must delete or clear before the accounts."""
    account = account or User
    candidates = [model for model in candidates if model is not account]

    def keys(model):
        return [field for field in model._meta.concrete_fields if field.many_to_one or field.one_to_one]

    owned = {account}
    grown = True
    while grown:
        grown = False
        for model in candidates:
            if model not in owned and any(field.related_model in owned and field.remote_field.on_delete is models.CASCADE
                                          for field in keys(model)):
                owned.add(model)
                grown = True
    return [(f"{model._meta.label}.{field.name}", model)
            for model in candidates for field in keys(model) if field.related_model in owned]


def unhandled_account_links(candidates, account=None) -> list[str]:
    """The links to accounts (account_links) that neither a line of PURGED nor CLEARED
    handles: a purge would leave their rows, or fail on them."""
    purged = {label.lower() for label, _what, _rows in PURGED}
    return sorted(link for link, model in account_links(candidates, account)
                  if model._meta.label_lower not in purged and link not in CLEARED)


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
    accounts; returns how many rows of each model were deleted. One transaction: all of
    it, or nothing.

    Locks (the lock order, intake/locks.py): the write lock of the programme purged
    (of every programme), alone, so that its writers under way finish first and later
    ones wait for the purge; then, in the order of their ids, the month reviews, entries
    and requests it changes that writers of other programmes may hold. Writers of other
    programmes wait for nothing else: a purge of one programme does not stop them."""
    from django.apps import apps
    from django.core.cache.backends.db import DatabaseCache

    deleted: dict[str, int] = {}
    with transaction.atomic():
        if programme is None:
            if connection.vendor == "postgresql":
                # No programme is added while all are purged.
                with connection.cursor() as cursor:
                    cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Programme._meta.db_table)} IN SHARE MODE")
            hold_programmes(Programme.objects.values_list("pk", flat=True), alone=True)
        else:
            hold_programmes([programme.pk], alone=True)
        accounts = purge_accounts(programme)
        scope = Scope(programme, User.objects.filter(pk__in=list(accounts.values_list("pk", flat=True))))
        _lock_shared_rows(scope)
        if programme is not None:
            # An import is the entry of its first row's programme and may hold other
            # programmes' requests: those stay, without their entry, and an entry of
            # another programme that held some of this one's can no longer be undone.
            HelpRequest.objects.filter(entry__programme=programme).exclude(programme=programme).update(entry=None)
            Entry.objects.filter(requests__programme=programme).exclude(programme=programme).update(collapsed=True)
        for label, _what, rows in PURGED:
            if label == SESSIONS:
                deleted[label] = _end_sessions(scope)
                continue
            model = apps.get_model(label)
            matching = model._base_manager.filter(rows(scope))
            deleted[label] = matching.count()
            matching._raw_delete(matching.db)
        # Every request of the scope is now a count only: reports keep their figures.
        MonthlyCount.objects.filter(scope.by_programme()).update(collapsed=F("requests"))
        reviews = MonthReview.objects.filter(scope.by_programme())
        reviews.filter(state=MonthReview.State.RETURNED).update(state=MonthReview.State.OPEN, return_reason="",
                                                                 report_version=None)
        reviews.update(unlock_reason="", unlocked_until=None, submitted_by=None, unlock_requested_by=None)
        for link in CLEARED:
            label, field = link.rsplit(".", 1)
            apps.get_model(label)._base_manager.filter(**{f"{field}__in": scope.accounts}).update(**{field: None})
        deleted[PURGED_ACCOUNTS] = scope.accounts.delete()[1].get(User._meta.label, 0)
        # The times the database's migrations were applied, to the month: they tell when
        # the server was set up or updated, and nothing finer.
        _migrations_to_the_month()
        if programme is None:
            # The caches in the database: undone entries and import previews ("default"),
            # counts of wrong passwords and codes ("security"). A purge of one programme
            # leaves them alone, for they hold everyone's login and code counters.
            for cache in caches.all():
                if isinstance(cache, DatabaseCache):
                    cache.clear()
    return deleted


def _lock_shared_rows(scope: Scope) -> None:
    """Lock, in the lock order, the rows the purge changes that writers not excluded by
    the programmes' write locks may hold: month reviews (the clean-up of ended unlocks),
    and for one programme the entries and requests of imports that span programmes and
    the entries and reviews of other programmes that name an account deleted."""
    reviews = MonthReview.objects.all()
    if scope.programme is not None:
        reviews = reviews.filter(Q(programme=scope.programme) | Q(submitted_by__in=scope.accounts)
                                 | Q(unlock_requested_by__in=scope.accounts))
    list(reviews.select_for_update().order_by("pk").values_list("pk", flat=True))
    if scope.programme is None:
        return
    programme = scope.programme
    # Imports spanning programmes: this programme's requests in entries of others, and
    # other programmes' requests in entries of this one.
    theirs_here = HelpRequest.objects.filter(entry__programme=programme).exclude(programme=programme)
    ours_there = HelpRequest.objects.filter(programme=programme).exclude(entry__programme=programme)
    entries = Entry.objects.filter(Q(pk__in=theirs_here.values("entry")) | Q(pk__in=ours_there.values("entry"))
                                   | Q(author__in=scope.accounts) & ~Q(programme=programme))
    list(entries.select_for_update().order_by("pk").values_list("pk", flat=True))
    list(theirs_here.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def sessions_searchable() -> bool:
    """Whether the session engine keeps sessions in a table the purge can search (the
    database, or the database behind a cache). Elsewhere (the cache alone, signed
    cookies, files) the sessions of the accounts deleted are left, and end at their
    next request, for their account is gone."""
    return hasattr(_session_store(), "get_model_class")


def _end_sessions(scope: Scope) -> int:
    """End the sessions of the scope (_session_rows); returns how many."""
    if not sessions_searchable():
        return 0
    store = _session_store()
    matching = store.get_model_class()._base_manager.filter(_session_rows(scope))
    keys = list(matching.values_list("session_key", flat=True))
    matching._raw_delete(matching.db)
    prefix = getattr(store, "cache_key_prefix", None)
    if prefix is not None:  # cached_db: the copies in the cache go too
        caches[settings.SESSION_CACHE_ALIAS].delete_many([prefix + key for key in keys])
    return len(keys)


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


# How far the check follows foreign keys from the accounts table: a row that points at
# a row (that points at a row) that points at an account.
LINK_DEPTH = 3


def account_rows_by_foreign_keys() -> list[tuple[str, int]]:
    """For every chain of foreign keys in the database that ends at the accounts table,
    how many rows lead to an account a purge of all deletes (any but an administrator's):
    ("table.column -> table.column", n), the rows counted being those of the first
    table. Read from the database's own catalogue, not from the models: a table the app
    was never told of is counted too."""
    introspection, quote = connection.introspection, connection.ops.quote_name
    accounts = User._meta.db_table
    found: list[tuple[str, int]] = []
    with connection.cursor() as cursor:
        pointing: dict[str, list[tuple[str, str, str]]] = {}  # table -> (table, column, column pointed at)
        for table in introspection.table_names(cursor):
            for column, (target_column, target) in introspection.get_relations(cursor, table).items():
                pointing.setdefault(target, []).append((table, column, target_column))
        # (the tables of a chain, its first first; its name; which rows of its first table lead to such an account)
        chains = [([accounts], "", f"{quote(User._meta.get_field('is_superuser').column)} = %s")]
        for _depth in range(LINK_DEPTH):
            longer = []
            for tables, name, condition in chains:
                for table, column, target_column in sorted(pointing.get(tables[0], [])):
                    if table in tables:
                        continue
                    # nosec B608 below: names from the database's catalogue, quoted; the one value a parameter.
                    leading = (f"{quote(column)} IN (SELECT {quote(target_column)} FROM {quote(tables[0])} "  # nosec B608
                               f"WHERE {condition})")
                    cursor.execute(f"SELECT COUNT(*) FROM {quote(table)} WHERE {leading}", [False])  # nosec B608
                    link = f"{table}.{column}" + (f" -> {name}" if name else "")
                    found.append((link, cursor.fetchone()[0]))
                    longer.append(([table, *tables], link, leading))
            chains = longer
    return found
