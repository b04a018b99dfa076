#!/usr/bin/env python3
"""Set up and run the app, or its tests, on a machine with only Python 3.11 and git.

    python3 dev.py run     # .venv, requirements, database, demo data; web, worker and beat
    python3 dev.py test    # the whole test suite (extra arguments go to pytest), browser tests
                           # included: it installs Debian's chromium-headless-shell, minisign, axe-core and wrk when missing
    python3 dev.py test --fast  # the edit-test loop: leaves out the browser, worker and
                           # subprocess tests (pytest -m "not browser and not worker and not subprocess")
    python3 dev.py stack   # the production stack: gunicorn, worker and beat behind nginx (installed
                           # when missing) with a self-signed certificate, at https://127.0.0.1:8443/
    python3 dev.py bench   # the benchmark (docs/benchmark.md; extra arguments go to
                           # `python -m bench`): WIPES the database DATABASE_URL names

The tests run in several processes at once (pytest-xdist's -n, one per core and one more,
those with nothing left taking tests from the others (--dist worksteal); one per core with
--fast, handed SCHEDULE_CHUNK tests at a time at most; at most TEST_PROCESSES); `-n 0` (or
-n N) among the extra arguments overrides that, and `-p no:xdist` runs them in this process.
On Redis, worker gw<i> uses the database i after the one CELERY_BROKER_URL names
(tests/environment.py).

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


def ensure_publication_key(env: dict) -> None:
    key_file = Path(env.get("PUBLICATION_KEY_FILE", ROOT / "var" / "publication.key"))
    if not key_file.exists():
        # Accepted months are published signed (the demo's November too, the bench's
        # month too): no key, no publication.
        say(f"Creating the publication key {key_file}")
        call(PYTHON, "manage.py", "publication_key", "create", env=env)


def run_app() -> int:
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1"), "PYTHONUNBUFFERED": "1"}
    address = os.environ.get("ADDRESS", "127.0.0.1:8000")
    compile_translations(env)
    say("Migrating the database")
    call(PYTHON, "manage.py", "migrate", "--noinput", "-v", "0", env=env)
    ensure_publication_key(env)
    say("Loading the demo data")
    call(PYTHON, "manage.py", "load_demo", env=env)
    commands = {
        "worker": [PYTHON, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=1"],
        "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
        "web": [PYTHON, "manage.py", "runserver", address, "--noreload"],
    }
    processes = {name: subprocess.Popen([str(a) for a in cmd], cwd=ROOT, env=env) for name, cmd in commands.items()}
    say(f"The app runs at http://{address}/ (log in with a demo account above). Ctrl-C stops web, worker and beat.")
    return supervise(processes)


def supervise(processes: dict[str, subprocess.Popen]) -> int:
    """Waits for Ctrl-C (which also reaches the processes) or SIGTERM, or for one of the
    processes to stop; then stops them all."""
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
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
    say(f"Stopping {', '.join(processes)}")
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return code


# Debian's build of Chromium's headless shell (the "old" headless mode), which Playwright
# itself runs for headless tests: the same engine as the chromium package, without the
# desktop browser around it. The 40 browser tests used 30 % less CPU with it than with
# /usr/bin/chromium (166 against 238 CPU-seconds, two processes, one run each).
CHROMIUM = Path("/usr/bin/chromium-headless-shell")
AXE_VERSION = "4.14.1"
AXE_DIR = ROOT / "var" / "npm"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


def ensure_browser_tools() -> None:
    """Debian's Chromium headless shell (the browser tests drive it) and axe-core from the
    npm registry (the tests inject it to check accessibility)."""
    if not CHROMIUM.exists():
        if os.geteuid() != 0:
            sys.exit("The browser tests need Debian's Chromium headless shell: run "
                     "`sudo apt-get install chromium-headless-shell`, then again.")
        say("Installing Chromium's headless shell (Debian's package chromium-headless-shell)")
        call("apt-get", "update", "-qq")
        call("apt-get", "install", "-y", "-qq", "chromium-headless-shell", env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
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
# The most tests pytest-xdist sends a process at once with --fast (run_tests).
SCHEDULE_CHUNK = 50


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
        ensure_nginx()  # tests/test_stack.py runs the stack behind it
    chosen = any(arg.startswith(("-n", "--numprocesses", "--dist")) or arg == "no:xdist" or arg == "-pno:xdist"
                 for arg in args)
    if not chosen:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        # A process a core and one more: some of the suite waits on Chromium, workers,
        # servers and subprocesses, and the extra process keeps a core busy meanwhile. Two a
        # core were more than that: on 2 cores, four processes kept the CPU as busy (97 %)
        # and spent more of it (PostgreSQL: 583 CPU-seconds and 294 s, against 527 and 274 s
        # with three). The fast tests hardly wait: one process a core.
        processes = min(cores if fast else cores + 1, TEST_PROCESSES)
        options += ["-n", str(processes if processes > 1 else 0)]
        if processes > 1 and not fast:
            # A process that runs out of tests takes half of those another has still to
            # run, so all end together.
            options += ["--dist", "worksteal"]
        elif processes > 1:
            # pytest-xdist first hands each process a quarter of its share in one go: the
            # first process got all the long tests, which come first, and ran on alone for
            # 25 s of --fast. At most 50 at a time spreads them and keeps modules together.
            # (Worksteal did as well here: 81.3 and 77.8 s against 80.9 and 84.0 s.)
            options += ["--maxschedchunk", str(SCHEDULE_CHUNK)]
    return subprocess.call([str(PYTHON), "-m", "pytest", *options, *args], cwd=ROOT, env=bytecode_cached())


def bytecode_cached() -> dict:
    """The environment with compiled modules kept under var/pycache/, even where
    PYTHONDONTWRITEBYTECODE is set (it is on this project's machines): else each test process
    rewrites every test module's asserts again (about 5 s of its start) and each of the
    hundreds of processes the tests start compiles the project again. The source tree stays
    free of __pycache__ folders either way."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(ROOT / "var" / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


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
    ensure_publication_key(env)
    return subprocess.call([str(PYTHON), "-m", "bench", *args], cwd=ROOT, env=env)


# The production stack on this machine (`dev.py stack`; tests/test_stack.py runs the same).
NGINX_SITE = ROOT / "deploy" / "nginx" / "intake.conf"
STACK_DIR = ROOT / "var" / "stack"
STACK_PORTS = (8443, 8080)  # HTTPS, and plain HTTP that redirects to it


def ensure_nginx() -> str:
    """Debian's nginx, installed when missing (as Chromium is for the browser tests)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("The stack needs Debian's nginx: run `sudo apt-get install nginx`, then again.")
    say("Installing nginx (Debian's package)")
    call("apt-get", "update", "-qq")
    call("apt-get", "install", "-y", "-qq", "nginx", env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return "/usr/sbin/nginx"


def stack_certificate(folder: Path) -> tuple[Path, Path]:
    """STACK_CERTIFICATE and STACK_CERTIFICATE_KEY when set (both must exist), else a
    self-signed certificate for 127.0.0.1 and localhost, made once in `folder`."""
    named = os.environ.get("STACK_CERTIFICATE"), os.environ.get("STACK_CERTIFICATE_KEY")
    if any(named):
        for variable, path in zip(("STACK_CERTIFICATE", "STACK_CERTIFICATE_KEY"), named, strict=True):
            if not path or not Path(path).is_file():
                sys.exit(f"{variable} must name a PEM file that exists; got {path or 'nothing'!r}.")
        return Path(named[0]), Path(named[1])
    certificate, key = folder / "certificate.pem", folder / "certificate-key.pem"
    if not (certificate.exists() and key.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        made = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(certificate)],
            capture_output=True, text=True)
        if made.returncode != 0:
            sys.exit(f"openssl could not make the self-signed certificate: {made.stderr.strip().splitlines()[-1:]}")
        key.chmod(0o600)
    return certificate, key


def stack_files(folder: Path, https_port: int, http_port: int) -> dict:
    """The stack's nginx configuration (deploy/nginx/intake.conf filled in for 127.0.0.1)
    and its folders, under `folder`; returns what the processes need."""
    certificate, key = stack_certificate(folder)
    origin = "https://127.0.0.1" + ("" if https_port == 443 else f":{https_port}")
    socket_path = folder / "web.sock"
    values = {
        "UPSTREAM": f"unix:{socket_path}", "HTTP_LISTEN": f"127.0.0.1:{http_port}",
        "HTTPS_LISTEN": f"127.0.0.1:{https_port}", "SERVER_NAME": "127.0.0.1 localhost", "HTTPS_ORIGIN": origin,
        "CERTIFICATE": str(certificate), "CERTIFICATE_KEY": str(key), "ERROR_LOG": "stderr",
        "STATIC_ROOT": str(folder / "static"),
    }
    site = NGINX_SITE.read_text()
    for name, value in values.items():
        site = site.replace(f"@{name}@", value)
    temp = folder / "nginx-temp"
    temp.mkdir(parents=True, exist_ok=True)
    # As root, nginx's workers run as www-data (Debian's user for it); its master reads the key.
    user = "user www-data;" if os.geteuid() == 0 else ""
    temp_paths = "\n".join(f"    {kind}_temp_path {temp / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                                    "uwsgi", "scgi"))
    config = folder / "nginx.conf"
    config.write_text(f"""# Made by dev.py from deploy/nginx/intake.conf; remade at each start.
{user}
worker_processes 1;
daemon off;
pid {folder / "nginx.pid"};
error_log stderr crit;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
{temp_paths}
{site}
}}
""")
    return {"origin": origin, "nginx_config": config, "socket": socket_path, "static": folder / "static"}


def stack_environment(folder: Path) -> dict:
    """Production settings behind the stack's nginx; a secret key kept in `folder`."""
    secret = folder / "secret-key"
    if not secret.exists():
        folder.mkdir(parents=True, exist_ok=True)
        secret.write_text(secrets.token_urlsafe(48))
        secret.chmod(0o600)
    env = {**os.environ, "DEBUG": "0", "HTTPS": "1", "TRUSTED_PROXY": "1", "PYTHONUNBUFFERED": "1",
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "STATIC_ROOT": str(folder / "static")}
    env.setdefault("SECRET_KEY", secret.read_text().strip())
    env.setdefault("TIME_ZONE", "UTC")
    return env


def stack_commands(folder: Path, files: dict, nginx: str) -> dict[str, list]:
    return {
        "web": [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi", "--bind",
                f"unix:{files['socket']}", "--workers", "2"],
        "worker": [PYTHON, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=1"],
        "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
                 "--schedule", folder / "celerybeat-schedule"],
        "nginx": [nginx, "-p", folder, "-c", files["nginx_config"]],
    }


def stack_prepare(env: dict) -> None:
    """Static files collected (hashed names) and the pages nginx serves itself."""
    call(PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0", env=env)
    call(PYTHON, "manage.py", "error_pages", "-v", "0", env=env)


def run_stack() -> int:
    folder = STACK_DIR
    https_port, http_port = STACK_PORTS
    files = stack_files(folder, https_port, http_port)  # first: a missing certificate stops it at once
    nginx = ensure_nginx()
    env = stack_environment(folder)
    compile_translations(env)
    say("Migrating the database")
    call(PYTHON, "manage.py", "migrate", "--noinput", "-v", "0", env=env)
    stack_prepare(env)
    files["socket"].unlink(missing_ok=True)
    processes = {name: subprocess.Popen([str(a) for a in command], cwd=ROOT, env=env)
                 for name, command in stack_commands(folder, files, nginx).items()}
    say(f"The production stack runs at {files['origin']}/ (http://127.0.0.1:{http_port}/ redirects there); "
        "its certificate is self-signed: let the browser accept it once.")
    say("The first account, in another terminal: `DEBUG=1 .venv/bin/python manage.py createsuperuser` (with the "
        "same DATABASE_URL, if set); then log in: the app has it set up an authenticator app (its second factor) "
        "and shows its backup codes. Ctrl-C stops web, worker, beat and nginx.")
    return supervise(processes)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test", "bench", "stack"):
        print(__doc__)
        return 2
    ensure_environment()
    if sys.argv[1] == "run":
        return run_app()
    if sys.argv[1] == "bench":
        return run_bench(sys.argv[2:])
    if sys.argv[1] == "stack":
        return run_stack()
    return run_tests(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
