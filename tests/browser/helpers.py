"""What every browser journey does on the pages it visits: log in, check
accessibility with axe-core, take screenshots."""

from functools import cache
from pathlib import Path

from playwright.sync_api import Error, Page, expect

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium-headless-shell")  # Debian's; as dev.py installs it
AXE_SCRIPT = ROOT / "var" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
# Impacts that fail a test; "minor" and "moderate" findings are printed only.
BLOCKING_IMPACTS = {"serious", "critical"}

# The URLs (without query) each page has been checked on; the page fixture makes
# sure every page a journey loaded was checked.
checked_urls: dict[Page, set[str]] = {}


def _retry_over_refresh(page: Page, action):
    """Run action(); a page that reloads itself (a pending report's page, once the
    report is ready) may navigate away mid-way: then wait for the new load and run it again."""
    for attempt in range(3):
        try:
            return action()
        except Error as exc:
            reloaded = "navigat" in str(exc) or "context was destroyed" in str(exc)
            if attempt == 2 or not reloaded:
                raise
            page.wait_for_load_state("load")


@cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text()


def check_accessibility(page: Page, known: dict[str, str] | None = None) -> None:
    """Run axe-core on the page as it is now and fail on any serious or critical
    violation, except the rules in `known` (rule id -> why it is tolerated for now),
    which are printed. axe-core comes in through the DevTools protocol, which the page's
    Content-Security-Policy does not govern (a <script> tag would be blocked): the page
    fixture has Chromium add it to every document of the context as it starts, which
    costs less than sending its 650 KB here for each check; a page without it gets it here."""
    known = known or {}
    page.wait_for_load_state("load")

    def run() -> dict:
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.evaluate(_axe_source())
        return page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")

    results = _retry_over_refresh(page, run)
    blocking, other = [], []
    for violation in results["violations"]:
        targets = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"])
        line = f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}"
        if violation["id"] in known:
            line += f" [known: {known[violation['id']]}]"
        fails = violation["impact"] in BLOCKING_IMPACTS and violation["id"] not in known
        (blocking if fails else other).append(line)
    for line in other:
        print(f"axe, not failing the test, {page.url}: {line}")
    assert not blocking, f"axe found serious accessibility problems on {page.url}:\n" + "\n".join(blocking)
    checked_urls.setdefault(page, set()).add(page.url.split("?")[0])


def screenshot(page: Page, name: str) -> None:
    """screenshots/<name>-desktop.png and <name>-phone.png, whole page."""
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            path = SCREENSHOTS / f"{name}-{width}.png"
            _retry_over_refresh(page, lambda path=path: page.screenshot(path=path, full_page=True, animations="disabled"))
    finally:
        page.set_viewport_size(DESKTOP)


def log_in(page: Page, username: str, password: str = PASSWORD, *, screenshot_as: str | None = None) -> None:
    """Through the login form, as a person would; ends on the home page."""
    page.goto("/login/")
    check_accessibility(page)
    if screenshot_as:
        screenshot(page, screenshot_as)
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    # The navbar's language buttons are submit buttons too: press the form's own.
    page.locator("main button[type=submit]").click()
    expect(page.locator("main h1")).to_contain_text(username)
    check_accessibility(page)
