"""The migration that adds the table of monthly counts builds it from the requests that
already exist, with their entries' sizes and a data version for each month."""

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from .counting import assert_counts_match

BEFORE = [("intake", "0007_account_audit_actions")]
AFTER = [("intake", "0009_monthly_counts")]
OCTOBER, NOVEMBER = dt.date(2023, 10, 1), dt.date(2023, 11, 1)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_migrating_counts_the_requests_that_exist(committed_db):
    old = migrate(BEFORE)
    try:
        Programme, Entry, HelpRequest = (old.get_model("intake", name) for name in ("Programme", "Entry", "HelpRequest"))
        help_ = Programme.objects.create(slug="help", name="Help", first_month=OCTOBER)
        other = Programme.objects.create(slug="other", name="Other", first_month=OCTOBER)
        entry = Entry.objects.create(programme=help_, month=OCTOBER, kind="count")
        rows = (
            [dict(programme=help_, month=OCTOBER, category="legal", entry=entry)] * 3
            + [dict(programme=help_, month=OCTOBER, category="legal", status="closed", outcome="referred",
                    closed_month=NOVEMBER)] * 2
            + [dict(programme=other, month=NOVEMBER, category="other", status="in_progress")]
        )
        HelpRequest.objects.bulk_create(HelpRequest(reference=f"AAAA-{i:04d}", **row) for i, row in enumerate(rows))

        new = migrate(AFTER)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    MonthlyCount, DataVersion = new.get_model("intake", "MonthlyCount"), new.get_model("intake", "DataVersion")
    cells = MonthlyCount.objects.values_list("programme__slug", "month", "category", "status", "outcome",
                                             "closed_month", "requests")
    assert sorted(cells) == [
        ("help", OCTOBER, "legal", "closed", "referred", NOVEMBER, 2),
        ("help", OCTOBER, "legal", "new", "", None, 3),
        ("other", NOVEMBER, "other", "in_progress", "", None, 1),
    ]
    assert sorted(DataVersion.objects.values_list("programme__slug", "month", "version")) == [
        ("help", OCTOBER, 1), ("other", NOVEMBER, 1)]
    assert new.get_model("intake", "Entry").objects.get().size == 3
    assert_counts_match()
