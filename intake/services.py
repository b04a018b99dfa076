"""Writes of requests: log them, change one, undo an entry, move many, import a file.

Each is one transaction with its audit event, noted with the acting account passed in:
all of it is written, or nothing. Each takes its locks in the lock order written down in
intake/locks.py, beginning with the write lock of the programmes it writes.
"""

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import audit
from .audit_actions import Action
from .cells import cells_apply, cells_months
from .locks import hold_programmes
from .models import (
    Category,
    Cell,
    ChangedElsewhere,
    Entry,
    HelpRequest,
    MonthLocks,
    MonthWriter,
    MovedRequest,
    Programme,
    Status,
    User,
    check_transition,
    new_references,
)
from .months import current_month

# A count is what one coordinator logs for one month and category at once; more
# than this is almost certainly a typing slip (an extra zero).
MAX_COUNT = 5000
# One CSV import writes at most this many requests: a few months of a large
# organisation's counts, and what a web worker writes in 3 to 5 seconds on PostgreSQL
# (5 to 8 on SQLite; measured on a busy 2-core machine), well inside gunicorn's 30-second
# timeout. A larger file is refused before anything is written, with a request to split it.
MAX_IMPORT_REQUESTS = 50_000
# Requests are built and inserted this many at a time, in one statement each: a count
# (at most MAX_COUNT) in one, an import's few batches one after another.
INSERT_BATCH = MAX_COUNT


@dataclass(frozen=True)
class RequestSpec:
    """What a group of identical requests has: everything but their references."""

    programme: Programme
    month: dt.date
    category: str
    status: str = Status.NEW
    outcome: str = ""
    closed_month: dt.date | None = None

    def validate(self, *, adding: bool = True, locks: MonthLocks | None = None) -> None:
        """The model's rules, raised as a ValidationError keyed by field; with `adding`,
        also MonthLocked if requests cannot be added to this cell now because a month is
        locked (`locks` reads the locked months once for many specs). cells_apply
        checks again inside the write's transaction: this is for a clear message first."""
        HelpRequest(**self.fields()).clean()
        if adding:
            (locks or MonthLocks()).refuse({self.cell(): 1})

    def category_label(self) -> str:
        return str(Category(self.category).label).lower()

    def status_label(self) -> str:
        return str(Status(self.status).label).lower()

    def cell(self) -> Cell:
        return Cell(self.programme.pk, self.month, self.category, self.status, self.outcome, self.closed_month)

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


def count_allowed(count: int) -> bool:
    """Whether one count may log `count` requests: the one statement of the range."""
    return 1 <= count <= MAX_COUNT


def max_count_text() -> str:
    """MAX_COUNT as the active language writes it (5,000; 5 000)."""
    return number_format(MAX_COUNT, force_grouping=True)


def check_count(count: int) -> None:
    if not count_allowed(count):
        raise ValidationError({"count": _("The count must be between 1 and %(max)s.") % {"max": max_count_text()}})


def requests_log(*, spec: RequestSpec, count: int = 1, author: User | None, kind: str = Entry.Kind.COUNT) -> Entry:
    """Log `count` identical requests as one entry, in one transaction."""
    check_count(count)
    spec.validate(adding=False)  # the lock is checked by cells_apply, under the write's locks
    with transaction.atomic():
        hold_programmes([spec.programme.pk])
        entry = _create_entries([(spec, count)], author=author, kind=kind)[0]
        audit.record(author, Action.REQUESTS_LOGGED, f"{spec.programme.slug}, {count}")
    return entry


def requests_log_groups(groups: list[tuple[RequestSpec, int]], *, author: User | None) -> Entry:
    """Log several groups of requests (the month grid's rows) as one entry, in one
    transaction: all of them or, if any is refused (a locked month), none."""
    for spec, count in groups:
        check_count(count)
        spec.validate(adding=False)  # the lock is checked by cells_apply, under the write's locks
    with transaction.atomic():
        hold_programmes(sorted({spec.programme.pk for spec, _count in groups}))
        entry = _create_entries(groups, author=author, kind=Entry.Kind.COUNT)[0]
        audit.record(author, Action.REQUESTS_LOGGED, f"{groups[0][0].programme.slug}, {entry.size}")
    return entry


def _create_entries(groups: list[tuple[RequestSpec, int]], *, author: User | None, kind: str) -> list[Entry]:
    # A reference collision aborts the whole transaction. It is rare, but not
    # astronomically so: with a million requests stored, about one count of 5,000 in
    # 170 draws a taken reference; one retry with fresh references settles it (both
    # draws collide about once in 29,000 such counts).
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _write_entries(groups, author=author, kind=kind)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _write_entries(groups: list[tuple[RequestSpec, int]], *, author: User | None, kind: str) -> list[Entry]:
    # One entry for everything written at once, even rows of several programmes (an
    # import): it is undone as a whole, as it was written.
    entry = Entry(programme=groups[0][0].programme, month=min(spec.month for spec, _count in groups), kind=kind,
                  author=author, size=sum(count for _spec, count in groups))
    entries = {0: entry}
    Entry.objects.bulk_create(entries.values())
    rows = [(spec, entry.pk, count) for spec, count in groups]
    for batch in _batches(rows, INSERT_BATCH):
        _insert_requests(batch)
    deltas: Counter[Cell] = Counter()
    for spec, count in groups:
        deltas[spec.cell()] += count
    cells_apply(deltas, by=author)
    return list(entries.values())


_COLUMNS = ("programme_id", "month", "category", "status", "outcome", "closed_month", "entry_id", "reference")
_POSTGRESQL_TYPES = ("bigint", "date", "varchar", "varchar", "varchar", "date", "bigint", "varchar")


def _batches(rows: list[tuple[RequestSpec, int, int]], size: int) -> Iterator[list[tuple[RequestSpec, int, int]]]:
    """(spec, entry id, count) rows cut into batches of at most `size` requests, a row
    split across batches where it must: an import's 50,000 go in a few statements, a
    count of up to MAX_COUNT in one."""
    batch: list[tuple[RequestSpec, int, int]] = []
    room = size
    for spec, entry_id, count in rows:
        while count:
            taken = min(count, room)
            batch.append((spec, entry_id, taken))
            count -= taken
            room -= taken
            if not room:
                yield batch
                batch, room = [], size
    if batch:
        yield batch


def _insert_requests(groups: list[tuple[RequestSpec, int, int]]) -> None:
    """Insert `count` requests of each (spec, entry id, count), with references drawn
    all at once, in one statement: on PostgreSQL one INSERT of arrays (one value per
    column), elsewhere one prepared INSERT run for every row."""
    references = new_references(sum(count for _spec, _entry, count in groups))
    table = connection.ops.quote_name(HelpRequest._meta.db_table)
    columns = ", ".join(_COLUMNS)
    if connection.vendor == "postgresql":
        arrays: list[list] = [[] for _column in _COLUMNS[:-1]]
        for spec, entry_id, count in groups:
            for array, value in zip(arrays, (*spec.cell(), entry_id)):
                array.extend([value] * count)
        unnest = ", ".join(f"%s::{kind}[]" for kind in _POSTGRESQL_TYPES)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({unnest})",  # nosec B608: no user input
                [*arrays, references],
            )
        return
    rows, start = [], 0
    for spec, entry_id, count in groups:
        values = [connection.ops.adapt_datefield_value(value) if isinstance(value, dt.date) else value
                  for value in (*spec.cell(), entry_id)]
        rows.extend((*values, reference) for reference in references[start:start + count])
        start += count
    placeholders = ", ".join(["%s"] * len(_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # nosec B608: no user input


def requests_add(requests: Iterable[HelpRequest]) -> list[HelpRequest]:
    """Insert requests made elsewhere (the demo data), with their entries' sizes, the
    counts and their entries' authors as writers of their months, in one transaction."""
    requests = list(requests)
    with transaction.atomic():
        hold_programmes({request.programme_id for request in requests})
        made = HelpRequest.objects.bulk_create(requests, batch_size=1000)
        cells_apply(Counter(request.cell for request in made), by=None)
        sizes = Counter(request.entry_id for request in made if request.entry_id)
        for entry_id, size in sizes.items():
            Entry.objects.filter(pk=entry_id).update(size=F("size") + size)
        authors = dict(Entry.objects.filter(pk__in=list(sizes), author__isnull=False).values_list("pk", "author"))
        for author in set(authors.values()):
            MonthWriter.objects.note(User(pk=author), cells_months(
                request.cell for request in made if authors.get(request.entry_id) == author))
    return made


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
        # Every programme it changes: an import may hold requests of several.
        of_entry = HelpRequest.objects.filter(entry_id=pk).order_by().values_list("programme_id", flat=True)
        hold_programmes({entry.programme_id, *of_entry.distinct()})
        # The row stays locked until the caller commits: a second undo waits here, then finds it gone.
        current = Entry.objects.select_for_update().filter(pk=pk).first()
        if current is None:
            raise AlreadyUndone()
        current.check_undo()
        deleted = _move_back(entry, by=actor) if entry.kind == Entry.Kind.MOVE else _delete_requests(entry_id=pk,
                                                                                                   by=actor)
        entry.delete()
        # In the database cache, so in this transaction: remembered only if the undo is committed.
        cache.set(_undone_key(pk), entry.programme_id, UNDONE_REMEMBERED_SECONDS)
        audit.record(actor, Action.ENTRY_UNDONE, f"{entry.programme.slug}, {deleted}")
    return deleted


def _delete_requests(*, entry_id: int, by: User | None) -> int:
    """Delete an entry's requests and take them off the counts, each from the cell it is
    in now (it may have been moved since it was logged)."""
    of_entry = HelpRequest.objects.filter(entry_id=entry_id)
    locked = _lock(of_entry)
    of_entry.delete()  # the rows locked: no request joins an entry after it is logged
    cells_apply({cell: -n for cell, n in Counter(cell for _pk, cell in locked).items()}, by=by)
    return len(locked)


def _move_back(entry: Entry, *, by: User | None) -> int:
    """Put the requests of a move back where they were, exactly; refused, with nothing
    changed, when any of them has been changed or removed since."""
    moved = list(entry.moved.all())
    locked = dict(_lock(HelpRequest.objects.filter(pk__in=[row.request_id for row in moved])))
    changed = entry.size - sum(
        1 for row in moved if row.request_id in locked
        and locked[row.request_id][3:] == (row.to_status, row.to_outcome, row.to_closed_month)
    )
    if changed:
        raise ValidationError(ngettext(
            "%(count)s of the requests of this move has been changed or removed since; nothing was undone. "
            "Move requests back with the Move form instead.",
            "%(count)s of the requests of this move have been changed or removed since; nothing was undone. "
            "Move requests back with the Move form instead.", changed) % {"count": number_format(changed, force_grouping=True)})
    deltas: Counter[Cell] = Counter()
    by_origin: dict[tuple, list[int]] = {}
    for row in moved:
        cell = locked[row.request_id]
        origin = (row.from_status, row.from_outcome, row.from_closed_month)
        by_origin.setdefault(origin, []).append(row.request_id)
        deltas[cell] -= 1
        deltas[cell._replace(status=origin[0], outcome=origin[1], closed_month=origin[2])] += 1
    for (status, outcome, closed_month), ids in by_origin.items():
        HelpRequest.objects.filter(pk__in=ids).update(status=status, outcome=outcome, closed_month=closed_month)
    cells_apply(deltas, by=by)
    return len(moved)


def _lock(requests, limit: int | None = None) -> list[tuple[int, Cell]]:
    """Lock `requests` (the first `limit` of them) until the transaction ends, and
    return their ids and the cells they are in. Every writer locks requests this way,
    in the order of their ids, before it touches the counts: two writers of the same
    requests then wait for each other instead of deadlocking, and the cells read here
    stay true until the change is saved."""
    rows = requests.select_for_update().order_by("pk").values_list("pk", *Cell._fields)
    return [(pk, Cell(*cell)) for pk, *cell in (rows[:limit] if limit else rows)]


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
    ).validate(adding=False)  # the lock is checked on what moves, in cells_apply
    matching = HelpRequest.objects.filter(
        programme=move.programme, month=move.month, category=move.category, status=move.from_status
    )
    closed = move.to_status == Status.CLOSED
    target = Cell(move.programme.pk, move.month, move.category, move.to_status,
                  move.outcome if closed else "", move.closed_month if closed else None)
    with transaction.atomic():
        hold_programmes([move.programme.pk])
        locked = _lock(matching, limit=move.count)
        # Still in the status moved from, since they are locked.
        moved = HelpRequest.objects.filter(pk__in=[pk for pk, _cell in locked]).update(
            status=target.status, outcome=target.outcome, closed_month=target.closed_month
        )
        if moved != move.count:
            raise ValidationError(
                {"count": ngettext(
                    "Only %(found)s request matches; nothing was moved.",
                    "Only %(found)s requests match; nothing was moved.",
                    moved,
                ) % {"found": number_format(moved, force_grouping=True)}}
            )
        # Closed requests leave the cells of their outcomes and months closed.
        deltas = Counter({target: moved})
        deltas.subtract(cell for _pk, cell in locked)
        cells_apply(deltas, by=actor)
        # Remembered so that the move can be undone exactly: an entry of the month it was made in.
        entry = Entry.objects.create(programme=move.programme, month=current_month(), kind=Entry.Kind.MOVE,
                                     author=actor, size=moved)
        MovedRequest.objects.bulk_create(
            MovedRequest(entry=entry, request_id=pk, from_status=cell.status, from_outcome=cell.outcome,
                         from_closed_month=cell.closed_month, to_status=target.status, to_outcome=target.outcome,
                         to_closed_month=target.closed_month)
            for pk, cell in locked
        )
        audit.record(actor, Action.REQUESTS_MOVED, f"{move.programme.slug}, {moved}")
    return moved


def requests_import(groups: list[tuple[RequestSpec, int]], *, author: User | None) -> list[Entry]:
    """Write the rows of a checked CSV file as one entry, all or nothing."""
    check_import_total(sum(count for _spec, count in groups))
    with transaction.atomic():
        hold_programmes({spec.programme.pk for spec, _count in groups})
        entries = _create_entries(groups, author=author, kind=Entry.Kind.IMPORT)
        total = sum(count for _spec, count in groups)
        # No account: the rows came from the command line.
        audit.record(author, Action.REQUESTS_IMPORTED, str(total) if author else f"{total} (command line)")
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


def _request_change(help_request: HelpRequest, *, seen: str, actor: User | None, status: str,
                    outcome: str = "", closed_month: dt.date | None = None,
                    check: Callable[[], None] | None = None) -> None:
    """Move one request to `status`, if it is still in the status `seen` and `check`
    (the step's own rule) allows it, with its audit event."""
    with transaction.atomic():
        hold_programmes([help_request.programme_id])  # the views that lock the row take it before
        help_request.check_unchanged(seen)
        if check is not None:
            check()
        request_move(help_request, status, outcome=outcome, closed_month=closed_month, by=actor)
        audit.record(actor, Action.REQUEST_CHANGED, f"{help_request.programme.slug}, {help_request.status}")


def request_move(help_request: HelpRequest, status: str, *, outcome: str = "",
                 closed_month: dt.date | None = None, by: User | None = None) -> None:
    """Change a request's status by the workflow's rules and save it, with its counts;
    TransitionError or ValidationError, and nothing saved, when the change is not
    allowed; ChangedElsewhere, and nothing saved, when the stored request is no longer
    as this one was loaded (in the same status, outcome and month closed). `by`: the
    account that makes the change (None: the command line, the schedule)."""
    loaded = help_request.change_to(status, outcome=outcome, closed_month=closed_month)
    with transaction.atomic():
        # Saved only over the request as it was loaded: a change committed meanwhile
        # leaves no row to update, instead of being overwritten, and the cell it
        # leaves in the counts is exactly the one it was loaded in.
        saved = HelpRequest.objects.filter(pk=help_request.pk, **loaded._asdict()).update(
            status=help_request.status, outcome=help_request.outcome, closed_month=help_request.closed_month
        )
        if saved:
            cells_apply({loaded: -1, help_request.cell: 1}, by=by)
    if not saved:
        help_request.refresh_from_db(fields=["status", "outcome", "closed_month"])
        raise ChangedElsewhere(help_request.status)


def request_start(*, help_request: HelpRequest, seen: str, actor: User | None) -> None:
    """Start work on a request that is still in the status `seen` (ChangedElsewhere if not)."""
    _request_change(help_request, seen=seen, actor=actor, status=Status.IN_PROGRESS, check=help_request.check_can_start)


def request_close(*, help_request: HelpRequest, seen: str, outcome: str, month: dt.date, actor: User | None) -> None:
    """Close a request that is still in the status `seen`, with its outcome and the month closed."""
    _request_change(help_request, seen=seen, actor=actor, status=Status.CLOSED, outcome=outcome, closed_month=month)


def request_reopen(*, help_request: HelpRequest, seen: str, actor: User | None) -> None:
    """Reopen a closed request that is still in the status `seen`."""
    _request_change(help_request, seen=seen, actor=actor, status=Status.IN_PROGRESS,
                    check=help_request.check_can_reopen)
