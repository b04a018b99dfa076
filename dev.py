#!/usr/bin/env python3
"""Set up and run the app, or its tests, on a machine with only Python 3.11 and git.

    python3 dev.py run     # .venv, requirements, database, demo data; web, worker and beat
    python3 dev.py test    # the whole test suite (extra arguments go to pytest), browser tests
                           # included: it installs Debian's chromium, minisign, axe-core and wrk when missing
    python3 dev.py test --fast  # the edit-test loop: leaves out the browser, worker and
                           # subprocess tests (pytest -m "not browser and not worker and not subprocess")
    python3 dev.py bench   # the benchmark (docs/benchmark.md; extra arguments go to
                           # `python -m bench`): WIPES the database DATABASE_URL names

The tests run in several processes at once (pytest-xdist's -n, one per core, at most
TEST_PROCESSES); `-n 0` (or -n N) among the extra arguments overrides that, and `-p no:xdist`
runs them in this process. On Redis, worker gw<i> uses the database i after the one
CELERY_BROKER_URL names (tests/environment.py).

Each creates the virtual environment in .venv and installs requirements.txt when it
is missing or has changed. `run` uses whatever DATABASE_URL and CELERY_BROKER_URL say,
by default a SQLite file and kombu's filesystem broker under var/, and stops all three
processes on Ctrl-C. Standard library only: it runs before anything is installed.
"""

import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
REQUIREMENTS = ROOT / "requirements.txt"
STAMP = VENV / ".requirements.sha256"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def call(*args: str | Path, env: dict | None = None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 the machine has
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        say("Creating the virtual environment in .venv")
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != digest:
        say("Installing requirements.txt")
        call(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", REQUIREMENTS)
        STAMP.write_text(digest)


def compile_translations(env: dict | None = None) -> None:
    call(PYTHON, "manage.py", "compile_translations", env=env)


def run_app() -> int:
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1"), "PYTHONUNBUFFERED": "1"}
    address = os.environ.get("ADDRESS", "127.0.0.1:8000")
    compile_translations(env)
    say("Migrating the database")
    call(PYTHON, "manage.py", "migrate", "--noinput", "-v", "0", env=env)
    say("Loading the demo data")
    call(PYTHON, "manage.py", "load_demo", env=env)
    commands = {
        "worker": [PYTHON, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=1"],
        "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
        "web": [PYTHON, "manage.py", "runserver", address, "--noreload"],
    }
    stopping = []  # set by Ctrl-C (which also reaches the three processes) or SIGTERM

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    processes = {name: subprocess.Popen([str(a) for a in cmd], cwd=ROOT, env=env) for name, cmd in commands.items()}
    say(f"The app runs at http://{address}/ (log in with a demo account above). Ctrl-C stops web, worker and beat.")
    code = 0
    while not stopping:
        exited = [name for name, process in processes.items() if process.poll() is not None]
        if exited:
            time.sleep(1)  # a Ctrl-C may have reached that process before this one
            if not stopping:
                code = processes[exited[0]].returncode or 1
                say(f"The {exited[0]} process stopped (exit code {code}); stopping the others.")
            break
        time.sleep(0.5)
    say("Stopping web, worker and beat")
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return code


CHROMIUM = Path("/usr/bin/chromium")
AXE_VERSION = "4.14.1"
AXE_DIR = ROOT / "var" / "npm"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


def ensure_browser_tools() -> None:
    """Debian's Chromium (the browser tests drive it) and axe-core from the npm
    registry (the tests inject it to check accessibility)."""
    if not CHROMIUM.exists():
        if os.geteuid() != 0:
            sys.exit("The browser tests need Debian's chromium: run `sudo apt-get install chromium`, then again.")
        say("Installing Chromium (Debian's package)")
        call("apt-get", "update", "-qq")
        call("apt-get", "install", "-y", "-qq", "chromium", env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not AXE_SCRIPT.exists():
        say(f"Installing axe-core {AXE_VERSION} (npm)")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        call("npm", "install", "--prefix", AXE_DIR, "--no-audit", "--no-fund", "--silent", f"axe-core@{AXE_VERSION}")


def ensure_wrk(*, required: bool) -> None:
    """Debian's wrk, the load tool of the benchmark (and of its test)."""
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        if required:
            sys.exit("The benchmark's test needs Debian's wrk: run `sudo apt-get install wrk`, then again.")
        say("wrk is missing (`sudo apt-get install wrk`): the benchmark loads pages with its own, slower threads.")
        return
    say("Installing wrk (Debian's package)")
    call("apt-get", "update", "-qq")
    call("apt-get", "install", "-y", "-qq", "wrk", env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def ensure_minisign() -> None:
    """Debian's minisign: the tests check with the stock tool that what the app signs
    verifies (tests/publications/test_minisign.py)."""
    if shutil.which("minisign"):
        return
    if os.geteuid() != 0:
        sys.exit("The signature tests need Debian's minisign: run `sudo apt-get install minisign`, then again.")
    say("Installing minisign (Debian's package)")
    call("apt-get", "update", "-qq")
    call("apt-get", "install", "-y", "-qq", "minisign", env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


# The most test processes: each needs a Redis database of its own (tests/environment.py).
TEST_PROCESSES = 4
FAST = "not browser and not worker and not subprocess"


def run_tests(args: list[str]) -> int:
    fast = "--fast" in args
    args = [arg for arg in args if arg != "--fast"]
    # Settings need a secret with DEBUG off; the tests supply their own (tests/environment.py).
    compile_translations({**os.environ, "DEBUG": "1"})
    options = []
    if fast:
        options += ["-m", FAST]
    else:
        ensure_browser_tools()
        ensure_wrk(required=True)
        ensure_minisign()
    chosen = any(arg.startswith(("-n", "--numprocesses", "--dist")) or arg == "no:xdist" or arg == "-pno:xdist"
                 for arg in args)
    if not chosen:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        processes = min(cores, TEST_PROCESSES)
        options += ["-n", str(processes if processes > 1 else 0)]
    return subprocess.call([str(PYTHON), "-m", "pytest", *options, *args], cwd=ROOT)


def run_bench(args: list[str]) -> int:
    # Production settings, as the benchmark's own gunicorn and worker get them (over
    # plain HTTP on 127.0.0.1): DEBUG would record every query and slow the timings.
    env = {**os.environ, "DEBUG": "0", "HTTPS": "0", "TWO_FACTOR_REQUIRED": "0", "ALLOWED_HOSTS": "127.0.0.1",
           "PYTHONUNBUFFERED": "1"}
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    env.setdefault("TIME_ZONE", "UTC")  # production settings name one; the timings do not depend on it
    compile_translations(env)
    ensure_wrk(required=False)
    say("Migrating the database")
    call(PYTHON, "manage.py", "migrate", "--noinput", "-v", "0", env=env)
    return subprocess.call([str(PYTHON), "-m", "bench", *args], cwd=ROOT, env=env)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test", "bench"):
        print(__doc__)
        return 2
    ensure_environment()
    if sys.argv[1] == "run":
        return run_app()
    if sys.argv[1] == "bench":
        return run_bench(sys.argv[2:])
    return run_tests(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
