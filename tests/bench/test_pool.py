"""The bench's pool measurement (bench/pool.py): both servers, with and without Django's
connection pool, serve the page, and the table says how they compare."""

import pytest
from django.db import connection

from bench import load_tools
from bench.pool import pool_lines
from tests.conftest import PASSWORD, make_user


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's")
def test_the_page_is_loaded_without_and_with_the_pool_and_compared(committed_db, settings):
    settings.PASSWORD_HASHERS = ["config.hashers.Argon2Hasher"]  # as the servers check them
    make_user("pool-coordinator", "Coordinator")

    lines = pool_lines(load_tools.load_with_threads, username="pool-coordinator", password=PASSWORD, workers=1,
                       reps=1, seconds=1, connections=2)

    assert [line.measurement for line in lines] == [
        "/requests/find/ without a pool (a connection per request)", "/requests/find/ with DATABASE_POOL=1"]
    assert all(float(line.value.split()[0]) > 0 for line in lines)
    assert lines[1].result.endswith("× without")
