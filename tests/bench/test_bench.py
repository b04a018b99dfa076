"""The benchmark (python3 dev.py bench, which runs `python -m bench`), end to end at a
tiny size: it loads the requests, starts gunicorn and a Celery worker, loads the pages
and prints its table."""

import re
import subprocess
import sys

import pytest
from django.conf import settings

import dev
from bench import BenchError, dataset, load_tools, servers
from bench.run import main as bench_main
from bench.run import options_of
from intake.models import HelpRequest, MonthReview, Programme, User
from reports.models import Publication, Report
from tests.reports.accepting import accept_month, make_report

# Smaller than --quick still: one connection to one gunicorn worker (the load takes one
# core of the test run, not all), few samples, a short long history.
TINY = ["--quick", "--connections", "1", "--web-workers", "1", "--samples", "3", "--ready-samples", "3",
        "--long-months", "13", "--audit-events", "500", "--months", "16"]
# Every figure of issue 24, in the order of the table; "*" lines have a goal.
MEASUREMENTS = [
    ("Report task body, 500 requests", "*"), ("Report task body, 2,000 requests", "*"), ("Logging 5,000", "*"),
    ("Report page /reports/all/", "*"), ("Report page, public", "*"), ("Report page, partner", "*"),
    ("JSON export, public", "*"), ("CSV export, public", "*"), ("Print view, public", "*"),
    ("API month /api/v1/reports/all/", "*"), ("API month, If-None-Match matching: 304", "*"),
    ("Reports list /reports/, first page", "*"), ("Reports list, last page (?page=2)", "*"),
    ("Review page /review/bench-desertion/", "*"), ("Audit log /audit/", "*"), ("Audit log, ?month=", "*"),
    ("Audit log, ?action=login", "*"), ("Audit log, ?account=bench-staff", "*"),
    ("Coordinator month grid", ""), ("Coordinator home /", ""), ("Minimal logged-in page", ""),
    ("Web worker memory after the bench", "*"), ("Generate to ready, all programmes over 13 months", "*"),
    ("Celery worker memory building 13-month reports", "*"),
]
TIME = r"[0-9.]+ m?s"


@pytest.fixture
def production_hashing(settings):
    # The servers the bench starts check passwords with the production hashers.
    settings.PASSWORD_HASHERS = ["config.hashers.Argon2Hasher"]


def table_rows(output: str) -> dict[str, list[str]]:
    rows = {}
    for line in output.splitlines():
        if line.startswith("| ") and not line.startswith(("| measurement", "| ---")):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            rows[cells[0]] = cells[1:]
    return rows


def row(rows: dict[str, list[str]], start: str) -> list[str]:
    found = [cells for measurement, cells in rows.items() if measurement.startswith(start)]
    assert len(found) == 1, (start, list(rows))
    return found[0]


def assert_full_table(output: str) -> None:
    rows = table_rows(output)
    assert [measurement for measurement, _ in MEASUREMENTS] == [
        next(start for start, _ in MEASUREMENTS if measurement.startswith(start)) for measurement in rows]
    for start, with_goal in MEASUREMENTS:
        samples, p50, p95, value, goal, result = row(rows, start)
        if "memory" in start:
            assert re.fullmatch(r"[0-9]+ MiB", value) and int(value.split()[0]) > 10
        else:
            assert int(samples.replace(",", "")) >= 1, start
            assert re.fullmatch(TIME, p50) and re.fullmatch(TIME, p95), start
        if start.startswith(("Report task body", "Logging")):
            assert re.fullmatch(r"[0-9.]+× (its SELECT|a (COPY|executemany INSERT) and DELETE) \([0-9.]+ m?s\)", value), value
        elif not start.startswith(("Minimal", "Web", "Generate", "Celery")):
            assert re.fullmatch(r"[0-9.]+ req/s, [0-9]+% of the minimal page", value), (start, value)
        assert bool(goal) == (with_goal == "*"), start
        if goal:
            assert result == "met" or result.startswith("missed: "), (start, result)


def test_bench_with_force_wipes_the_database_loads_measures_everything_and_prints_one_table(
    committed_db, production_hashing, programme, capsys
):
    bench_main([*TINY, "--load-tool", "wrk", "--force"])

    output = capsys.readouterr().out
    assert "load by wrk" in output
    assert "Machine: " in output and re.search(r"Load average \(1 min\): [0-9.]+ at the start", output)
    assert_full_table(output)
    # What it leaves: the requests it loaded (logging undid itself), the bench's
    # programmes (the long history's too) and accounts, its reports, all ready, and
    # the month it shows accepted in every programme.
    assert HelpRequest.objects.count() == 2000
    assert sorted(Programme.objects.values_list("slug", flat=True)) == [
        "bench-desertion", "bench-emigration", "bench-legal", "bench-long-history", "bench-mobilisation"]
    assert set(User.objects.values_list("username", flat=True)) == {"bench-auditor", "bench-coordinator",
                                                                     "bench-staff"}
    assert set(Report.objects.values_list("state", flat=True)) == {Report.State.READY}
    assert MonthReview.objects.filter(state=MonthReview.State.ACCEPTED).count() == 4


def test_bench_refuses_a_database_holding_data_it_did_not_make(programme, staff):
    with pytest.raises(BenchError, match=r"1 programme, 1 account .*--force"):
        bench_main(TINY)

    assert Programme.objects.get() == programme
    assert not HelpRequest.objects.exists()


def test_the_wipe_clears_what_a_bench_run_left_published(committed_db, programme, staff, auditor):
    # Each run accepts and publishes a month: the next run on the same database wipes
    # that too (the signed files and publications, which protect their reports), not
    # stop with a traceback.
    make_report(programme, programme.first_month)
    accept_month(programme, programme.first_month, staff=staff, auditor=auditor)
    assert Publication.objects.exists()

    dataset.wipe()

    assert not Programme.objects.exists() and not Report.objects.exists() and not Publication.objects.exists()


def test_without_wrk_the_bench_loads_pages_with_its_own_threads_and_counts_failures_apart(committed_db):
    with servers.gunicorn(servers.server_environment(), workers=1) as port:
        served = load_tools.load_with_threads(f"http://127.0.0.1:{port}/login/", {}, connections=4, seconds=1)
        missing = load_tools.load_with_threads(f"http://127.0.0.1:{port}/no-such-page/", {}, connections=4, seconds=1)

    assert served.per_second > 0 and served.errors == 0
    assert 0 < served.p50 <= served.p95
    assert missing.per_second == 0 and missing.errors > 0


def test_python_m_bench_as_dev_py_runs_it_lists_its_options_and_says_why_it_cannot_run():
    # What dev.py bench runs, in a process of its own. A bad option is refused before the
    # bench reads or wipes anything.
    def bench(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bench", *args], cwd=settings.BASE_DIR,
                              capture_output=True, text=True, timeout=120)

    shown = bench("--help")
    refused = bench("--requests", "0")

    assert shown.returncode == 0 and "WIPES the database" in shown.stdout
    assert all(option in shown.stdout
               for option in ("--load-tool", "--quick", "--sizes", "--rounds", "--samples", "--months"))
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1] == "Error: --requests must be at least 1."


def test_the_bench_refuses_fewer_months_than_its_programmes_need():
    # One of its programmes starts in the seventh month, another pauses in the 15th and 16th.
    with pytest.raises(BenchError, match="--months must be at least 16"):
        options_of(["--months", "15"])

    assert options_of(["--months", "16"])["months"] == 16
    assert options_of([])["months"] == options_of(["--quick"])["months"] == 36


def test_dev_py_bench_makes_the_publication_key_a_fresh_clone_lacks(committed_db, tmp_path):
    # The bench publishes the month it accepts, which needs the key: `dev.py bench` on a
    # fresh clone stopped there with a traceback until it made one as `dev.py run` does.
    key = tmp_path / "publication.key"
    env = servers.server_environment() | {"PUBLICATION_KEY_FILE": str(key)}  # the test's database

    dev.ensure_publication_key(env)
    made = key.read_bytes()
    dev.ensure_publication_key(env)  # a key that is there is kept

    assert key.stat().st_mode & 0o777 == 0o600
    assert key.read_bytes() == made
