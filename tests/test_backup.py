"""Backup and restore as docs/operations.md, "Backups", says: pg_dump -Fc, then
pg_restore into a fresh database. The restored copy has the same counts, the same
reports with the same fingerprints (recomputed there, from its own counts), and
check_counts finds it clean."""

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from intake.models import MonthlyCount
from intake.retention import month_collapse
from reports.models import Report
from reports.services import report_generate, report_request
from signoff.services import review_accept, review_submit
from tests.conftest import make_user

PROJECT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="pg_dump and pg_restore back up PostgreSQL; SQLite is a file to copy"),
    pytest.mark.usefixtures("this_month"),
]

# What the restored copy says, computed by the app itself in a process of its own.
RECOMPUTE = """
import json
from reports.models import Report
from reports.services import report_compute
print(json.dumps({r.pk: report_compute(report=r)[0] for r in Report.objects.filter(state="ready")}))
"""


def pg(*args: str, database: str | None = None) -> list[str]:
    db = connection.settings_dict
    return [*args, "-h", db["HOST"], "-p", str(db["PORT"] or 5432), "-U", db["USER"]] + (
        ["-d", database] if database else [])


def env() -> dict:
    return {**os.environ, "PGPASSWORD": connection.settings_dict["PASSWORD"] or ""}


def url(database: str) -> str:
    db = connection.settings_dict
    return (f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{db['HOST']}:{db['PORT'] or 5432}/"
            f"{database}")


def manage(database: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": url(database)})


def stored(cursor) -> tuple[list, list]:
    cursor.execute(f"SELECT programme_id, month, category, status, outcome, closed_month, requests, collapsed "
                   f"FROM {MonthlyCount._meta.db_table} ORDER BY 1, 2, 3, 4, 5, 6")
    counts = cursor.fetchall()
    cursor.execute(f"SELECT id, version, state, body::text, fingerprint, basis::text FROM {Report._meta.db_table} "
                   "ORDER BY id")
    return counts, cursor.fetchall()


def test_a_dump_restored_into_a_fresh_database_has_the_same_counts_reports_and_fingerprints(
        committed_db, demo_programme, tmp_path):
    for month in (dt.date(2023, 10, 1), dt.date(2023, 11, 1)):
        report_generate(report_id=report_request(programme=demo_programme, month=month, send=False).pk)
        report_generate(report_id=report_request(programme=None, month=month, send=False).pk)
    staff, auditor = make_user("staff-b", "Staff"), make_user("auditor-b", "Auditor")
    review_submit(programme=demo_programme, month=dt.date(2023, 10, 1), actor=staff, check_report=lambda v: v or 1)
    review_accept(programme=demo_programme, month=dt.date(2023, 10, 1), actor=auditor, check_report=lambda v: v or 1)
    assert month_collapse(programme=demo_programme, month=dt.date(2023, 10, 1), actor=staff) > 0
    with connection.cursor() as cursor:
        before = stored(cursor)
    backup = tmp_path / "intake.dump"
    copy = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"

    subprocess.run(pg("pg_dump", "-Fc", "-f", str(backup), connection.settings_dict["NAME"]), env=env(), check=True)
    subprocess.run(pg("createdb", copy), env=env(), check=True)
    try:
        subprocess.run(pg("pg_restore", "--no-owner", "--exit-on-error", str(backup), database=copy), env=env(),
                       check=True)
        import psycopg

        db = connection.settings_dict
        with psycopg.connect(dbname=copy, host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
                             password=db["PASSWORD"] or None) as restored, restored.cursor() as cursor:
            after = stored(cursor)
        checked = manage(copy, "check_counts")
        recomputed = manage(copy, "shell", "-c", RECOMPUTE)
    finally:
        subprocess.run(pg("dropdb", "--force", copy), env=env(), check=True)

    assert after == before
    assert len(before[1]) == 4 and all(row[2] == "ready" for row in before[1])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("Counts match: ") and "kept as counts only" in checked.stdout
    assert recomputed.returncode == 0, recomputed.stderr
    figures = {int(pk): document for pk, document in json.loads(recomputed.stdout.splitlines()[-1]).items()}
    assert figures == {report.pk: report.body for report in Report.objects.all()}
    assert {pk: document["fingerprint"] for pk, document in figures.items()} == dict(
        Report.objects.values_list("pk", "fingerprint"))
    copies = subprocess.run(pg("psql", "-Atc", "SELECT datname FROM pg_database", database="postgres"), env=env(),
                            capture_output=True, text=True, check=True).stdout.split()
    assert copy not in copies
