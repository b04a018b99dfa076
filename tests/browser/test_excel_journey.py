"""Issue 27, points 7 and 9, in a real browser at the width where each broke: a Russian
Excel file (Windows-1251, a Russian header, months as dates) previewed in names on a
phone; the comparison of two versions keeps its Difference on a phone's screen; a month
still to come typed into "Go to month" is a form error on the page, not a 404."""

import datetime as dt
import re

from playwright.sync_api import Page, expect

from intake.models import HelpRequest
from tests.conftest import add_request
from tests.reports.accepting import make_report

from .helpers import DESKTOP, PHONE, check_accessibility, log_in, screenshot

NOVEMBER = dt.date(2023, 11, 1)


def switch_to_russian(page: Page) -> None:
    page.locator("nav button[value=ru]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    check_accessibility(page)


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
    for _ in range(12):
        add_request(programme=programme, month=NOVEMBER, category="legal")
    make_report(programme, NOVEMBER)
    for _ in range(3):
        add_request(programme=programme, month=NOVEMBER, category="legal")
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
