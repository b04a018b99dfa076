"""`python3 dev.py test` on a machine that sets PYTHONDONTWRITEBYTECODE (this project's do):
the test processes and the processes they start still keep their compiled modules, under
var/pycache/ rather than beside the sources. Without it every one of them compiles the
project again, and each pytest process rewrites the asserts of every test module again."""

import subprocess
import sys
from pathlib import Path

import dev

PROJECT = Path(__file__).resolve().parent.parent


def test_the_tests_keep_compiled_modules_under_var_even_where_writing_them_is_off(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setattr(dev, "ROOT", tmp_path)  # where var/ is

    env = dev.bytecode_cached()
    subprocess.run([sys.executable, "-c", "import intake.months"], cwd=PROJECT, env=env, check=True, timeout=60)

    cached = tmp_path / "var" / "pycache" / PROJECT.relative_to("/") / "intake"
    assert [path.name for path in cached.glob("months.*.pyc")], sorted(map(str, tmp_path.rglob("*")))
