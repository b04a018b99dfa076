"""Report pages over a long history, in a real browser at desktop and phone width: no
page is wider than the screen, the chart's labels do not touch, a phone opens the chart
on the report month, and the printable page prints on A4 with every box whole."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from intake import demo
from intake.models import Category, HelpRequest, Programme, new_reference
from intake.months import add_months
from intake.services import requests_add
from reports.demo import load_reference_figures
from reports.models import Report
from reports.services import report_generate, report_request
from tests.conftest import add_request

from .helpers import DESKTOP, PHONE, SCREENSHOTS, check_accessibility, log_in, screenshot

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
    requests_add(
        HelpRequest(programme=programme, month=add_months(FIRST, i), category=Category.LEGAL, reference=new_reference())
        for i in range(MONTHS) for _ in range(PATTERN[i % len(PATTERN)])
    )
    make_report(programme)
    add_request(programme=programme, month=FIRST, category=Category.OTHER)
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

    for url, name in ((f"{URL}v2/print/", None), (f"{URL}v2/compare/v1/", "report-compare"), ("/reports/", "reports-versions")):
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            page.goto(url)
            check_accessibility(page)
            width, viewport = page_width(page)
            assert width <= viewport, f"{url} is {width} px wide on a {viewport} px screen"
        if name:
            screenshot(page, f"{name}{suffix}")


# A4 is 210 mm wide; with the stylesheet's 12 mm margins, 186 mm of it hold the page, in
# CSS pixels of 1/96 inch.
A4_CONTENT_WIDTH = round((210 - 2 * 12) / 25.4 * 96)


def pdf_pages(pdf: bytes) -> int:
    """The pages of a PDF, counted from its page objects (/Type /Page, not /Pages)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def spilling(page: Page) -> list[str]:
    """Boxes on the page whose content runs out of them, or that run out of the box
    they are in, and the page itself if it is wider than its window."""
    return page.evaluate("""() => {
        const found = [];
        const root = document.documentElement;
        if (root.scrollWidth > window.innerWidth) found.push("page " + root.scrollWidth);
        for (const e of document.querySelectorAll(
                "main .card, main .card-body, main .figure-value, main .figure-label, main table, main th, main td, "
                + "main p, main h1, main h2, main figure, main code")) {
            // Text kept for screen readers only is clipped on purpose.
            if (e.closest(".visually-hidden")) continue;
            const box = e.getBoundingClientRect(), outer = e.parentElement.getBoundingClientRect();
            if (box.width === 0 && box.height === 0) continue;  // not shown in this medium
            const beyond = box.right > outer.right + 1 || box.left < outer.left - 1;
            if ((e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1) || beyond) {
                found.push(e.tagName + "." + e.className + ": " + e.textContent.trim().slice(0, 40));
            }
        }
        return found;
    }""")


@pytest.fixture
def article_report(committed_db, demo_programme) -> Report:
    load_reference_figures()
    call_command("monthly_report", "2023-11", "--programme", demo.SLUG, "--inline", stdout=io.StringIO())
    return Report.objects.get()


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("report", "url", "most_pages"), [
    # The article's report: its sentences, key figures and chart, then its tables.
    ("article_report", "/reports/desertion-help/2023-11/v1/print/", 2),
    # Sixty months: the series as a table of years, so it prints no longer.
    ("long_record", f"{URL}v2/print/", 2),
])
def test_the_printable_page_prints_on_a4_with_every_box_whole(
    request, report, url, most_pages, language, committed_db, page, auditor
):
    request.getfixturevalue(report)
    log_in(page, auditor.username)
    if language == "ru":
        page.locator("nav button[value=ru]").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        check_accessibility(page)
    name = ("report-print" if report == "article_report" else "report-print-60-months") + (
        "" if language == "en" else "-ru")

    page.goto(url)
    check_accessibility(page)
    expect(page.get_by_role("button", name="Print" if language == "en" else "Печать")).to_be_visible()
    back = page.get_by_role("link", name="Back to the report" if language == "en" else "Назад к отчёту")
    expect(back).to_have_attribute("href", url.removesuffix("print/"))
    assert spilling(page) == []
    screenshot(page, name)

    page.set_viewport_size({"width": A4_CONTENT_WIDTH, "height": 1100})
    page.emulate_media(media="print")
    assert spilling(page) == []
    expect(page.locator("[data-print]")).to_be_hidden()
    page.screenshot(path=SCREENSHOTS / f"{name}-a4.png", full_page=True)
    pdf = page.pdf(format="A4")
    assert 1 <= pdf_pages(pdf) <= most_pages, f"{pdf_pages(pdf)} A4 pages"
