"""The public figures of a report in a real browser, at desktop and phone width, in
English and Russian: counts under 10 said in words and drawn as hatched bars, the
month's review page with its internal and public figures side by side; no page wider
than the screen, axe clean, and the Content-Security-Policy blocks nothing (the page
fixture checks that)."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from intake.models import Programme
from reports.models import Report
from reports.publication import publish
from reports.services import report_generate, report_request
from signoff.report_checks import review_report_check
from signoff.services import review_accept, review_submit
from tests.conftest import add_requests, make_user

from .helpers import DESKTOP, PHONE, check_accessibility, log_in, screenshot

NOVEMBER = dt.date(2023, 11, 1)
# Months of 1 to 9 requests ("<10") among larger ones, April to November 2023.
SERIES = {4: 12, 5: 3, 6: 0, 7: 25, 8: 40, 9: 7, 10: 61, 11: 8}


@pytest.fixture
def accepted_small_report(committed_db) -> Report:
    programme = Programme.objects.create(slug="help", name="Help", first_month=dt.date(2023, 4, 1))
    for month, count in SERIES.items():
        add_requests(count, programme=programme, month=dt.date(2023, month, 1), category="desertion")
    report = report_request(programme=programme, month=NOVEMBER, send=False)
    report_generate(report_id=report.pk)
    staff, auditor = make_user("staff-b", "Staff"), make_user("auditor-b", "Auditor")
    check = review_report_check(programme, NOVEMBER)
    review_submit(programme=programme, month=NOVEMBER, actor=staff, check_report=check)
    review_accept(programme=programme, month=NOVEMBER, actor=auditor, check_report=check)
    publish(programme, NOVEMBER)  # as the worker does once the acceptance commits
    return Report.objects.get(pk=report.pk)


def page_width(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_public_page_and_the_side_by_side_view_fit_every_screen(language, page, accepted_small_report):
    log_in(page, "auditor-b")
    if language == "ru":
        page.locator("nav button[value=ru]").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
    suffix = "" if language == "en" else "-ru"
    for url, name in (("/reports/help/2023-11/v1/?profile=public", "report-public"),
                      ("/review/help/2023-11/", "review-side-by-side")):
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            page.goto(url)
            check_accessibility(page)
            width, viewport = page_width(page)
            assert width <= viewport, f"{url} is {width} px wide on a {viewport} px screen"
        page.set_viewport_size(DESKTOP)
        screenshot(page, f"{name}{suffix}")
    page.goto("/reports/help/2023-11/v1/?profile=public")
    expect(page.locator(".chart-bar-suppressed")).to_have_count(3)
    expect(page.locator("[data-profile=public]")).to_be_visible()
    expect(page.locator("#note-suppressed")).to_be_visible()
