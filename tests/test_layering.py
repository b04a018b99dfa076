"""Imports run one way: reports -> intake; month sign-off -> both; signed publications
(publications/) -> intake and reports; the shell and the API -> all four. So intake, the
domain, imports none of the others; reports imports only intake; sign-off neither the
shell, the API nor publications: each app can change, or be read, without the apps
above it. The publish step calls publications.services.sign_and_log from above.

No app imports the configuration (config/), which ties them together. The benchmark
(bench/) is a developer's tool on top of them all: no part of the site, its
configuration included, imports it, so the site runs without it."""

import ast
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


@pytest.mark.parametrize("app, above", [("intake", {"reports", "signoff", "publications", "shell", "api", "bench",
                                                   "config"}),
                                        ("reports", {"signoff", "publications", "shell", "api", "bench", "config"}),
                                        ("signoff", {"publications", "shell", "api", "bench", "config"}),
                                        ("publications", {"signoff", "shell", "api", "bench", "config"}),
                                        ("api", {"shell", "bench", "config"}), ("shell", {"bench", "config"}),
                                        ("config", {"bench"})])
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
