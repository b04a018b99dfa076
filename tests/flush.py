"""Emptying the database after a test that commits, in milliseconds on PostgreSQL too
(`-p tests.flush` in pytest.ini).

Django empties the database after each such test with `flush`, which on PostgreSQL is one
TRUNCATE of every table: it takes new files for each of the 44 tables and their indexes,
0.25 s to 1 s a test on this machine, against 0.01 s for a DELETE of their few rows. About
200 test functions commit (the browser, worker and concurrency tests, some several times
over); four modules of them (64 tests) took 59 s in one process, 47 s with this. Here
`flush` deletes the rows instead, as it already does on SQLite, in one transaction:
Django's foreign keys on PostgreSQL are checked at its end, when every row is gone. A
flush that resets sequences or cascades to tables of other apps still truncates.

Such a test also puts back what the migrations made (the roles, the content types), which
Django would put back only when the next test that commits starts: right after its own
flush instead. So the database between two tests always holds what the migrations made,
whatever ran before, and a test process may run its tests in any order (pytest-xdist's
worksteal, tests/markers.py) without a test in a rolled-back transaction finding no roles
after one that committed. Each test that commits reloads those rows once, as before, but
at its end rather than at its start, and into empty tables: one INSERT a table, 8.5 ms
on PostgreSQL against 100 ms for Django's row-by-row reload (5.5 against 40 ms on SQLite)."""


def pytest_configure(config):
    # Imported here, once Django's settings are configured (tests.environment) and pytest-django has set it up.
    from django.db.backends.postgresql.operations import DatabaseOperations
    from django.test import TransactionTestCase

    _restore_after_flush(TransactionTestCase)

    truncate = DatabaseOperations.sql_flush

    def delete_rows(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    DatabaseOperations.sql_flush = delete_rows


def _restore_after_flush(test_case) -> None:
    """A test with a serialized rollback reloads the migrations' rows after its flush, not
    before it starts (they are there then: made by the migrations or put back by the last
    flush)."""
    from django.db import connections

    setup, teardown = test_case._fixture_setup.__func__, test_case._fixture_teardown

    def setup_on_rows_in_place(cls):
        restore, cls.serialized_rollback = cls.serialized_rollback, False
        try:
            setup(cls)
        finally:
            cls.serialized_rollback = restore

    def flush_then_restore(self):
        teardown(self)
        if not self.serialized_rollback:
            return
        for alias in self._databases_names(include_mirrors=False):
            if hasattr(connections[alias], "_test_serialized_contents"):
                insert_into_empty_tables(connections[alias], connections[alias]._test_serialized_contents)

    test_case._fixture_setup = classmethod(setup_on_rows_in_place)
    test_case._fixture_teardown = flush_then_restore


def insert_into_empty_tables(connection, contents: str) -> None:
    """What Django's deserialize_db_from_string does, into the tables a flush has just
    emptied: one INSERT a table (and one a many-to-many table), not an UPDATE and then an
    INSERT for each of the 154 rows (the content types, permissions and roles)."""
    from collections import defaultdict

    from django.core import serializers
    from django.db import transaction

    rows, links = defaultdict(list), defaultdict(list)
    for deserialized in serializers.deserialize("json", contents, using=connection.alias):
        instance = deserialized.object
        rows[type(instance)].append(instance)
        for name, targets in (deserialized.m2m_data or {}).items():
            field = instance._meta.get_field(name)
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            links[through] += [through(**{f"{source}_id": instance.pk, f"{target}_id": pk}) for pk in targets]
    with transaction.atomic(using=connection.alias):  # as Django's: checked in the transaction
        with connection.constraint_checks_disabled():
            for model, instances in [*rows.items(), *links.items()]:
                model._base_manager.using(connection.alias).bulk_create(instances)
        connection.check_constraints(table_names=[model._meta.db_table for model in [*rows, *links]])
