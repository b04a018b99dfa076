"""The lock order of every writer, and the programmes' write locks (its first step).

Every transaction that changes a programme's requests, entries, counts or
month reviews takes its locks in this order, and only in this order, so that two of
them wait for each other and never deadlock:

  1. the programme's write lock (hold_programmes): shared by its writers, taken
     alone by the emergency purge, which so waits for the writes under way and
     keeps every later one of that programme waiting until it commits;
  2. month review rows, in the order of their ids;
  3. entries, in the order of their ids;
  4. requests, in the order of their ids (intake.services._lock), or the requests
     table as a whole (check_counts --fix);
  5. the months' data versions, in the order of (programme, month)
     (DataVersion.bump, .hold);
  6. count cells (intake.cells.cells_apply).

Rows a transaction inserts are nobody else's to wait for: it may insert at any step.
A step may be skipped, never taken after a later one. The one exception is a month's
submission (signoff.services.review_submit), which holds data versions before its review
row: no transaction holds a review row and then waits for data versions, so it cannot
close a circle. Writers of other programmes share none of these locks with a purge of
one programme but a few rows, which it takes in the same order: those of imports that
span programmes, and the entries and reviews naming an account it deletes.
"""

from django.db import connection

# The first key of the programmes' write locks (PostgreSQL's advisory locks of two
# 32-bit keys; reports.services uses the one 64-bit key form, which never meets these).
PROGRAMME_LOCKS = 0x1A7E


def hold_programmes(programme_ids, *, alone: bool = False) -> None:
    """Take the write lock of each programme (step 1 of the lock order), until the
    transaction ends: shared with the other writers of the programme, or `alone` (the
    emergency purge), which waits for them to commit and keeps them waiting. Several
    programmes are taken in the order of their ids. On PostgreSQL an advisory lock per
    programme; nothing on SQLite, which lets in one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if alone else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        for programme_id in sorted(set(programme_ids)):
            cursor.execute(f"SELECT {function}(%s::integer, %s::integer)", [PROGRAMME_LOCKS, programme_id])
