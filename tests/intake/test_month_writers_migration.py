"""The migration that adds the writers of each month (for the separation of duties)
fills them from what the database tells: the authors of entries, for the months their
requests were received and closed in, the authors of moves, for the months of what they
moved, and, for an entry whose requests were collapsed into counts, its month."""

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("intake", "0020_api_token_audit_actions")]
AFTER = [("intake", "0021_month_writers")]
SEPTEMBER, OCTOBER, NOVEMBER, DECEMBER = (dt.date(2023, month, 1) for month in (9, 10, 11, 12))


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_migrating_notes_the_writers_the_entries_and_moves_name(committed_db):
    old = migrate(BEFORE)
    try:
        User, Programme, Entry, HelpRequest, MovedRequest = (
            old.get_model("intake", name) for name in ("User", "Programme", "Entry", "HelpRequest", "MovedRequest"))
        alice, bob, carol = (User.objects.create(username=name, password="!") for name in ("alice", "bob", "carol"))
        help_ = Programme.objects.create(slug="help", name="Help", first_month=SEPTEMBER)
        logged = Entry.objects.create(programme=help_, month=OCTOBER, kind="count", author=alice, size=2)
        nobody = Entry.objects.create(programme=help_, month=OCTOBER, kind="count", size=1)
        HelpRequest.objects.bulk_create([
            HelpRequest(reference="AAAA-0001", programme=help_, month=OCTOBER, category="legal", status="closed",
                        outcome="referred", closed_month=NOVEMBER, entry=logged),
            HelpRequest(reference="AAAA-0002", programme=help_, month=OCTOBER, category="legal", entry=logged),
            HelpRequest(reference="AAAA-0003", programme=help_, month=OCTOBER, category="other", status="closed",
                        outcome="detained", closed_month=DECEMBER, entry=nobody),
        ])
        move = Entry.objects.create(programme=help_, month=DECEMBER, kind="move", author=bob, size=1)
        MovedRequest.objects.create(entry=move, request=HelpRequest.objects.get(reference="AAAA-0003"),
                                    from_status="new", to_status="closed", to_outcome="detained",
                                    to_closed_month=DECEMBER)
        Entry.objects.create(programme=help_, month=SEPTEMBER, kind="count", author=carol, size=4, collapsed=True)

        new = migrate(AFTER)
        MonthWriter = new.get_model("intake", "MonthWriter")
        written = sorted(MonthWriter.objects.values_list("account__username", "programme__slug", "month"))
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert written == [
        ("alice", "help", OCTOBER), ("alice", "help", NOVEMBER),
        ("bob", "help", OCTOBER), ("bob", "help", DECEMBER),
        ("carol", "help", SEPTEMBER),
    ]
