"""The production stack as deployed (deploy/, `python3 dev.py stack`): gunicorn, a Celery
worker and beat behind nginx with TLS, on the test database, one stack for the whole
session. Everything here goes through nginx, as a browser would."""

import datetime as dt
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

import dev
from intake.months import format_month
from reports.models import Report
from tests.accounts import with_authenticator
from tests.conftest import PASSWORD, make_user

PROJECT = Path(__file__).resolve().parent.parent
UPLOAD_CAP = 2 * 1024 * 1024  # intake.imports.MAX_BYTES


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_served(https_port: int, context: ssl.SSLContext, logs: dict, processes: dict) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            server = http.client.HTTPSConnection("127.0.0.1", https_port, timeout=5, context=context)
            server.request("GET", "/login/")
            if server.getresponse().status == 200:
                return
        except OSError:
            pass
        stopped = [name for name, process in processes.items() if process.poll() is not None]
        if stopped or time.monotonic() > deadline:
            said = "\n".join(f"--- {name}\n{path.read_text()[-2000:]}" for name, path in logs.items())
            raise AssertionError(f"the stack did not start ({stopped} stopped):\n{said}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def stack(django_db_setup, django_db_blocker):
    """The stack on free ports of 127.0.0.1, made as `dev.py stack` makes it. Its processes
    use the test database: each test here commits what it writes (committed_db), and
    holds no transaction the servers would wait for."""
    from bench.servers import database_url

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is missing: `python3 dev.py test` installs it (Debian's package)")
    # Not under pytest's own folder, which only its owner may enter: nginx's workers run as www-data.
    folder = Path(tempfile.mkdtemp(prefix="intake-stack-"))
    folder.chmod(0o755)
    https_port, http_port = free_port(), free_port()
    files = dev.stack_files(folder, https_port, http_port)
    with django_db_blocker.unblock():
        database = database_url()
    env = dev.stack_environment(folder) | {"DATABASE_URL": database, "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL}
    if hasattr(django_settings, "BROKER_DIR"):
        env["BROKER_DIR"] = str(django_settings.BROKER_DIR)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=PROJECT, env=env,
                   check=True)
    subprocess.run([sys.executable, "manage.py", "error_pages", "-v", "0"], cwd=PROJECT, env=env, check=True)
    commands = dev.stack_commands(folder, files, nginx)
    commands["web"][0] = commands["worker"][0] = commands["beat"][0] = sys.executable
    logs, processes = {}, {}
    for name, command in commands.items():
        logs[name] = folder / f"{name}.log"
        with open(logs[name], "w") as log:
            processes[name] = subprocess.Popen([str(part) for part in command], cwd=PROJECT, env=env, stdout=log,
                                               stderr=log)
    context = ssl.create_default_context(cafile=str(folder / "certificate.pem"))
    try:
        _wait_until_served(https_port, context, logs, processes)
        yield {"https": https_port, "http": http_port, "context": context, "origin": files["origin"], "logs": logs}
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(folder, ignore_errors=True)


class Browser:
    """A browser's requests through nginx over HTTPS: it keeps cookies, sends the form's
    CSRF token and the Origin header, and trusts only the stack's certificate."""

    def __init__(self, stack, *, forwarded_for: str | None = None):
        self.stack, self.cookies, self.forwarded_for = stack, SimpleCookie(), forwarded_for

    def request(self, method: str, path: str, body: bytes | None = None, headers=None) -> tuple:
        server = http.client.HTTPSConnection("127.0.0.1", self.stack["https"], timeout=60,
                                             context=self.stack["context"])
        headers = {"Origin": self.stack["origin"], **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={morsel.value}" for name, morsel in self.cookies.items())
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        server.request(method, path, body=body, headers=headers)
        response = server.getresponse()
        text = response.read().decode(errors="replace")
        server.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        return response, text

    def get(self, path: str) -> tuple:
        return self.request("GET", path)

    def post(self, path: str, form: dict, *, form_page: str | None = None) -> tuple:
        """Posts the form as its page (`path`, or form_page) sends it."""
        _, page = self.get(form_page or path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:2000]
        body = urlencode({**form, "csrfmiddlewaretoken": token[1]}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})


def test_plain_http_is_redirected_to_https(stack, committed_db):
    server = http.client.HTTPConnection("127.0.0.1", stack["http"], timeout=10)
    server.request("GET", "/login/?next=/reports/")
    response = server.getresponse()

    assert response.status == 301
    assert response.headers["Location"] == f"{stack['origin']}/login/?next=/reports/"


def test_every_answer_says_https_only_the_cookie_is_secure_and_static_files_are_cached_a_year(stack, committed_db):
    browser = Browser(stack)
    login, page = browser.get("/login/")
    stylesheet = re.search(r'href="(/static/bootstrap/css/bootstrap\.min\.\w+\.css)"', page)
    assert stylesheet, page[:2000]  # a name that carries the hash of its contents
    static, _ = browser.get(stylesheet[1])

    for response in (login, static):
        assert response.headers.get_all("Strict-Transport-Security") == [
            "max-age=31536000; includeSubDomains; preload"]
    session_cookie = [c for c in login.headers.get_all("Set-Cookie") if c.startswith("sessionid=")]
    assert session_cookie and "Secure" in session_cookie[0] and "HttpOnly" in session_cookie[0]
    assert static.status == 200
    assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def _previous_month() -> dt.date:
    return (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _log_in_with_second_factor(stack, user) -> Browser:
    """Password, then the authenticator app's next code (the current one was used when it
    was set up, and a code works once)."""
    browser = Browser(stack)
    answer, _ = browser.post("/login/", {"username": user.username, "password": PASSWORD})
    assert answer.status == 302, "login refused"
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + device.step
    answer, page = browser.post("/account/verify/", {"token": f"{totp.token():06d}"})
    assert answer.status == 302, page[-3000:]
    return browser


def test_with_a_second_factor_a_count_is_logged_and_a_report_made_by_the_worker_is_read(
    stack, committed_db, programme, settings
):
    settings.PASSWORD_HASHERS = ["config.hashers.Argon2Hasher"]  # the servers check these
    settings.TWO_FACTOR_REQUIRED = True  # as the servers run: each account sets up its app first
    coordinator = with_authenticator(make_user("coord-s", "Coordinator", [programme])).user
    staff = with_authenticator(make_user("staff-s", "Staff")).user
    month = format_month(_previous_month())

    coordinating = _log_in_with_second_factor(stack, coordinator)
    logged, page = coordinating.post("/requests/counts/", {
        "programme": "help", "month": month, "category": "legal", "status": "new", "count": 3})
    assert logged.status == 302, page[-3000:]
    staffing = _log_in_with_second_factor(stack, staff)
    asked, _ = staffing.post("/reports/generate/", {"programme": "help", "month": month}, form_page="/reports/")
    assert asked.status == 302

    report = Report.objects.get(programme=programme)
    deadline = time.monotonic() + 30
    while Report.objects.get(pk=report.pk).is_pending:
        assert time.monotonic() < deadline, stack["logs"]["worker"].read_text()[-3000:]
        time.sleep(0.1)
    shown, page = staffing.get(asked.headers["Location"])
    assert shown.status == 200
    assert Report.objects.get(pk=report.pk).state == Report.State.READY
    assert re.search(r"\b3\b", re.sub(r"<[^>]+>", " ", page))  # the count logged


def test_an_address_sent_by_the_client_is_not_what_login_throttling_counts(stack, committed_db):
    make_user("throttled", "Coordinator")
    answers = []
    for attempt in range(django_settings.AXES_FAILURE_LIMIT + 1):
        # Each wrong password claims another address: nginx replaces the claim with its own.
        browser = Browser(stack, forwarded_for=f"198.51.100.{attempt + 1}")
        answer, _ = browser.post("/login/", {"username": "throttled", "password": "wrong-password"})
        answers.append(answer.status)

    # Locked out at the fifth, although each came "from" another address.
    assert answers == [200] * (django_settings.AXES_FAILURE_LIMIT - 1) + [429, 429]


def test_an_upload_over_the_cap_is_refused_by_nginx_with_the_apps_page_in_both_languages(stack, committed_db):
    boundary = "intake-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode() + b"x" * (UPLOAD_CAP + 100 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    server = http.client.HTTPSConnection("127.0.0.1", stack["https"], timeout=30, context=stack["context"])
    try:
        server.request("POST", "/requests/import/", body=body,
                       headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    except (BrokenPipeError, ConnectionResetError):
        pass  # nginx may answer before the whole body is sent
    response = server.getresponse()
    page = response.read().decode()

    assert response.status == 413
    assert response.headers["Server"] == "nginx"  # refused before the app read it
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "The file is too large" in page and "Файл слишком большой" in page
    assert "split it into smaller files" in page and "разделите его на файлы поменьше" in page
    assert response.headers.get_all("Strict-Transport-Security")


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is missing (package systemd)")
def test_the_systemd_units_pass_systemd_analyze_verify_with_their_paths_filled_in(tmp_path):
    env_file, key = tmp_path / "intake.env", tmp_path / "publication.key"
    env_file.write_text("DEBUG=0\n")
    key.write_text("not a key\n")
    values = {"APP_DIR": str(PROJECT), "ENV_FILE": str(env_file), "STATE_DIR": str(tmp_path),
              "KEY_FILE": str(key), "USER": "daemon"}
    units = []
    for unit in sorted((PROJECT / "deploy" / "systemd").glob("*.service")):
        text = unit.read_text()
        for name, value in values.items():
            text = text.replace(f"@{name}@", value)
        assert not re.search(r"@[A-Z_]+@", text.replace("@NAMES@", "")), f"{unit.name} has a name not filled in"
        (tmp_path / unit.name).write_text(text)
        units.append(str(tmp_path / unit.name))
    venv_bin = PROJECT / ".venv" / "bin"
    assert (venv_bin / "gunicorn").exists() and (venv_bin / "celery").exists()

    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"})

    assert len(units) == 3
    assert result.returncode == 0 and result.stderr == "", result.stderr
