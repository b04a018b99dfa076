"""Partners and the public read from a streaming replica (config/replica.py), served by
gunicorn as production serves it: what they read comes from the replica, a document the
replica has not replayed yet comes from the primary (never a 404), staff pages read the
primary, and a replica that is down costs one warning, not a page.

The replica is the one .ci/run starts (.ci/replica, DATABASE_REPLICA_URL): it streams the
test database under the same name, so the tests commit their writes and wait for it."""

import datetime as dt
import http.client
import json
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection

from api.models import ApiToken
from api.tokens import token_issue
from intake.models import Programme
from tests.conftest import PASSWORD, add_request, make_user
from tests.environment import REPLICA_URL
from tests.gunicorn import gunicorn
from tests.reports.accepting import accept_month, make_report

NOVEMBER, DECEMBER = dt.date(2023, 11, 1), dt.date(2023, 12, 1)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="a replica is PostgreSQL's")


def needs_replica():
    if not REPLICA_URL:
        pytest.skip("no replica: DATABASE_REPLICA_URL is unset (.ci/run starts one with .ci/replica)")


def database_url(port=None) -> str:
    from bench.servers import database_url

    url = urlsplit(database_url())
    if port is None:
        return url.geturl()
    replica = urlsplit(REPLICA_URL) if REPLICA_URL else url
    host = replica.hostname if REPLICA_URL else url.hostname
    return urlunsplit(url._replace(netloc=f"{replica.username or 'postgres'}@{host}:{port}"))


def replica_port() -> int:
    return urlsplit(REPLICA_URL).port or 5432


def on_replica(sql: str):
    url = urlsplit(REPLICA_URL)
    with psycopg.connect(host=url.hostname, port=replica_port(), user=url.username or "postgres",
                         dbname="postgres", autocommit=True) as replica:
        return replica.execute(sql).fetchone()


def wait_until_replayed(timeout=20) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        [written] = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while not on_replica(f"SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn")[0]:
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


@pytest.fixture
def published(committed_db, settings):
    """A programme with November 2023 accepted (published), a public token for it, and
    a staff account whose password the server can check."""
    settings.PASSWORD_HASHERS = ["config.hashers.Argon2Hasher"]  # as the server hashes them
    staff, auditor = make_user("staff-r", "Staff"), make_user("auditor-r", "Auditor")
    programme = Programme.objects.create(slug="small", name="Small", name_ru="Малая", first_month=NOVEMBER)
    for month in (NOVEMBER, DECEMBER):
        for category in ("desertion", "legal"):
            add_request(programme=programme, month=month, category=category)
    make_report(programme, NOVEMBER)
    accept_month(programme, NOVEMBER, staff=staff, auditor=auditor)
    _, text = token_issue(token=ApiToken(profile="public", partner="Newsroom", expires_on=dt.date(2099, 12, 31)),
                          programmes=[programme], actor=staff)
    return {"programme": programme, "token": text, "staff": staff, "auditor": auditor}


def get(port: int, path: str, headers=None) -> tuple[int, dict | str]:
    server = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    server.request("GET", path, headers=headers or {})
    response = server.getresponse()
    body = response.read().decode()
    server.close()
    is_json = response.headers.get("Content-Type", "").startswith(("application/json", "application/problem"))
    return response.status, json.loads(body) if is_json else body


def test_public_reads_come_from_the_replica_and_a_document_it_lacks_from_the_primary(published, tmp_path):
    needs_replica()
    from bench.servers import log_in

    token = {"Authorization": f"Bearer {published['token']}"}
    wait_until_replayed()
    with gunicorn(tmp_path / "gunicorn.log", DATABASE_URL=database_url(),
                  DATABASE_REPLICA_URL=database_url(replica_port())) as port:
        assert get(port, "/api/v1/programmes/small", token)[1]["name"]["en"] == "Small"
        cookie = log_in(port, "staff-r", PASSWORD)
        on_replica("SELECT pg_wal_replay_pause()")
        try:
            # Written on the primary while the replica replays nothing.
            Programme.objects.filter(slug="small").update(name="Renamed")
            make_report(published["programme"], DECEMBER)
            accept_month(published["programme"], DECEMBER, staff=published["staff"], auditor=published["auditor"])

            # The partner's programme comes from the replica, which has not seen the rename...
            assert get(port, "/api/v1/programmes/small", token)[1]["name"]["en"] == "Small"
            # ...but December, published since, is read from the primary rather than missing.
            status, december = get(port, "/api/v1/reports/small/2023-12", token)
            assert status == 200, december
            assert december["month"] == "2023-12"
            # Staff pages read the primary.
            assert "Renamed" in get(port, "/review/small/2023-12/", {"Cookie": cookie})[1]
            # A month published nowhere is still not found.
            assert get(port, "/api/v1/reports/small/2024-01", token)[0] in (404, 409)
        finally:
            on_replica("SELECT pg_wal_replay_resume()")
        wait_until_replayed()
        assert get(port, "/api/v1/programmes/small", token)[1]["name"]["en"] == "Renamed"

    assert "Traceback" not in (tmp_path / "gunicorn.log").read_text()


def test_a_replica_that_is_down_sends_public_reads_to_the_primary_with_one_warning(published, tmp_path):
    log = tmp_path / "gunicorn.log"
    token = {"Authorization": f"Bearer {published['token']}"}
    # Nothing listens on port 1: the replica is down.
    with gunicorn(log, DATABASE_URL=database_url(), DATABASE_REPLICA_URL=database_url(1)) as port:
        answers = [get(port, "/api/v1/reports/small/2023-11", token) for _ in range(3)]
        time.sleep(0.3)  # let the worker write its log

    assert [status for status, _ in answers] == [200, 200, 200], answers
    assert answers[0][1]["month"] == "2023-11"
    written = log.read_text()
    warnings = [line for line in written.splitlines() if "read replica" in line]
    assert len(warnings) == 1, written
    assert "use the primary" in warnings[0]
    assert "Traceback" not in written and "127.0.0.1:1" not in written, written
