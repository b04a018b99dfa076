"""tests/flush.py: emptying the database after a test that commits deletes every row,
rows that refer to others included, and does so with DELETE on PostgreSQL as on SQLite."""

import datetime as dt

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

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
