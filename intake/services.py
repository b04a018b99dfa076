"""Writes of requests: log them, change one, undo an entry, move many, import a file.

Each is one transaction with its audit event, noted with the acting account passed in:
all of it is written, or nothing.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import audit
from .models import Entry, HelpRequest, Programme, Status, User, check_transition, new_reference

# A count is what one coordinator logs for one month and category at once; more
# than this is almost certainly a typing slip (an extra zero).
MAX_COUNT = 5000
# One CSV import writes at most this many requests: a few months of a large
# organisation's counts, and what a web worker writes in 3 to 5 seconds on PostgreSQL
# (5 to 8 on SQLite; measured on a busy 2-core machine), well inside gunicorn's 30-second
# timeout. A larger file is refused before anything is written, with a request to split it.
MAX_IMPORT_REQUESTS = 50_000
# Requests are built and inserted this many at a time.
INSERT_BATCH = 1000


@dataclass(frozen=True)
class RequestSpec:
    """What a group of identical requests has: everything but their references."""

    programme: Programme
    month: dt.date
    category: str
    status: str = Status.NEW
    outcome: str = ""
    closed_month: dt.date | None = None

    def validate(self) -> None:
        """The model's rules, raised as a ValidationError keyed by field."""
        HelpRequest(**self.fields()).clean()

    def fields(self) -> dict:
        return {
            "programme": self.programme,
            "month": self.month,
            "category": self.category,
            "status": self.status,
            "outcome": self.outcome,
            "closed_month": self.closed_month,
        }


# ASCII digits only: int() also reads "٥", "１２", "1_0" and "+5". A minus is read, so
# that "-3" is refused as out of range, which says more than "not in digits".
_DIGITS_RE = re.compile(r"-?[0-9]+")


def parse_count(text: str) -> int:
    """'12' -> 12; ValueError for anything but the digits 0-9 (spaces around are dropped)."""
    text = text.strip()
    if not _DIGITS_RE.fullmatch(text):
        raise ValueError(f"{text!r} is not a number in the digits 0-9")
    return int(text)  # ValueError past Python's 4,300 digits, too


def check_count(count: int) -> None:
    if not 1 <= count <= MAX_COUNT:
        raise ValidationError(
            {"count": _("The count must be between 1 and %(max)s.") % {"max": number_format(MAX_COUNT, force_grouping=True)}}
        )


def requests_log(*, spec: RequestSpec, count: int = 1, author: User | None, kind: str = Entry.Kind.COUNT) -> Entry:
    """Log `count` identical requests as one entry, in one transaction."""
    check_count(count)
    spec.validate()
    with transaction.atomic():
        entry = _create_entries([(spec, count)], author=author, kind=kind)[0]
        audit.record(author, audit.Action.REQUESTS_LOGGED, f"{spec.programme.slug}, {count}")
    return entry


def _create_entries(groups: list[tuple[RequestSpec, int]], *, author: User | None, kind: str) -> list[Entry]:
    # A reference collision is astronomically rare, but would abort the whole
    # transaction; one retry with fresh references settles it.
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _write_entries(groups, author=author, kind=kind)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _write_entries(groups: list[tuple[RequestSpec, int]], *, author: User | None, kind: str) -> list[Entry]:
    entries: dict[int, Entry] = {}
    for spec, _count in groups:
        entry = entries.get(spec.programme.pk)
        if entry is None:
            entries[spec.programme.pk] = Entry(programme=spec.programme, month=spec.month, kind=kind, author=author)
        else:
            entry.month = min(entry.month, spec.month)
    Entry.objects.bulk_create(entries.values())
    # bulk_create makes a list of whatever it is given: hand it one batch at a time, so
    # that only a batch of requests (and of references) is ever built.
    requests = (
        HelpRequest(**spec.fields(), entry=entries[spec.programme.pk], reference=new_reference())
        for spec, count in groups
        for _n in range(count)
    )
    while batch := list(islice(requests, INSERT_BATCH)):
        HelpRequest.objects.bulk_create(batch)
    return list(entries.values())


# How long an undone entry is remembered, so that undoing it again (a colleague at the
# same moment, a page sent twice) is told it was already undone rather than not found.
UNDONE_REMEMBERED_SECONDS = 60 * 60


class AlreadyUndone(ValidationError):
    """The entry was undone by someone else first: nothing was removed."""

    def __init__(self):
        super().__init__(_("This entry has already been undone; nothing was removed."))


def _undone_key(pk: int) -> str:
    return f"intake:entry-undone:{pk}"


def entry_undo(*, entry: Entry, actor: User | None) -> int:
    """Delete an entry and all its requests; refused once the entry is no longer recent,
    and (AlreadyUndone) when someone else undid it first."""
    pk = entry.pk
    with transaction.atomic():
        # The row stays locked until the caller commits: a second undo waits here, then finds it gone.
        locked = Entry.objects.select_for_update().filter(pk=pk)
        if not locked.exists():
            raise AlreadyUndone()
        if not locked.recent().exists():
            raise ValidationError(_("Only entries of the current or the previous month can be undone."))
        deleted, _by_model = entry.requests.all().delete()
        entry.delete()
        # In the database cache, so in this transaction: remembered only if the undo is committed.
        cache.set(_undone_key(pk), entry.programme_id, UNDONE_REMEMBERED_SECONDS)
        audit.record(actor, audit.Action.ENTRY_UNDONE, f"{entry.programme.slug}, {deleted}")
    return deleted


def entry_was_undone(*, pk: int, programmes) -> bool:
    """Whether the entry `pk` of one of `programmes` was undone lately: another
    programme's entries stay unknown."""
    programme_id = cache.get(_undone_key(pk))
    return programme_id is not None and programmes.filter(pk=programme_id).exists()


@dataclass(frozen=True)
class Move:
    """Move `count` of the requests of a programme, month, category and status."""

    programme: Programme
    month: dt.date
    category: str
    from_status: str
    count: int
    to_status: str
    outcome: str = ""
    closed_month: dt.date | None = None


def requests_move(move: Move, *, actor: User | None) -> int:
    """Move exactly `count` matching requests, the ones logged first (lowest internal
    id: a stated, repeatable rule), or none at all."""
    check_count(move.count)
    check_transition(move.from_status, move.to_status)
    RequestSpec(
        programme=move.programme, month=move.month, category=move.category, status=move.to_status,
        outcome=move.outcome, closed_month=move.closed_month,
    ).validate()
    matching = HelpRequest.objects.filter(
        programme=move.programme, month=move.month, category=move.category, status=move.from_status
    )
    closed = move.to_status == Status.CLOSED
    with transaction.atomic():
        chosen = matching.order_by("pk").values("pk")[: move.count]
        # The status is checked again in the UPDATE itself: a concurrent move of the
        # same requests then leaves fewer rows to update, and this one rolls back.
        moved = HelpRequest.objects.filter(pk__in=Subquery(chosen), status=move.from_status).update(
            status=move.to_status,
            outcome=move.outcome if closed else "",
            closed_month=move.closed_month if closed else None,
        )
        if moved != move.count:
            raise ValidationError(
                {"count": ngettext(
                    "Only %(found)s request matches; nothing was moved.",
                    "Only %(found)s requests match; nothing was moved.",
                    moved,
                ) % {"found": moved}}
            )
        audit.record(actor, audit.Action.REQUESTS_MOVED, f"{move.programme.slug}, {moved}")
    return moved


def requests_import(groups: list[tuple[RequestSpec, int]], *, author: User | None) -> list[Entry]:
    """Write the rows of a checked CSV file: one entry per programme, all or nothing."""
    check_import_total(sum(count for _spec, count in groups))
    with transaction.atomic():
        entries = _create_entries(groups, author=author, kind=Entry.Kind.IMPORT)
        total = sum(count for _spec, count in groups)
        # No account: the rows came from the command line.
        audit.record(author, audit.Action.REQUESTS_IMPORTED, str(total) if author else f"{total} (command line)")
    return entries


def check_import_total(total: int) -> None:
    if total > MAX_IMPORT_REQUESTS:
        limit = number_format(MAX_IMPORT_REQUESTS, force_grouping=True)
        raise ValidationError(_(
            "The rows of the file add up to %(total)s requests; one import takes at most %(max)s. Split the file "
            "into files of at most %(max)s requests and import them one after another."
        ) % {"total": number_format(total, force_grouping=True), "max": limit})


# One request's changes of status. The rules are the model's (start, close, reopen). The
# views lock the row first, so of two changes at once the second waits for the first and
# then finds the status it saw gone; the model's conditional UPDATE refuses it anyway.


def _request_change(help_request: HelpRequest, *, seen: str, actor: User | None, change: Callable[[], None]) -> None:
    with transaction.atomic():
        help_request.check_unchanged(seen)
        change()
        audit.record(actor, audit.Action.REQUEST_CHANGED, f"{help_request.programme.slug}, {help_request.status}")


def request_start(*, help_request: HelpRequest, seen: str, actor: User | None) -> None:
    """Start work on a request that is still in the status `seen` (ChangedElsewhere if not)."""
    _request_change(help_request, seen=seen, actor=actor, change=help_request.start)


def request_close(*, help_request: HelpRequest, seen: str, outcome: str, month: dt.date, actor: User | None) -> None:
    """Close a request that is still in the status `seen`, with its outcome and the month closed."""
    _request_change(help_request, seen=seen, actor=actor,
                    change=lambda: help_request.close(outcome=outcome, month=month))


def request_reopen(*, help_request: HelpRequest, seen: str, actor: User | None) -> None:
    """Reopen a closed request that is still in the status `seen`."""
    _request_change(help_request, seen=seen, actor=actor, change=help_request.reopen)
