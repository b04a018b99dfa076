"""Browser tests: Debian's Chromium (its headless shell), driven by Playwright (sync API), against
pytest-django's live server and a real Celery worker.

One browser for all the browser tests, a new context (cookies, storage) per test.
"""

import os
import threading

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, sync_playwright

from .helpers import AXE_SCRIPT, CHROMIUM, DESKTOP, checked_urls

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
INSTALL_HINT = "`python3 dev.py test` installs Debian's chromium-headless-shell and axe-core when they are missing."


# While Playwright's sync API is started, it marks its asyncio loop as running in
# the main thread between calls. Django then refuses ORM calls there
# (SynchronousOnlyOperation) and, through asgiref's Local, hands out other
# connection objects than before. Hence package scope, not session scope: the
# browser lives exactly as long as the tests of this folder, and the tests collected
# after them run as usual.
@pytest.fixture(scope="package")
def browser() -> Browser:
    if not CHROMIUM.exists():
        pytest.fail(f"The browser tests need Chromium at {CHROMIUM}. {INSTALL_HINT}", pytrace=False)
    if not AXE_SCRIPT.exists():
        pytest.fail(f"The browser tests need axe-core at {AXE_SCRIPT}. {INSTALL_HINT}", pytrace=False)
    # The ORM calls made in this thread (the tests', the database flush after each
    # test) are synchronous: Playwright's loop only waits in a greenlet beside them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    serialized = {c.alias: c._test_serialized_contents for c in connections.all()
                  if hasattr(c, "_test_serialized_contents")}
    playwright = sync_playwright().start()
    # The new connection objects need what serialized rollback restores after each
    # flush (the roles, made by a migration), or the second test finds no roles.
    for alias, contents in serialized.items():
        connections[alias]._test_serialized_contents = contents
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
    finally:
        connections.close_all()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.journey_passed = report.passed  # read by the page fixture's checks
    return report


@pytest.fixture
def page(request, browser, live_server) -> Page:
    """A page in a fresh context, in English, at desktop size. Afterwards: every
    request the browser made went to the app itself, no script failed and the
    Content-Security-Policy blocked nothing, and every page loaded was checked with axe."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="en-GB", accept_downloads=True)
    context.set_default_timeout(15_000)
    context.add_init_script(path=AXE_SCRIPT)  # for check_accessibility, in every document
    requested: list[str] = []
    context.on("request", lambda browser_request: requested.append(browser_request.url))
    page = context.new_page()
    broken: list[str] = []

    def note_blocked(message) -> None:
        if "Content Security Policy" in message.text:  # how Chromium reports a CSP violation
            broken.append(f"CSP: {message.text}")

    page.on("console", note_blocked)
    page.on("pageerror", lambda error: broken.append(f"script error: {error}"))
    loaded: set[str] = set()
    page.on("load", lambda loaded_page: loaded.add(loaded_page.url.split("?")[0]))
    try:
        yield page
    finally:
        context.close()
        checked = checked_urls.pop(page, set())
    elsewhere = [url for url in requested if not url.startswith((live_server.url + "/", "data:"))]
    assert not elsewhere, f"the browser made requests to other hosts than {live_server.url}: {elsewhere}"
    assert not broken, "\n".join(broken)
    if getattr(request.node, "journey_passed", False):
        unchecked = sorted(loaded - checked)
        assert not unchecked, f"pages loaded but never checked with check_accessibility: {unchecked}"


@pytest.fixture
def held_worker(monkeypatch):
    """Holds every report the worker makes until the test calls .set(), so that a
    test sees the report page while it is still pending, whatever the broker's speed.
    The worker runs the real task; it only waits before computing the figures."""
    from reports import services

    gate = threading.Event()
    compute = services.report_compute

    def compute_when_released(**kwargs):
        gate.wait(timeout=60)
        return compute(**kwargs)

    monkeypatch.setattr(services, "report_compute", compute_when_released)
    yield gate
    gate.set()
