"""Locked months, undo while a month is open, and the months waiting on home pages
(issue 27, points 3 to 5), in a real browser at the width where each broke, one
journey per point, in English (the Russian phone journey covers Russian):

- a locked month's grid is read-only, says why (on a phone, before the grid) and leads
  staff to ask for an unlock;
- an entry of a month before last month is undone by its author while the month is
  open, and an entry of a submitted month is refused at once, without a confirm button;
- an auditor's home page leads to a submitted month's review page; on a phone, staff
  read a returned month with its reason."""

import re

from playwright.sync_api import Page, expect

from intake.models import MonthReview
from intake.months import add_months, format_month
from intake.services import RequestSpec, requests_log
from tests.conftest import THIS_MONTH

from .helpers import DESKTOP, PHONE, check_accessibility, log_in

LAST_MONTH = add_months(THIS_MONTH, -1)  # February 2026
BEFORE_LAST = add_months(THIS_MONTH, -3)  # December 2025


def logged(programme, author, month, count=4):
    return requests_log(spec=RequestSpec(programme=programme, month=month, category="legal"), count=count,
                        author=author)


def review(programme, month, state, **fields) -> MonthReview:
    fields.setdefault("report_version", None if state == MonthReview.State.RETURNED else 1)
    return MonthReview.objects.create(programme=programme, month=month, state=state, **fields)


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def log_out(page: Page) -> None:
    page.locator("nav form[action='/logout/'] button").click()
    expect(page.locator("input[name=username]")).to_be_visible()


def test_an_accepted_months_grid_is_read_only_says_why_and_leads_staff_to_ask_for_an_unlock(
        this_month, page, committed_db, programme, staff):
    entry = logged(programme, staff, LAST_MONTH)
    review(programme, LAST_MONTH, MonthReview.State.ACCEPTED, accepted_in=THIS_MONTH)

    log_in(page, staff.username)
    expect(page.locator(f"a[href='/requests/entries/{entry.pk}/undo/']")).to_have_count(0)
    page.goto(f"/requests/month/{programme.slug}/{format_month(LAST_MONTH)}/")
    check_accessibility(page)

    locked = page.locator("main section[aria-labelledby=locked-heading]")
    expect(locked.get_by_role("heading")).to_have_text(
        "This month is locked: requests cannot be added, moved or undone")
    expect(locked).to_contain_text("February 2026 of Help is accepted and locked. Staff can ask an auditor to "
                                   "unlock it on its review page.")
    main = page.locator("main")
    expect(main.locator("td").filter(has_text="4").first).to_be_visible()  # the grid still shows the month
    expect(main.locator("form[method=post]")).to_have_count(0)
    expect(main.get_by_role("button", name="Save")).to_have_count(0)
    expect(main).not_to_contain_text("+ new")
    expect(main.locator("a[href^='/requests/move/']")).to_have_count(0)
    expect(main.get_by_role("link", name="Log counts")).to_have_count(0)
    expect(main.get_by_role("link", name="Undo")).to_have_count(0)
    page.set_viewport_size(PHONE)  # on a phone the grid fills screens: why comes first
    expect(locked.get_by_role("heading")).to_be_in_viewport()
    page.set_viewport_size(DESKTOP)

    locked.get_by_role("link", name="Open the review page of February 2026").click()
    expect(page.get_by_role("button", name="Ask for an unlock")).to_be_visible()
    check_accessibility(page)


def test_an_entry_of_a_month_before_last_is_undone_by_its_author_and_a_submitted_months_is_refused_at_once(
        this_month, page, committed_db, programme, coordinator):
    old = logged(programme, coordinator, BEFORE_LAST)
    submitted = logged(programme, coordinator, LAST_MONTH, count=2)

    log_in(page, coordinator.username)
    page.locator(f"a[href='/requests/entries/{old.pk}/undo/']").click()
    expect(page.locator("main h1")).to_have_text("Undo this entry?")
    check_accessibility(page)
    page.get_by_role("button", name="Undo the entry").click()
    expect(page.get_by_role("alert")).to_have_text("Undone: 4 requests removed.")
    expect(page.locator("main h1")).to_have_text("Help: December 2025")
    check_accessibility(page)

    review(programme, LAST_MONTH, MonthReview.State.SUBMITTED)  # meanwhile, staff submit February
    page.goto(f"/requests/entries/{submitted.pk}/undo/")
    expect(page.get_by_role("alert")).to_contain_text(
        "February 2026 of Help is submitted for review and locked until an auditor accepts or returns it.")
    expect(page.get_by_role("button", name="Undo the entry")).to_have_count(0)
    expect(page.locator("main h1")).not_to_have_text("Undo this entry?")
    check_accessibility(page)
    assert submitted.requests.count() == 2 and not old.requests.exists()


def test_an_auditor_opens_a_submitted_months_review_from_home_and_staff_read_a_returned_months_reason_on_a_phone(
        this_month, page, committed_db, programme, other_programme, auditor, staff):
    review(programme, LAST_MONTH, MonthReview.State.SUBMITTED)
    review(other_programme, BEFORE_LAST, MonthReview.State.RETURNED, return_reason="duplicates")

    log_in(page, auditor.username)
    waiting = page.locator("[data-months=for_auditor]")
    expect(waiting.get_by_role("heading")).to_have_text("1 month waits for an auditor")
    expect(waiting).to_contain_text("submitted: accept it or return it")
    waiting.get_by_role("link", name="Help, February 2026").click()
    expect(page).to_have_url(re.compile(f"/review/{programme.slug}/{format_month(LAST_MONTH)}/$"))
    expect(page.locator("[data-review-state]")).to_have_attribute("data-review-state", "submitted")
    check_accessibility(page)
    log_out(page)

    page.set_viewport_size(PHONE)
    log_in(page, staff.username)
    returned = page.locator("[data-months=returned]")
    expect(returned.get_by_role("heading")).to_have_text("1 month was returned by an auditor")
    expect(returned).to_contain_text("Other, December 2025: returned: duplicates suspected")
    expect(returned.get_by_role("link", name="Other, December 2025")).to_be_visible()
    assert fits_the_screen(page), "the home page is wider than the phone's screen"
