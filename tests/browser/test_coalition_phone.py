"""The coalition's pages for staff on a phone (issue 26), in Russian, the longer of the
two languages: the list of peers and the coalition view of a month fit the screen;
their wide tables scroll inside the page instead of widening it."""

from playwright.sync_api import expect

from tests.coalition.test_page import a_peer

from .helpers import PHONE, check_accessibility, log_in


def test_the_peers_and_the_coalition_view_fit_a_phone_in_russian(page, committed_db, staff):
    a_peer(1, "[c]")
    a_peer(2, 575)
    log_in(page, staff.username)
    page.locator("nav button[value=ru]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.set_viewport_size(PHONE)

    for address in ("/coalition/peers/", "/coalition/2023-11/"):
        page.goto(address)
        expect(page.locator("main h1")).to_be_visible()
        check_accessibility(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{address} is {width} px wide on a {PHONE['width']} px phone"
