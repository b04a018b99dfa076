"""tests/flush.py: emptying the database after a test that commits deletes every row,
rows that refer to others included, and does so with DELETE on PostgreSQL as on SQLite;
then it puts back what the migrations made, and nothing else."""

import datetime as dt
import json

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.test import TransactionTestCase

from intake.models import Programme
from tests.conftest import add_request
from tests.reports.accepting import make_report

NOVEMBER = dt.date(2023, 11, 1)


def test_flush_empties_every_table_with_delete_linked_rows_included(committed_db, programme, staff):
    add_request(programme=programme, month=NOVEMBER, category="legal")
    make_report(programme, NOVEMBER)  # rows that refer to the programme; staff's to its group

    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)

    assert not [model.__name__ for model in apps.get_models() if model.objects.exists()]
    statements = connection.ops.sql_flush(no_style(), ["intake_programme", "reports_report"])
    assert [statement.split()[:2] for statement in statements] == [["DELETE", "FROM"], ["DELETE", "FROM"]], statements


def rows(contents: str) -> list[dict]:
    return sorted(json.loads(contents), key=lambda row: (row["model"], row["pk"]))


def test_the_end_of_a_test_that_commits_leaves_what_the_migrations_made_and_nothing_else(
    committed_db, programme, staff
):
    add_request(programme=programme, month=NOVEMBER, category="legal")

    class Committing(TransactionTestCase):  # as pytest-django makes it for committed_db
        serialized_rollback = True

        def runTest(self):
            pass

    Committing()._fixture_teardown()

    assert not Programme.objects.exists()
    made_by_migrations = rows(connection._test_serialized_contents)
    assert rows(connection.creation.serialize_db_to_string()) == made_by_migrations
    assert {"Coordinator", "Staff", "Auditor", "Administrator"} <= set(Group.objects.values_list("name", flat=True))
    assert Group.objects.get(name="Staff").permissions.exists()  # the roles' permissions too
