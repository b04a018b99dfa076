"""The servers the bench loads: gunicorn and a Celery worker, started as production
starts them, on the bench's database; and logging in to them as a browser does."""

import http.client
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection

from bench import BenchError


def database_url() -> str:
    """The URL of the database this process uses (under tests, the test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "", safe="")
    if user and db.get("PASSWORD"):
        user += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{user + '@' if user else ''}{db['HOST']}:{db.get('PORT') or 5432}/{quote(db['NAME'], safe='')}"


def server_environment() -> dict[str, str]:
    """Production settings, but plain HTTP on 127.0.0.1 and a password alone."""
    environment = os.environ | {
        "DEBUG": "0", "HTTPS": "0", "TRUSTED_PROXY": "0", "TWO_FACTOR_REQUIRED": "0",
        "ALLOWED_HOSTS": "127.0.0.1", "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url(), "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "TIME_ZONE": settings.TIME_ZONE,
        # The bench's API token asks thousands of times a minute.
        "API_RATE_LIMIT": str(10**9),
    }
    if hasattr(settings, "BROKER_DIR"):
        environment["BROKER_DIR"] = str(settings.BROKER_DIR)
    return environment


def _wait_for_line(process: subprocess.Popen, log: Path, pattern: str, what: str, timeout: float = 60) -> re.Match:
    deadline = time.monotonic() + timeout
    while not (found := re.search(pattern, log.read_text(errors="replace"))):
        if process.poll() is not None or time.monotonic() > deadline:
            raise BenchError(f"{what} did not start; its log says:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)
    return found


@contextmanager
def _process(command: list[str], environment: dict[str, str], name: str) -> Iterator[tuple[subprocess.Popen, Path]]:
    with tempfile.TemporaryDirectory(prefix=f"intake-bench-{name}-") as folder:
        log = Path(folder) / f"{name}.log"
        with open(log, "w") as out:
            process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=environment, stdout=out, stderr=out)
        try:
            yield process, log
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Port(int):
    """The port a server listens on, knowing the process id of the server."""

    pid: int


@contextmanager
def gunicorn(environment: dict[str, str], workers: int) -> Iterator[Port]:
    """The app served by gunicorn with the project's settings; yields its port."""
    command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi",
               "--bind", "127.0.0.1:0", "--workers", str(workers)]
    with _process(command, environment, "gunicorn") as (process, log):
        port = Port(_wait_for_line(process, log, r"Listening at: http://127\.0\.0\.1:(\d+)", "gunicorn")[1])
        port.pid = process.pid
        yield port


@contextmanager
def celery_worker(environment: dict[str, str]) -> Iterator[int]:
    """A Celery worker as production runs one: prefork, one process. Yields the pid of
    the main process (the child that runs the tasks is its child)."""
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1",
               "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--hostname", f"bench-{os.getpid()}@%h"]
    with _process(command, environment, "worker") as (process, log):
        _wait_for_line(process, log, r"ready\.", "The Celery worker")
        yield process.pid


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The command may hold spaces and brackets: the fields follow its last ")".
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def memory_mib(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory now (VmRSS) or at its peak (VmHWM), in MiB; 0 if unknown."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
    return int(found[1]) / 1024 if found else 0.0


def _cookie_header(cookies: SimpleCookie) -> str:
    return "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())


def _take_cookies(response: http.client.HTTPResponse, cookies: SimpleCookie) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)


def log_in(port: int, username: str, password: str) -> str:
    """Log in through the login form as a browser does; returns the Cookie header."""
    server = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
    cookies = SimpleCookie()
    server.request("GET", "/login/")
    page = server.getresponse()
    _take_cookies(page, cookies)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    if token is None:
        raise BenchError(f"The login page (status {page.status}) has no CSRF token.")
    form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token[1]})
    server.request("POST", "/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(cookies)})
    answer = server.getresponse()
    answer.read()
    _take_cookies(answer, cookies)
    server.close()
    if answer.status != 302:
        raise BenchError(f"Logging in as {username} answered {answer.status}, not a redirect.")
    return _cookie_header(cookies)


def check_page(port: int, path: str, headers: dict[str, str], status: int = 200) -> http.client.HTTPResponse:
    """GET `path`; BenchError unless it answers `status`. Returns the answer."""
    server = http.client.HTTPConnection("127.0.0.1", int(port), timeout=300)
    server.request("GET", path, headers=headers)
    response = server.getresponse()
    response.read()
    server.close()
    if response.status != status:
        where = response.headers.get("Location")
        raise BenchError(f"{path} answered {response.status}{f' (to {where})' if where else ''}, not {status}.")
    return response
