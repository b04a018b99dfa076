"""Nothing a person types is lost (issue 27), in a real browser: a session that ends
while the month grid is being filled on a phone (points 1 and 2). The numbers typed in
several rows are sent with one Save; the session has ended, so the login page says
nothing was saved; after logging in again the grid shows the numbers again (kept only
in the tab's sessionStorage), and one Save logs them once."""

from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from intake.models import Entry, HelpRequest
from intake.months import format_month
from tests.conftest import PASSWORD

from .helpers import PHONE, check_accessibility, log_in, screenshot


def test_a_session_ended_mid_grid_brings_the_numbers_back_after_login_and_saves_them_once(
        this_month, page, live_server, committed_db, programme, coordinator):
    log_in(page, coordinator.username)
    page.set_viewport_size(PHONE)
    page.goto(f"/requests/month/{programme.slug}/{format_month(this_month)}/")
    check_accessibility(page)
    page.get_by_label("Legal consultation, new", exact=True).fill("4")
    page.get_by_label("Desertion (leave a unit), in progress", exact=True).fill("2")
    page.get_by_label("Other, closed", exact=True).fill("1")
    page.get_by_label("Other, outcome of the closed").select_option("referred")
    screenshot(page, "grid-typed")

    Session.objects.all().delete()  # a logout in another tab, or the clean-up of expired sessions
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator("main")).to_contain_text("Your session had ended")
    check_accessibility(page)
    assert not HelpRequest.objects.exists()
    page.locator("input[name=username]").fill(coordinator.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()

    expect(page.get_by_role("status")).to_contain_text("What you typed before your session ended is back")
    expect(page.get_by_label("Legal consultation, new", exact=True)).to_have_value("4")
    expect(page.get_by_label("Desertion (leave a unit), in progress", exact=True)).to_have_value("2")
    expect(page.get_by_label("Other, outcome of the closed")).to_have_value("referred")
    check_accessibility(page)
    screenshot(page, "grid-restored")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Saved: 7 requests received in March 2026 added.")
    check_accessibility(page)
    page.reload()
    expect(page.get_by_label("Legal consultation, new", exact=True)).to_have_value("")  # not put back again
    assert Entry.objects.count() == 1 and HelpRequest.objects.count() == 7
