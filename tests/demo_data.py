"""The demo data of the tests (the demo_programme fixture), made once per test session.

load_demo spends its time making and inserting a thousand requests one ORM object at a
time. The session makes them once, in a transaction it rolls back, and keeps the rows
of the tables that hold them; each test that asks for the demo gets a copy of those
rows (one INSERT of many rows a table, in its own transaction, so that a test whose
writes are committed gets them committed too), then load_demo itself, which finds the
requests in place and adds the accounts as it always does. tests/test_demo_data.py
checks that the copy is what load_demo makes.
"""

from django.db import connection, transaction
from django.test import override_settings

from intake import demo
from intake.models import DataVersion, HelpRequest, MonthlyCount, Programme

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
# The tables of the copy: what load_demo writes beside its programme and its accounts.
COPIED = [HelpRequest, MonthlyCount, DataVersion]


class _Rollback(Exception):
    pass


def _columns(model) -> list:
    """The model's columns but its id, programme first."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    return sorted(fields, key=lambda field: field.name != "programme")


class DemoCopy:
    """The rows load_demo makes, ready to be inserted for any programme id."""

    def __init__(self):
        self.programme: dict = {}
        self.rows: dict = {}
        try:
            # Its accounts are thrown away with the rest: no need to hash their passwords slowly.
            with transaction.atomic(), override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
                created = demo.load_demo()
                assert created["requests"] > 0, "the demo programme was already there"
                programme = Programme.objects.get(slug=demo.SLUG)
                self.programme = {field.attname: getattr(programme, field.attname)
                                  for field in Programme._meta.concrete_fields if not field.primary_key}
                for model in COPIED:
                    fields = _columns(model)
                    self.rows[model] = [
                        [field.get_db_prep_value(getattr(row, field.attname), connection) for field in fields[1:]]
                        for row in model.objects.filter(programme=programme).order_by("pk")
                    ]
                raise _Rollback
        except _Rollback:
            pass

    def insert(self) -> Programme:
        """The demo programme, as load_demo leaves it, in the test's database."""
        with transaction.atomic():
            programme = Programme.objects.create(**self.programme)
            with connection.cursor() as cursor:
                for model, rows in self.rows.items():
                    fields = _columns(model)
                    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
                    marks = ", ".join(["%s"] * len(fields))
                    cursor.executemany(
                        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "  # nosec B608
                        f"VALUES ({marks})",
                        [[programme.pk, *row] for row in rows],
                    )
            created = demo.load_demo()  # the accounts; the requests are all there
        assert created["requests"] == 0, f"the copy of the demo lacks {created['requests']} requests"
        return programme
