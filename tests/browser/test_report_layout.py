"""Report pages over a long history, in a real browser at desktop and phone width: no
page is wider than the screen, the chart's labels do not touch, and a phone opens the
chart on the report month."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from intake.models import Category, HelpRequest, Programme, new_reference
from intake.months import add_months
from reports.models import Report
from reports.services import report_generate, report_request

from .helpers import DESKTOP, PHONE, check_accessibility, log_in, screenshot

FIRST = dt.date(2021, 11, 1)
MONTHS = 60
REPORT_MONTH = add_months(FIRST, MONTHS - 1)  # October 2026
URL = "/reports/long-help/2026-10/"
# Five kinds of month, over and over: many months tied at 0, at 12 and at the top (30).
PATTERN = [0, 0, 12, 12, 30]


def make_report(programme: Programme) -> Report:
    report = report_request(programme=programme, month=REPORT_MONTH, send=False)
    report_generate(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == Report.State.READY, report.failure
    return report


@pytest.fixture
def long_record(committed_db) -> Programme:
    """Sixty months of requests, with two versions of their October 2026 report."""
    programme = Programme.objects.create(slug="long-help", name="Long help", first_month=FIRST)
    HelpRequest.objects.bulk_create([
        HelpRequest(programme=programme, month=add_months(FIRST, i), category=Category.LEGAL, reference=new_reference())
        for i in range(MONTHS) for _ in range(PATTERN[i % len(PATTERN)])
    ])
    make_report(programme)
    HelpRequest.objects.create(programme=programme, month=FIRST, category=Category.OTHER)
    make_report(programme)
    return programme


def page_width(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def overlapping(page: Page, selector: str) -> list[str]:
    """Pairs of the drawn elements matching selector whose boxes overlap."""
    return page.evaluate("""selector => {
        const boxes = [...document.querySelectorAll(selector)].map(e => [e.textContent, e.getBoundingClientRect()]);
        const found = [];
        for (let i = 1; i < boxes.length; i++) {
            const [a, ra] = boxes[i - 1], [b, rb] = boxes[i];
            if (rb.left < ra.right && ra.left < rb.right && rb.top < ra.bottom && ra.top < rb.bottom) {
                found.push(a + " / " + b);
            }
        }
        return found;
    }""", selector)


def report_month_in_view(page: Page) -> bool:
    return page.evaluate("""() => {
        const box = document.querySelector(".chart").getBoundingClientRect();
        const bar = document.querySelector(".chart-bar-current").getBoundingClientRect();
        return bar.left >= box.left && bar.right <= box.right;
    }""")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_60_month_report_fits_the_screen_and_its_chart_opens_on_the_report_month(
    language, page, live_server, long_record, staff
):
    log_in(page, staff.username)
    if language == "ru":
        page.locator("nav button[value=ru]").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        check_accessibility(page)
    suffix = "" if language == "en" else "-ru"

    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.goto(URL)
        check_accessibility(page)
        width, viewport = page_width(page)
        assert width <= viewport, f"the report is {width} px wide on a {viewport} px screen"
        assert overlapping(page, ".chart-month") == []
        assert overlapping(page, ".chart-year") == []
        assert overlapping(page, ".chart-value") == []
        assert report_month_in_view(page), f"the chart does not show the report month at {size['width']} px"
        expect(page.locator(".figure-value").nth(4)).to_have_text("12 months" if language == "en" else "12 месяцев")
    screenshot(page, f"report-60-months{suffix}")

    for url in (f"{URL}v2/print/", f"{URL}v2/compare/v1/", "/reports/"):
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            page.goto(url)
            check_accessibility(page)
            width, viewport = page_width(page)
            assert width <= viewport, f"{url} is {width} px wide on a {viewport} px screen"
