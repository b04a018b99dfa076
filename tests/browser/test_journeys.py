"""The journeys of the three roles, in a real browser against the live server and a
real Celery worker: what a person clicks and reads, then what the database holds."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from intake import demo
from intake.audit_actions import Action
from intake.models import AuditEvent, HelpRequest, Outcome, Status
from intake.months import format_month
from reports.audit_actions import ReportAction
from reports.demo import load_reference_figures
from reports.models import Report
from shell.audit_actions import ShellAction
from tests.reports.article import SENTENCE

from .helpers import DESKTOP, PHONE, check_accessibility, log_in, screenshot

SENTENCES = {
    "en": SENTENCE,
    "ru": "577 запросов с сентября по ноябрь — на 89% больше, чем 305 запросов с июня по август.",
}


LEGAL = {"en": "Legal consultation", "ru": "Юридическая консультация"}
CLOSED = {"en": "Closed", "ru": "Закрыт"}


def grid_row(page: Page, category: str) -> list[str]:
    """A month page's row for a category: new, in progress, closed, total, change (first line of each cell)."""
    cells = page.locator("table.month-grid:not(.grid-entry) tbody tr", has_text=category).locator("td")
    return [text.split("\n")[0].replace("(changed)", "").strip() for text in cells.all_inner_texts()[:5]]


def test_coordinator_logs_counts_moves_some_closes_one_and_undoes_the_move(this_month, page, live_server,
                                                                          celery_worker, programme, coordinator):
    month = format_month(this_month)
    log_in(page, coordinator.username, screenshot_as="login")
    screenshot(page, "coordinator-home-empty")

    # 12 new legal consultations this month, as counts: the month page shows them.
    page.get_by_role("link", name="Log counts").click()
    check_accessibility(page)
    screenshot(page, "log-counts")
    expect(page.get_by_label("Programme")).to_have_value(programme.slug)
    expect(page.get_by_label("Month received")).to_have_value(month)
    expect(page.get_by_label("Outcome")).to_be_hidden()  # only for Closed, revealed by the script
    page.get_by_label("Category").select_option("legal")
    page.get_by_label("How many requests").fill("12")
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("alert")).to_have_text("12 requests logged: legal consultation, new.")
    expect(page).to_have_url(re.compile(f"/requests/month/{programme.slug}/{month}/"))
    check_accessibility(page)
    assert grid_row(page, "Legal consultation") == ["12", "0", "0", "12", "+12"]
    screenshot(page, "month-page")

    # 4 new desertion cases, added from the grid itself.
    page.get_by_label("Desertion (leave a unit), new", exact=True).fill("4")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Saved: 4 requests received in March 2026 added.")
    check_accessibility(page)
    assert grid_row(page, "Desertion") == ["4", "0", "0", "4", "+4"]

    # A count typed wrong gets the error summary, focused, and "Error:" in the title.
    page.get_by_role("link", name="Log counts").click()
    check_accessibility(page)
    page.get_by_label("Category").select_option("legal")
    page.get_by_label("Status").select_option("closed")
    expect(page.get_by_label("Outcome")).to_be_visible()
    page.get_by_label("How many requests").fill("4e")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_title(re.compile("^Error: Log counts"))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the count in digits, e.g. 12.")
    check_accessibility(page)
    screenshot(page, "log-counts-errors")
    page.get_by_label("How many requests").fill("3")
    page.locator("main button[type=submit]").click()
    summary.get_by_role("link", name="A closed request needs an outcome.").click()
    expect(page.get_by_label("Outcome")).to_be_focused()
    page.get_by_label("Outcome").select_option("referred")
    page.get_by_label("Month closed").fill(month)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("alert")).to_have_text("3 requests logged: legal consultation, closed.")
    check_accessibility(page)
    assert grid_row(page, "Legal consultation") == ["12", "0", "3", "15", "+15"]

    # 5 of the 12 new ones closed, from the grid's Move link: the form comes prefilled.
    page.get_by_role("link", name="Move Legal consultation").click()
    check_accessibility(page)
    expect(page.get_by_label("Month received")).to_have_value(month)
    expect(page.get_by_label("Category")).to_have_value("legal")
    expect(page.get_by_label("Current status")).to_have_value("new")
    expect(page.get_by_label("New status")).to_have_value("")  # nothing is closed unless chosen
    page.get_by_label("How many").fill("5")
    page.locator("main button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Choose the new status.")
    expect(page.get_by_label("Category")).to_have_value("legal")  # kept after the error
    check_accessibility(page)
    screenshot(page, "move-requests-error")
    page.get_by_label("New status").select_option("closed")
    page.get_by_label("Outcome").select_option("safe_in_russia")
    page.get_by_label("Month closed").fill(month)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("alert")).to_have_text("5 requests moved from new to closed: legal consultation.")
    check_accessibility(page)
    assert grid_row(page, "Legal consultation") == ["7", "0", "8", "15", "+15"]

    # Home: this and last month, and the waiting list in groups.
    page.get_by_role("link", name="Home").first.click()
    check_accessibility(page)
    screenshot(page, "coordinator-home")
    waiting = page.get_by_role("heading", name="Waiting for action").locator("xpath=..")
    expect(waiting.locator("tbody tr")).to_have_count(2)
    cells = waiting.locator("tbody tr").first.locator("td").all_inner_texts()[1:4]
    assert [cell.split("\n")[0].strip() for cell in cells] == ["Desertion (leave a unit)", "New", "4"]

    # The move undone, after a page saying what it puts back.
    page.locator("li", has_text="Move").get_by_role("link", name="Undo…").click()
    expect(page.locator("main")).to_contain_text("Undoing puts 5 requests back where they were:")
    check_accessibility(page)
    screenshot(page, "undo-move")
    page.get_by_role("button", name="Undo the entry").click()
    expect(page.get_by_role("alert")).to_have_text("Undone: 5 requests put back where they were.")
    check_accessibility(page)
    assert grid_row(page, "Legal consultation") == ["12", "0", "3", "15", "+15"]

    # One single request, listed on demand, closed on its own page.
    page.get_by_role("link", name="Home").first.click()
    check_accessibility(page)
    page.get_by_role("link", name="Single requests").click()
    check_accessibility(page)
    waiting = page.get_by_role("heading", name="Waiting for action").locator("xpath=..").locator("tbody tr")
    expect(waiting).to_have_count(16)
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

    requests = HelpRequest.objects.filter(programme=programme)
    assert requests.count() == 19
    assert requests.filter(status=Status.NEW).count() == 15
    closed = requests.filter(status=Status.CLOSED, closed_month=this_month)
    assert {o: closed.filter(outcome=o).count() for o in ("referred", "safe_in_russia", "left_country")} == {
        "referred": 3, "safe_in_russia": 0, "left_country": 1,
    }
    assert requests.get(reference=reference).outcome == Outcome.LEFT_COUNTRY
    assert list(AuditEvent.objects.filter(actor=coordinator).exclude(action=Action.LOGIN)
                .order_by("pk").values_list("action", flat=True)) == [
        "requests_logged", "requests_logged", "requests_logged", "requests_moved", "entry_undone", "request_changed",
    ]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_coordinator_on_a_phone_switches_language_and_reads_the_month(this_month, committed_db, page, live_server,
                                                                       programme,
                                                                       coordinator, language):
    from tests.conftest import add_request

    for _ in range(3):
        add_request(programme=programme, month=this_month, category="legal")
    for outcome in ("referred", "left_country"):
        add_request(programme=programme, month=this_month, category="legal", status=Status.CLOSED, outcome=outcome,
                    closed_month=this_month)
    log_in(page, coordinator.username)
    page.set_viewport_size({"width": 375, "height": 812})
    # The language switch shows without opening the menu.
    switch = page.get_by_role("button", name=language.upper(), exact=True)
    expect(switch).to_be_visible()
    switch.click()
    check_accessibility(page)
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto(f"/requests/month/{programme.slug}/{format_month(this_month)}/")
    check_accessibility(page)
    expect(page.locator("table.month-grid:not(.grid-entry)")).to_contain_text("3")
    # Every column of the grid, Closed and the totals too, fits the phone's width: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    rows = page.locator("table.month-grid:not(.grid-entry) tbody tr, table.month-grid:not(.grid-entry) tfoot tr")
    expect(rows).to_have_count(7)  # six categories and the totals
    for row in rows.all():
        cells = row.locator("th, td")
        for index in range(cells.count()):
            if not cells.nth(index).is_visible():  # only an empty cell may be left out
                assert cells.nth(index).inner_text().strip() == ""
                continue
            box = cells.nth(index).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, \
                f"{cells.nth(index).inner_text()!r} of {row.locator('th').first.inner_text()!r} is off-screen: {box}"
    legal = rows.filter(has_text=LEGAL[language])
    closed = legal.locator("td").nth(2)
    # Each number shows what it counts, the column's name above it (a CSS label, from data-label).
    expect(closed).to_have_attribute("data-label", CLOSED[language])
    assert CLOSED[language] in closed.evaluate("cell => getComputedStyle(cell, '::before').content")
    expect(closed).to_contain_text("2")
    expect(legal.locator("td").nth(3)).to_contain_text("5")  # the row's total
    check_accessibility(page)
    screenshot(page, f"month-page-{language}")
    page.goto("/requests/move/")
    page.locator("main button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page).to_have_title(re.compile("^Error:" if language == "en" else "^Ошибка:"))
    check_accessibility(page)
    screenshot(page, f"move-errors-{language}")


def assert_fits_the_phone(page: Page) -> None:
    """At 375 px nothing scrolls sideways, inside a table either: every cell of the
    page's tables is within the screen's width."""
    page.set_viewport_size(PHONE)  # a screenshot leaves the page at desktop width
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{page.url} scrolls sideways"
    cells = page.locator("main tbody :is(th, td), main tfoot :is(th, td)")
    for index in range(cells.count()):
        cell = cells.nth(index)
        if cell.is_visible():
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], \
                f"{cell.inner_text()!r} is off-screen on {page.url}: {box}"


def test_a_coordinator_works_in_russian_on_a_phone(this_month, committed_db, page, live_server, programme,
                                                   coordinator):
    """Point by point in Russian at 375 px: the grid's Save, the waiting list's groups
    and their prefilled Move form with its errors, and undo after its confirmation page."""
    log_in(page, coordinator.username)
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="RU", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.goto(f"/requests/month/{programme.slug}/{format_month(this_month)}/")
    check_accessibility(page)

    page.get_by_label("Юридическая консультация, новый", exact=True).fill("6")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Сохранено: 6 запросов, поступивших в марте 2026 г., добавлены.")
    expect(page.locator("table.month-grid:not(.grid-entry) td.changed")).to_have_count(1)
    check_accessibility(page)
    assert_fits_the_phone(page)
    screenshot(page, "month-page-changed-ru")

    # Home: the waiting list in groups; a group's link opens the Move form prefilled.
    page.get_by_role("link", name="Главная").first.click()
    check_accessibility(page)
    assert_fits_the_phone(page)
    screenshot(page, "coordinator-home-ru")
    waiting = page.get_by_role("heading", name="Ждут обработки").locator("xpath=..")
    expect(waiting.locator("tbody tr")).to_have_count(1)
    waiting.get_by_role("link", name="Перевести…").click()
    check_accessibility(page)
    expect(page.get_by_label("Категория")).to_have_value("legal")
    expect(page.get_by_label("Текущий статус")).to_have_value("new")
    expect(page.get_by_label("Новый статус")).to_have_value("")
    page.locator("#id_count").fill("2")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_title(re.compile("^Ошибка:"))
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator("[data-error-summary]")).to_contain_text("Выберите новый статус.")
    expect(page.locator("#id_count")).to_have_value("2")  # kept after the error
    check_accessibility(page)
    assert_fits_the_phone(page)
    screenshot(page, "move-error-ru")
    page.get_by_label("Новый статус").select_option("closed")
    page.get_by_label("Исход").select_option("referred")
    page.get_by_label("Месяц закрытия").fill(format_month(this_month))
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("alert")).to_have_text(
        "2 запроса переведены из статуса «новый» в «закрыт»: юридическая консультация.")
    expect(page.locator("table.month-grid:not(.grid-entry) td.changed")).to_have_count(2)
    check_accessibility(page)

    # Undo the move, after a page saying what it puts back.
    page.get_by_role("link", name="Главная").first.click()
    entry = page.locator("li", has_text="Перевод")
    expect(entry).to_contain_text("2 запроса")
    entry.get_by_role("link", name="Отменить…").click()
    expect(page.locator("main")).to_contain_text("Отмена вернёт 2 запроса туда, где они были:")
    expect(page.locator("main")).to_contain_text("Закрыт (Передан в другую организацию)")
    check_accessibility(page)
    assert_fits_the_phone(page)
    screenshot(page, "undo-move-ru")
    page.get_by_role("button", name="Отменить запись").click()
    expect(page.get_by_role("alert")).to_have_text("Отменено: 2 запроса возвращены туда, где были.")
    check_accessibility(page)
    assert HelpRequest.objects.filter(status=Status.NEW).count() == 6


IMPORT_TEXTS = {
    "en": {"check": "Check the file", "preview": "The file has 1 row. It would add 7 requests.",
           "import": "Import these requests", "done": "Imported 7 requests.", "title": "^Error: Import requests"},
    "ru": {"check": "Проверить файл", "preview": "В файле 1 строка. Он добавит 7 запросов.",
           "import": "Импортировать эти запросы", "done": "Импортировано 7 запросов.",
           "title": "^Ошибка: Импорт запросов"},
}


def check_at_both_widths(page: Page) -> None:
    """axe-core on the page as a desktop and as a phone shows it; on the phone nothing
    scrolls sideways."""
    check_accessibility(page)
    page.set_viewport_size(PHONE)
    try:
        check_accessibility(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{page.url} scrolls sideways"
    finally:
        page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_staff_imports_what_excel_saves_after_a_preview(this_month, committed_db, page, live_server, programme, staff,
                                                        language):
    texts = IMPORT_TEXTS[language]
    suffix = "" if language == "en" else "-ru"
    log_in(page, staff.username)
    if language == "ru":
        page.locator("nav button[value=ru]").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        check_accessibility(page)
    page.goto("/requests/import/")
    check_at_both_widths(page)
    screenshot(page, f"import{suffix}")

    # A file with a column outside the format: refused unread, with the error summary.
    page.get_by_label(re.compile("CSV")).set_input_files({
        "name": "people.csv", "mimeType": "text/csv",
        "buffer": b"month,programme,category,status,outcome,closed_month,count,name\n"})
    page.get_by_role("button", name=texts["check"]).click()
    expect(page).to_have_title(re.compile(texts["title"]))
    expect(page.locator("main")).to_contain_text("name")
    check_at_both_widths(page)
    screenshot(page, f"import-refused{suffix}")

    # What Excel saves in a Russian locale: semicolons, Windows-1251.
    data = (f"month;programme;category;status;outcome;closed_month;count\r\n"
            f"{format_month(this_month)};{programme.slug};legal;new;;;7\r\n").encode("cp1251")
    page.get_by_label(re.compile("CSV")).set_input_files({"name": "export.csv", "mimeType": "text/csv", "buffer": data})
    page.get_by_role("button", name=texts["check"]).click()
    expect(page.locator("main")).to_contain_text(texts["preview"])
    check_at_both_widths(page)
    screenshot(page, f"import-preview{suffix}")
    assert not HelpRequest.objects.exists()
    page.get_by_role("button", name=texts["import"]).click()
    expect(page.get_by_role("alert")).to_have_text(texts["done"])
    check_at_both_widths(page)
    screenshot(page, f"import-done{suffix}")
    assert HelpRequest.objects.count() == 7


@pytest.mark.parametrize("language", ["en", "ru"])
def test_staff_generates_the_november_2023_report_and_sees_it_become_ready(
    language, page, live_server, celery_worker, held_worker, staff, demo_programme
):
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
    if language == "en":  # the poller is the same script in both languages: wait once
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
    assert (report.state, report.version) == (Report.State.READY, 1)
    # Who asked is in the audit log, not on the report.
    assert AuditEvent.objects.filter(action=ReportAction.REPORT_REQUESTED, actor=staff).exists()
    assert report.body["window"]["change_pct"] == 89.2


def test_auditor_reads_the_report_downloads_its_csv_and_is_refused_the_intake_pages(
    page, live_server, celery_worker, auditor, demo_programme
):
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
    assert (ReportAction.REPORT_EXPORTED, "desertion-help 2023-11 v1 csv internal") in events
    assert (ShellAction.ACCESS_REFUSED, "request_new") in events
