"""The benchmark (python3 dev.py bench, which runs `python -m bench`), end to end at a
tiny size: it loads the requests, starts gunicorn and a Celery worker, loads the pages
and prints its table."""

import re
import subprocess
import sys

import pytest
from django.conf import settings

from bench import BenchError, load_tools, servers
from bench.run import main as bench_main
from intake.models import HelpRequest, Programme, User
from reports.models import Report

TINY = ["--requests", "2000", "--small", "500", "--reps", "1", "--duration", "1", "--ready-reps", "1",
        "--web-workers", "2", "--connections", "4"]
MEASUREMENTS = [
    "Report task body, 2,000 requests", "Baseline at 2,000", "Report task body, 500 requests", "Baseline at 500",
    "Report task body, 2,000 / 500 requests", "Logging 5,000 requests", "Baseline: ",
    "Report page /reports/all/", "Coordinator home /", "Reports list /reports/", "Minimal logged-in page",
    "Generate to ready",
]
WITH_GOALS = ["Report task body, 2,000 requests", "Report task body, 2,000 / 500", "Logging 5,000", "Report page",
              "Coordinator home", "Reports list", "Generate to ready"]


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
    assert len(rows) == len(MEASUREMENTS)
    for start in MEASUREMENTS:
        if start != "Report task body, 2,000 / 500 requests":  # a ratio alone
            low, middle = row(rows, start)[:2]
            assert re.fullmatch(r"[0-9.]+ (ms|s|req/s)", low) and re.fullmatch(r"[0-9.]+ (ms|s|req/s)", middle)
    for start in WITH_GOALS:
        _low, _middle, _spread, ratio, goal, result = row(rows, start)
        assert goal and (result == "met" or result.startswith("missed: ")), (start, result)
    for start in ("Report page", "Minimal logged-in page", "Generate to ready"):
        assert re.fullmatch(r"[0-9.]+ m?s / [0-9.]+ m?s", row(rows, start)[2])  # p50 / p95


def test_bench_with_force_wipes_the_database_loads_measures_everything_and_prints_one_table(
    committed_db, production_hashing, programme, capsys
):
    bench_main([*TINY, "--load-tool", "wrk", "--force"])

    output = capsys.readouterr().out
    assert "load by wrk" in output
    assert "Machine: " in output
    assert_full_table(output)
    # What it leaves: the requests it loaded (logging undid itself), the bench's
    # programmes and accounts, and the reports it made, all ready.
    assert HelpRequest.objects.count() == 2000
    assert sorted(Programme.objects.values_list("slug", flat=True)) == [
        "bench-desertion", "bench-emigration", "bench-legal", "bench-mobilisation"]
    assert set(User.objects.values_list("username", flat=True)) == {"bench-coordinator", "bench-staff"}
    assert set(Report.objects.values_list("state", flat=True)) == {Report.State.READY}
    assert Report.objects.count() == 3  # the page's, the worker's warm-up and the one timed


def test_bench_refuses_a_database_holding_data_it_did_not_make(programme, staff):
    with pytest.raises(BenchError, match=r"1 programme, 1 account .*--force"):
        bench_main(TINY)

    assert Programme.objects.get() == programme
    assert not HelpRequest.objects.exists()


def test_without_wrk_the_bench_loads_pages_with_its_own_threads_and_counts_failures_apart(committed_db):
    with servers.gunicorn(servers.server_environment(), workers=1) as port:
        served = load_tools.load_with_threads(f"http://127.0.0.1:{port}/login/", "", connections=4, seconds=1)
        missing = load_tools.load_with_threads(f"http://127.0.0.1:{port}/no-such-page/", "", connections=4, seconds=1)

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

    assert shown.returncode == 0 and "WIPES the database" in shown.stdout and "--load-tool" in shown.stdout
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1] == "Error: --requests must be at least 1."
