"""The journeys of the three roles, in a real browser against the live server and a
real Celery worker: what a person clicks and reads, then what the database holds."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from intake import demo
from intake.models import AuditEvent, HelpRequest, Outcome, Status
from intake.months import format_month
from reports.demo import load_reference_figures
from reports.models import Report
from tests.reports.article import SENTENCE

from .helpers import check_accessibility, log_in, screenshot

SENTENCES = {
    "en": SENTENCE,
    "ru": "577 запросов с сентября по ноябрь — на 89% больше, чем 305 запросов с июня по август.",
}


def programme_counts(page: Page) -> list[str]:
    """The home page's row for the coordinator's one programme: name, new, in progress, closed."""
    return page.locator("main table").first.locator("tbody tr").first.locator("td").all_inner_texts()


def test_coordinator_logs_counts_moves_some_and_closes_one(this_month, page, live_server, celery_worker, programme,
                                                           coordinator):
    month = format_month(this_month)
    log_in(page, coordinator.username, screenshot_as="login")
    screenshot(page, "coordinator-home-empty")

    # 12 new legal consultations this month, as counts.
    page.get_by_role("link", name="Log counts").click()
    check_accessibility(page)
    screenshot(page, "log-counts")
    expect(page.get_by_label("Programme")).to_have_value(programme.slug)
    expect(page.get_by_label("Month received")).to_have_value(month)
    page.get_by_label("Category").select_option("legal")
    page.get_by_label("How many requests").fill("12")
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("alert")).to_have_text("12 requests logged.")
    check_accessibility(page)
    assert programme_counts(page) == [programme.name, "12", "0", "0"]

    # 3 more, already closed this month: referred elsewhere.
    page.get_by_role("link", name="Log counts").click()
    check_accessibility(page)
    page.get_by_label("Category").select_option("legal")
    page.get_by_label("Status").select_option("closed")
    page.get_by_label("Outcome").select_option("referred")
    page.get_by_label("Month closed").fill(month)
    page.get_by_label("How many requests").fill("3")
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("alert")).to_have_text("3 requests logged.")
    check_accessibility(page)
    assert programme_counts(page) == [programme.name, "12", "0", "3"]

    # 5 of the 12 new ones closed at once, through the move page.
    page.get_by_role("link", name="Move requests").click()
    expect(page).to_have_url(f"{live_server.url}/requests/move/")
    check_accessibility(page)
    screenshot(page, "move-requests")
    page.get_by_label("Month received").fill(month)
    page.get_by_label("Category").select_option("legal")
    page.get_by_label("Now").select_option("new")
    page.get_by_label("How many").fill("5")
    page.get_by_label("Move to").select_option("closed")
    page.get_by_label("Outcome").select_option("safe_in_russia")
    page.get_by_label("Month closed").fill(month)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("alert")).to_have_text("5 requests moved.")
    check_accessibility(page)
    assert programme_counts(page) == [programme.name, "7", "0", "8"]
    screenshot(page, "coordinator-home")

    # One of the 7 still waiting, opened from the list and closed on its own page.
    waiting = page.get_by_role("heading", name="Waiting for action").locator("xpath=..").locator("tbody tr")
    expect(waiting).to_have_count(7)
    first = waiting.first.get_by_role("link")
    reference = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Request {reference}")
    check_accessibility(page)
    screenshot(page, "request-detail")
    page.get_by_label("Outcome").select_option("left_country")
    expect(page.get_by_label("Month closed")).to_have_value(month)
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("The request is closed.")
    check_accessibility(page)
    expect(page.locator("dl")).to_contain_text("Left the country")
    page.get_by_role("link", name="Home").first.click()
    check_accessibility(page)
    assert programme_counts(page) == [programme.name, "6", "0", "9"]

    requests = HelpRequest.objects.filter(programme=programme)
    assert requests.count() == 15
    assert set(requests.values_list("month", flat=True)) == {this_month}
    assert set(requests.values_list("category", flat=True)) == {"legal"}
    assert requests.filter(status=Status.NEW).count() == 6
    assert requests.filter(status=Status.IN_PROGRESS).count() == 0
    closed = requests.filter(status=Status.CLOSED, closed_month=this_month)
    assert {o: closed.filter(outcome=o).count() for o in ("referred", "safe_in_russia", "left_country")} == {
        "referred": 3, "safe_in_russia": 5, "left_country": 1,
    }
    assert closed.count() == 9
    assert requests.get(reference=reference).outcome == Outcome.LEFT_COUNTRY
    assert requests.filter(status=Status.NEW, closed_month__isnull=True, outcome="").count() == 6
    assert list(AuditEvent.objects.filter(actor=coordinator).exclude(action=AuditEvent.Action.LOGIN)
                .order_by("pk").values_list("action", flat=True)) == [
        "requests_logged", "requests_logged", "requests_moved", "request_changed",
    ]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_staff_generates_the_november_2023_report_and_sees_it_become_ready(
    language, page, live_server, celery_worker, held_worker, staff
):
    demo.load_demo()
    load_reference_figures()  # what `manage.py load_demo` adds: the report shows them
    log_in(page, staff.username)
    if language == "ru":
        page.locator("nav button[value=ru]").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        check_accessibility(page)
    suffix = "" if language == "en" else "-ru"
    screenshot(page, f"staff-home{suffix}")

    page.locator("nav a[href='/reports/']").click()
    check_accessibility(page)
    if language == "en":
        screenshot(page, "reports")
    page.locator("select[name=programme]").select_option(demo.SLUG)
    page.locator("input[name=month]").fill("2023-11")
    page.locator("main button[type=submit]").click()

    # Pending: the worker holds it; the page says so and updates itself.
    report_url = f"{live_server.url}/reports/desertion-help/2023-11/v1/"
    expect(page).to_have_url(report_url)
    expect(page.locator("main [role=status]")).to_be_visible()
    expect(page.locator("[data-report-pending]")).to_have_count(1)
    if language == "en":
        expect(page.locator("main .badge")).to_have_text(re.compile("^(Queued|Running)$"))
        expect(page.locator("main [role=status]")).to_contain_text("This page updates by itself.")
    loads = []
    page.wait_for_load_state("load")  # from here on, a load would be the page loading again
    page.on("load", lambda loaded: loads.append(loaded.url))
    answers = []  # what the server answered each time the page asked for itself

    def note_answer(route) -> None:
        response = route.fetch()
        answers.append("pending" if "data-report-pending" in response.text() else "ready")
        route.fulfill(response=response)

    page.route(report_url, note_answer)
    check_accessibility(page)
    if language == "en":
        screenshot(page, "report-november-2023-pending")
    assert Report.objects.get().is_pending

    held_worker.set()
    expect(page.locator("main .narrative").first).to_have_text(SENTENCES[language], timeout=30_000)
    expect(page.locator("[data-report-pending]")).to_have_count(0)
    page.wait_for_timeout(5_000)  # over two of the poller's intervals: time to ask again, if it would
    assert page.url == report_url
    assert answers.count("ready") == 1, f"the ready page should be made once, not {answers}"
    assert loads == [], "the page should show the ready answer it fetched, not load itself again"
    expect(page.locator("main h1")).to_be_focused()
    expect(page.locator("html")).to_have_attribute("lang", language)
    check_accessibility(page)
    screenshot(page, f"report-november-2023{suffix}")

    values = page.locator("main .figure-value").all_inner_texts()
    assert values[:3] == ["577", "305", "89%"]  # as the sentence says it; 89.2% in its tooltip
    expect(page.locator("main .figure-value").nth(2)).to_have_attribute("title", "89.2%" if language == "en" else "89,2%")
    if language == "en":
        expect(page.locator("main .badge")).to_have_text("Ready")
    report = Report.objects.get()
    assert (report.state, report.version, report.requested_by) == (Report.State.READY, 1, staff)
    assert report.figures["window"]["change_pct"] == 89.2


def test_auditor_reads_the_report_downloads_its_csv_and_is_refused_the_intake_pages(
    page, live_server, celery_worker, auditor
):
    demo.load_demo()
    load_reference_figures()  # what `manage.py load_demo` adds: the report shows them
    call_command("monthly_report", "2023-11", "--programme", demo.SLUG, "--inline", stdout=io.StringIO())
    log_in(page, auditor.username)
    expect(page.get_by_role("link", name="Log a request")).to_have_count(0)
    screenshot(page, "auditor-home")

    page.get_by_role("link", name=re.compile("Desertion help .demo., November 2023")).click()
    expect(page).to_have_url(f"{live_server.url}/reports/desertion-help/2023-11/v1/")
    check_accessibility(page)
    expect(page.locator("main .narrative").first).to_have_text(SENTENCE)
    expect(page.get_by_role("heading", name="Published figures from other sources")).to_be_visible()
    expect(page.get_by_role("button", name="Regenerate")).to_have_count(0)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "report-desertion-help-2023-11-v1.csv"
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "section,figure,month,value,key"
    assert "Requests by month,Requests,2023-04,61,series" in lines
    assert "Requests by month,Requests,2023-11,175,series" in lines

    response = page.goto("/requests/new/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    check_accessibility(page)
    screenshot(page, "not-allowed")
    response = page.goto("/requests/move/")
    assert response.status == 403
    check_accessibility(page)

    assert HelpRequest.objects.count() == 1017
    events = AuditEvent.objects.filter(actor=auditor).values_list("action", "subject")
    assert (AuditEvent.Action.REPORT_EXPORTED, "desertion-help 2023-11 v1 csv") in events
    assert (AuditEvent.Action.ACCESS_REFUSED, "request_new") in events
