"""Settings come from the environment, and a bad value stops start-up with a message
naming the variable, not a traceback."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
CONFIG_VARIABLES = (
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DATABASE_CONN_MAX_AGE", "HTTPS", "TRUSTED_PROXY",
    "CELERY_BROKER_URL", "TIME_ZONE", "DJANGO_SETTINGS_MODULE", "DATABASE_REPLICA_URL", "DATABASE_POOL", "STATIC_ROOT",
)
GOOD_SECRET_KEY = "k" * 50
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": GOOD_SECRET_KEY, "ALLOWED_HOSTS": "intake.example.org",
              "TIME_ZONE": "Europe/Moscow"}
WITHOUT_TIME_ZONE = {name: value for name, value in PRODUCTION.items() if name != "TIME_ZONE"}


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
        pytest.param({**PRODUCTION, "SECRET_KEY": " " * 40}, "SECRET_KEY", id="secret-key-blank"),
        pytest.param({"DEBUG": "0", "SECRET_KEY": GOOD_SECRET_KEY}, "ALLOWED_HOSTS", id="allowed-hosts-missing"),
        pytest.param({"DEBUG": "maybe"}, "DEBUG", id="debug-maybe"),
        pytest.param({"DEBUG": "1", "TIME_ZONE": "Mars/Base"}, "TIME_ZONE", id="time-zone"),
        pytest.param(WITHOUT_TIME_ZONE, "TIME_ZONE", id="time-zone-missing"),
        pytest.param({**PRODUCTION, "TIME_ZONE": " "}, "TIME_ZONE", id="time-zone-blank"),
        pytest.param({"DEBUG": "1", "DATABASE_CONN_MAX_AGE": "forever"}, "DATABASE_CONN_MAX_AGE", id="conn-max-age"),
        pytest.param({"DEBUG": "1", "DATABASE_REPLICA_URL": "postgres://db/x"}, "DATABASE_REPLICA_URL",
                     id="replica-with-sqlite"),
        pytest.param({"DATABASE_URL": "postgres://db/x", "DATABASE_REPLICA_URL": "mysql://db/x"},
                     "DATABASE_REPLICA_URL", id="replica-not-postgres"),
        pytest.param({"DEBUG": "1", "DATABASE_POOL": "1"}, "DATABASE_POOL", id="pool-with-sqlite"),
        pytest.param({"DATABASE_URL": "postgres://db/x", "DATABASE_POOL": "1", "DATABASE_CONN_MAX_AGE": "60"},
                     "DATABASE_POOL", id="pool-with-kept-connections"),
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


# How each long-running process is started in production (docs/operations.md, Processes), with one worker.
PROCESSES = {
    "gunicorn": [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi",
                 "--bind", "127.0.0.1:0", "--workers", "1"],
    "celery-worker": [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO"],
    "celery-beat": [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
}
# Gunicorn's own progress lines ("[2024-01-01 00:00:00 +0000] [123] [INFO] Booting worker ...").
GUNICORN_LOG_LINE = re.compile(r"^\[[^]]+\] \[\d+\] \[[A-Z]+\] ")


@pytest.mark.parametrize("process", PROCESSES)
@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"DEBUG": "maybe"}, id="debug-maybe"),
        pytest.param({"DEBUG": "0", "ALLOWED_HOSTS": "intake.example.org"}, id="secret-key-missing"),
        pytest.param(WITHOUT_TIME_ZONE, id="time-zone-missing"),
    ],
)
def test_bad_setting_stops_gunicorn_and_celery_with_the_line_manage_py_prints(tmp_path, process, values):
    said_by_manage_py = manage_py_check(tmp_path, **values).stderr
    env = {name: value for name, value in os.environ.items() if name not in CONFIG_VARIABLES}
    env.update(values, BROKER_DIR=str(tmp_path / "broker"))

    # A process that kept starting workers that fail would run until the timeout.
    result = subprocess.run(PROCESSES[process], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    said = [line for line in result.stderr.splitlines() if not GUNICORN_LOG_LINE.match(line)]
    assert said == [said_by_manage_py.rstrip("\n")], result.stderr
    assert said[0].startswith("Configuration error: ")


def test_production_settings_without_a_time_zone_stop_with_one_line_saying_what_to_set(tmp_path):
    # A month begins at midnight where the team works: in UTC, a team in Moscow could not
    # log the new month until 03:00 on the 1st.
    result = manage_py_check(tmp_path, **WITHOUT_TIME_ZONE)

    assert result.returncode != 0
    [line] = result.stderr.splitlines()
    assert line.startswith("Configuration error: TIME_ZONE must be set when DEBUG is off"), line
    assert "TIME_ZONE=Europe/Moscow" in line


def test_development_settings_need_no_time_zone(tmp_path):
    result = manage_py_check(tmp_path, DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


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


def copy_of_the_project_with_var_unwritable(tmp_path) -> Path:
    """The project, its var/ a regular file: no folder can be made under it, even by
    root (the tests run as root, who may write to any folder). config/ is copied, as
    settings find var/ next to it; the rest is linked."""
    import shutil

    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copytree(PROJECT / "config", copy / "config", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / "manage.py", copy)
    for path in PROJECT.iterdir():  # every app, templates/ and locale/
        if path.is_dir() and path.name not in ("config", "var") and not path.name.startswith("."):
            (copy / path.name).symlink_to(path)
    (copy / "var").write_text("not a folder")
    return copy


def check_in(project: Path, **values: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in (*CONFIG_VARIABLES, "BROKER_DIR")}
    env.update(values)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=project, env=env, capture_output=True, text=True, timeout=60
    )


def test_an_unwritable_var_folder_does_not_stop_a_process_on_postgres_and_redis(tmp_path):
    project = copy_of_the_project_with_var_unwritable(tmp_path)

    result = check_in(project, **PRODUCTION, DATABASE_URL="postgres://postgres@127.0.0.1:5432/intake",
                      CELERY_BROKER_URL="redis://127.0.0.1:6379/0")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert result.stderr == ""


def test_an_unwritable_var_folder_stops_sqlite_with_one_line_naming_the_folder(tmp_path):
    project = copy_of_the_project_with_var_unwritable(tmp_path)

    result = check_in(project, DEBUG="1", CELERY_BROKER_URL="redis://127.0.0.1:6379/0")

    assert result.returncode != 0
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"Configuration error: {project / 'var'}"), result.stderr
    assert "SQLite database" in result.stderr and "DATABASE_URL" in result.stderr


def test_an_unwritable_var_folder_stops_the_filesystem_broker_with_one_line_naming_the_folder(tmp_path):
    project = copy_of_the_project_with_var_unwritable(tmp_path)

    result = check_in(project, DEBUG="1", DATABASE_URL="postgres://postgres@127.0.0.1:5432/intake")

    assert result.returncode != 0
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"Configuration error: {project / 'var' / 'broker'}"), result.stderr
    assert "broker keeps its messages" in result.stderr and "CELERY_BROKER_URL" in result.stderr


def test_the_web_app_on_postgres_and_redis_makes_no_folder_and_warns_of_none(tmp_path):
    project = copy_of_the_project_with_var_unwritable(tmp_path)
    (project / "var").unlink()
    env = {name: value for name, value in os.environ.items() if name not in (*CONFIG_VARIABLES, "BROKER_DIR")}
    env.update(PRODUCTION, DATABASE_URL="postgres://postgres@127.0.0.1:5432/intake",
               CELERY_BROKER_URL="redis://127.0.0.1:6379/0")

    result = subprocess.run([sys.executable, "-c", "import config.wsgi"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # WhiteNoise does not warn that the optional STATIC_ROOT is missing
    assert not (project / "var").exists()


def test_celery_beat_with_an_unwritable_var_folder_stops_with_one_line_naming_the_folder(tmp_path):
    project = copy_of_the_project_with_var_unwritable(tmp_path)
    env = {name: value for name, value in os.environ.items() if name not in (*CONFIG_VARIABLES, "BROKER_DIR")}
    env.update(PRODUCTION, DATABASE_URL="postgres://postgres@127.0.0.1:5432/intake",
               CELERY_BROKER_URL="redis://127.0.0.1:6379/0")

    result = subprocess.run([sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=ERROR"],
                            cwd=project, env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    [line] = result.stderr.splitlines()
    # Through the app's log handler (config/celery.py): the message alone, no Celery prefix.
    assert line.startswith(f"Configuration error: {project / 'var'} ")
    assert "beat keeps its schedule" in line


def test_celery_beat_makes_the_var_folder_it_needs(tmp_path):
    project = copy_of_the_project_with_var_unwritable(tmp_path)
    (project / "var").unlink()
    env = {name: value for name, value in os.environ.items() if name not in (*CONFIG_VARIABLES, "BROKER_DIR")}
    env.update(PRODUCTION, DATABASE_URL="postgres://postgres@127.0.0.1:5432/intake",
               CELERY_BROKER_URL="redis://127.0.0.1:6379/0")

    beat = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
                            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output = ""
        for line in beat.stdout:
            output += line
            if "beat: Starting" in line or "Traceback" in line or len(output) > 20000:
                break
        # Beat opens its schedule just after it says it is starting: stopping it
        # before then would interrupt that, and what it printed then is not the point.
        deadline = time.monotonic() + 30
        while not list((project / "var").glob("celerybeat-schedule*")) and time.monotonic() < deadline:
            time.sleep(0.1)
        schedules = list((project / "var").glob("celerybeat-schedule*"))
    finally:
        beat.kill()
        beat.communicate(timeout=30)

    assert "Traceback" not in output and "Removing corrupted schedule" not in output, output
    assert schedules
