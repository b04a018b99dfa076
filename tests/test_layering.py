"""Imports run one way: reports -> intake; month sign-off -> both; signed publications
(publications/) -> intake and reports; the coalition view (coalition/) -> intake,
reports and publications; the shell and the API -> all four (none imports coalition). So intake, the
domain, imports none of the others; reports imports only intake; sign-off neither the
shell, the API nor publications: each app can change, or be read, without the apps
above it. The publish step calls publications.services.sign_and_log from above.

No app imports the configuration (config/), which ties them together. The benchmark
(bench/) is a developer's tool on top of them all: no part of the site, its
configuration included, imports it, so the site runs without it."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports by absolute name, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("app, above", [("intake", {"reports", "signoff", "publications", "coalition", "shell", "api",
                                                   "bench", "config"}),
                                        ("reports", {"signoff", "publications", "coalition", "shell", "api", "bench",
                                                     "config"}),
                                        ("signoff", {"publications", "coalition", "shell", "api", "bench", "config"}),
                                        ("publications", {"signoff", "coalition", "shell", "api", "bench", "config"}),
                                        ("coalition", {"signoff", "shell", "api", "bench", "config"}),
                                        ("api", {"coalition", "shell", "bench", "config"}),
                                        ("shell", {"coalition", "bench", "config"}),
                                        ("config", {"bench", "coalition"})])
def test_an_app_imports_nothing_from_the_apps_above_it(app, above):
    files = sorted((PROJECT / app).rglob("*.py"))
    assert len(files) > 10, "the app's modules were not found"

    found = [
        f"{path.relative_to(PROJECT)} imports {name}"
        for path in files
        for name in sorted(imported_modules(path))
        if name.split(".")[0] in above
    ]

    assert found == []


# A module a reader can hold in mind at once: past this, it holds more than one concept
# and is split by concept (as intake/models/ is).
MOST_LINES = 500


def test_no_module_outside_the_tests_and_migrations_is_longer_than_a_reader_can_hold():
    modules = [path for path in PROJECT.rglob("*.py")
               if not {".venv", "var", "tests", "migrations", "node_modules"} & set(path.relative_to(PROJECT).parts)]
    assert len(modules) > 50, "the project's modules were not found"

    too_long = sorted(f"{path.relative_to(PROJECT)}: {lines} lines" for path in modules
                      if (lines := len(path.read_text().splitlines())) > MOST_LINES)
    assert too_long == []


def test_a_web_process_does_not_load_the_audit_s_solver_or_the_workbooks_library():
    # scipy and HiGHS are the disclosure audit's, which runs in the worker (and manage.py
    # publish) when a month is published: loaded in every web worker they would add about
    # 50 MiB to each, for pages that never solve anything. openpyxl (which brings numpy)
    # is for the Excel exports and imports only: loaded at the start it made every process
    # (web, worker, each manage.py command) take about a fifth longer to start.
    code = ("import sys, django; django.setup(); import config.wsgi, config.urls; "
            "print(' '.join(m for m in ('scipy', 'highspy', 'openpyxl', 'numpy') if m in sys.modules))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True,
                            timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
