"""Settings come from the environment, and a bad value stops start-up with a message
naming the variable, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
CONFIG_VARIABLES = (
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DATABASE_CONN_MAX_AGE", "HTTPS", "TRUSTED_PROXY",
    "CELERY_BROKER_URL", "TIME_ZONE", "DJANGO_SETTINGS_MODULE",
)
GOOD_SECRET_KEY = "k" * 50
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": GOOD_SECRET_KEY, "ALLOWED_HOSTS": "intake.example.org"}


def manage_py_check(tmp_path, **values: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in CONFIG_VARIABLES}
    # Keep the embedded broker's folders out of the project's var/.
    env["BROKER_DIR"] = str(tmp_path / "broker")
    env.update(values)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "values, variable",
    [
        pytest.param({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL", id="database-mysql"),
        pytest.param({"DATABASE_URL": "not a url"}, "DATABASE_URL", id="database-not-a-url"),
        pytest.param({"DATABASE_URL": "postgres://"}, "DATABASE_URL", id="database-no-host"),
        pytest.param({"CELERY_BROKER_URL": "redis:"}, "CELERY_BROKER_URL", id="broker-no-host"),
        pytest.param({"CELERY_BROKER_URL": "amqp://x"}, "CELERY_BROKER_URL", id="broker-amqp"),
        pytest.param({"CELERY_BROKER_URL": "nonsense"}, "CELERY_BROKER_URL", id="broker-nonsense"),
        pytest.param({"DEBUG": "0", "ALLOWED_HOSTS": "intake.example.org"}, "SECRET_KEY", id="secret-key-missing"),
        pytest.param({**PRODUCTION, "SECRET_KEY": "too-short"}, "SECRET_KEY", id="secret-key-short"),
        pytest.param({"DEBUG": "0", "SECRET_KEY": GOOD_SECRET_KEY}, "ALLOWED_HOSTS", id="allowed-hosts-missing"),
        pytest.param({"DEBUG": "maybe"}, "DEBUG", id="debug-maybe"),
        pytest.param({"DEBUG": "1", "TIME_ZONE": "Mars/Base"}, "TIME_ZONE", id="time-zone"),
        pytest.param({"DEBUG": "1", "DATABASE_CONN_MAX_AGE": "forever"}, "DATABASE_CONN_MAX_AGE", id="conn-max-age"),
    ],
)
def test_bad_setting_stops_check_with_a_message_naming_the_variable(tmp_path, values, variable):
    values = {"DEBUG": "1", **values}

    result = manage_py_check(tmp_path, **values)

    assert result.returncode != 0
    assert result.stderr.startswith("Configuration error: "), result.stderr
    assert variable in result.stderr
    assert "Traceback" not in result.stderr
    assert "System check" not in result.stdout


def test_production_settings_with_postgres_and_redis_pass_check(tmp_path):
    result = manage_py_check(
        tmp_path,
        **PRODUCTION,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/intake",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert result.stderr == ""
