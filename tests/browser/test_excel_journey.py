"""Issue 27, points 6, 7 and 9, in a real browser at the width where each broke: an
auditor on a Russian desktop page finds the Excel export of a report's public figures and
of the audit log, and both files open with numbers as numbers and the header in Russian;
a Russian Excel file (Windows-1251, a Russian header, months as dates) previewed in
names on a phone; the comparison of two versions keeps its Difference on a phone's
screen; a month still to come typed into "Go to month" is a form error on the page, not
a 404."""

import datetime as dt
import io
import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from intake.models import HelpRequest
from tests.conftest import add_requests
from tests.reports.accepting import make_report
from tests.reports.test_published_outputs import people, small_report  # noqa: F401 (fixtures)

from .helpers import DESKTOP, PHONE, check_accessibility, log_in, screenshot

NOVEMBER = dt.date(2023, 11, 1)


def switch_to_russian(page: Page) -> None:
    page.locator("nav button[value=ru]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    check_accessibility(page)


def downloaded_sheet(page: Page, link_name: str) -> list[list]:
    """Click the link, as a person would, and read the first sheet of the file it gives."""
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link_name, exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_an_auditor_downloads_a_reports_public_figures_and_the_audit_log_for_excel(
        committed_db, page, live_server, small_report, people):  # noqa: F811
    log_in(page, people["auditor"].username)
    switch_to_russian(page)
    page.goto("/reports/help/2023-11/v1/")
    check_accessibility(page)
    page.locator("nav.profile-switch").get_by_role("link", name="Открытые данные").click()
    expect(page).to_have_url(re.compile(r"\?profile=public$"))
    check_accessibility(page)
    screenshot(page, "excel-report-public-ru")

    header, *rows = downloaded_sheet(page, "Excel")

    assert header[:5] == ["раздел", "показатель", "месяц", "значение", "ключ"]
    value = {(row[4], row[2]): row[3] for row in rows}
    assert value[("requests.this_month", "Ноябрь 2023")] == "<10"  # withheld: text, as on the page
    assert value[("since_start.requests", "Апрель — ноябрь 2023")] == "[c]"
    assert value[("profile", "Ноябрь 2023")] == "Открытые данные"  # words, not the code
    months = ["Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь"]
    series = [value[("series", f"{month} 2023")] for month in months]
    assert series == [10, "<10", 0, 25, 40, "<10", 60, "<10"]  # rounded, published: numbers Excel can add up
    assert ("Этот месяц", "Запросы") in {(row[0], row[1]) for row in rows}

    page.locator("nav").get_by_role("link", name="Журнал аудита").click()
    check_accessibility(page)
    header, *rows = downloaded_sheet(page, "Скачать для Excel")

    assert header == ["Месяц", "Учётная запись", "Действие", "Объект"]
    said = [row[1:] for row in rows]
    assert said[0] == [people["auditor"].username, "Выгрузка журнала аудита", "весь журнал"]  # this download
    assert said[1] == [people["auditor"].username, "Экспорт отчёта",
                       "Help, ноябрь 2023 г., версия 1, Excel, Открытые данные"], said


def test_a_russian_excel_file_is_previewed_in_names_on_a_phone(committed_db, page, live_server, programme, staff):
    page.set_viewport_size(PHONE)
    log_in(page, staff.username)
    switch_to_russian(page)
    page.goto("/requests/import/")
    check_accessibility(page)
    data = ("Месяц обращения;Программа;Категория;Статус;Исход;Месяц закрытия;Количество\r\n"
            "01.10.2025;help;Юридическая консультация;Закрыт;Передан в другую организацию;01.11.2025;3\r\n"
            ).encode("cp1251")

    page.locator("input[type=file]").set_input_files({"name": "выгрузка.csv", "mimeType": "text/csv", "buffer": data})
    page.get_by_role("button", name="Проверить файл").click()

    expect(page.locator("main")).to_contain_text("Он добавит 3 запроса.")
    row = page.locator("main table.table-stack tbody tr").first
    expect(row).to_contain_text("Юридическая консультация")
    expect(row).to_contain_text("Передан в другую организацию")
    expect(row).not_to_contain_text("legal")
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "excel-import-preview-ru")
    assert not HelpRequest.objects.exists()


def test_the_comparison_shows_the_difference_on_a_phone(committed_db, page, live_server, programme, staff):
    add_requests(12, programme=programme, month=NOVEMBER, category="legal")
    make_report(programme, NOVEMBER)
    add_requests(3, programme=programme, month=NOVEMBER, category="legal")
    make_report(programme, NOVEMBER)
    log_in(page, staff.username)
    page.set_viewport_size(PHONE)

    page.goto("/reports/help/2023-11/v2/compare/v1/")
    check_accessibility(page)

    changed = page.locator("main tr[data-key='requests.this_month']")
    difference = changed.locator("td").last
    expect(difference).to_have_text("+3")
    box = difference.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"the difference is off-screen: {box}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "excel-compare")
    page.set_viewport_size(DESKTOP)
    expect(difference).to_be_visible()


def test_a_month_still_to_come_is_a_form_error_on_the_month_page(this_month, committed_db, page, live_server,
                                                                 programme, coordinator):
    page.set_viewport_size(PHONE)
    log_in(page, coordinator.username)
    switch_to_russian(page)
    page.goto(f"/requests/month/help/{this_month:%Y-%m}/")
    check_accessibility(page)

    page.get_by_label("Перейти к месяцу").fill("2099-01")
    response_status = []
    page.on("response", lambda response: response_status.append(response.status) if "/month/help/" in response.url
            else None)
    page.get_by_role("button", name="Перейти", exact=True).click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Есть ошибка")
    expect(summary).to_contain_text("2099-01 ещё не начался")
    expect(page).to_have_title(re.compile("^Ошибка: Help · Март 2026"))
    assert 404 not in response_status
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "excel-month-future-ru")
