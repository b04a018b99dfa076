"""The deployment files (deploy/) agree with the app: every setting is in the environment
template, nginx takes what the import takes, only the worker gets the publication key;
and `dev.py stack` stops with one line when its certificate is missing."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from intake.imports import MAX_BYTES

PROJECT = Path(__file__).resolve().parent.parent
DEPLOY = PROJECT / "deploy"
READERS = {"env_str", "env_bool", "env_int", "env_list"}


def settings_variables() -> set[str]:
    """Every environment variable config/settings.py and config/databases.py read."""
    names = set()
    for path in (PROJECT / "config" / "settings.py", PROJECT / "config" / "databases.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            function = node.func
            called = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
            is_environ_get = called == "get" and "environ" in ast.unparse(function)
            if called in READERS or is_environ_get:
                names.add(node.args[0].value)
    return names


def test_the_environment_template_names_every_setting_the_app_reads():
    template = (DEPLOY / "intake.env.example").read_text()
    named = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", template, flags=re.M))
    variables = settings_variables()

    assert {"SECRET_KEY", "DATABASE_REPLICA_URL", "DATABASE_POOL", "STATIC_ROOT"} <= variables
    assert variables - named == set()


def test_nginx_takes_a_request_as_large_as_the_import_takes_and_no_larger():
    site = (DEPLOY / "nginx" / "intake.conf").read_text()
    [size] = re.findall(r"client_max_body_size (\d+)k;", site)

    # The file at the cap, and 64 KiB for the form around it.
    assert int(size) * 1024 == MAX_BYTES + 64 * 1024


def test_only_the_worker_unit_is_given_the_publication_key():
    units = {path.name: path.read_text() for path in (DEPLOY / "systemd").glob("*.service")}

    assert "LoadCredential=publication.key:@KEY_FILE@" in units["intake-worker.service"]
    for name in ("intake-web.service", "intake-beat.service"):
        assert "LoadCredential" not in units[name]
        assert "InaccessiblePaths=-@KEY_FILE@" in units[name]
    for text in units.values():
        for sandboxing in ("ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "ReadWritePaths=",
                           "Restart=on-failure"):
            assert sandboxing in text


def test_dev_py_stack_with_a_certificate_that_is_missing_stops_with_one_line(tmp_path):
    env = {**os.environ, "STACK_CERTIFICATE": str(tmp_path / "missing.pem"),
           "STACK_CERTIFICATE_KEY": str(tmp_path / "missing-key.pem")}

    result = subprocess.run([sys.executable, "dev.py", "stack"], cwd=PROJECT, env=env, capture_output=True,
                            text=True, timeout=120)

    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        f"STACK_CERTIFICATE must name a PEM file that exists; got {str(tmp_path / 'missing.pem')!r}."]
