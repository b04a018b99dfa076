"""Emptying the database after a test that commits, in milliseconds on PostgreSQL too
(`-p tests.flush` in pytest.ini).

Django empties the database after each such test with `flush`, which on PostgreSQL is one
TRUNCATE of every table: it takes new files for each of the 44 tables and their indexes,
0.25 s to 1 s a test on this machine, against 0.01 s for a DELETE of their few rows. About
200 test functions commit (the browser, worker and concurrency tests, some several times
over); four modules of them (64 tests) took 59 s in one process, 47 s with this. Here
`flush` deletes the rows instead, as it already does on SQLite, in one transaction:
Django's foreign keys on PostgreSQL are checked at its end, when every row is gone. A
flush that resets sequences or cascades to tables of other apps still truncates."""


def pytest_configure(config):
    # Imported here, once Django's settings are configured (tests.environment) and pytest-django has set it up.
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def delete_rows(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    DatabaseOperations.sql_flush = delete_rows
