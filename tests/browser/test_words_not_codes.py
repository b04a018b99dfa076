"""Codes and untranslated text (issue 27, point 8), in a real browser, in Russian: the
audit log, a wide table, says what each event concerned in words, at a phone's width and
at a desktop's, with large counts grouped ("15 134"); a report whose data changed says
"Verify it to see what changed" in Russian, and the check of a JSON export names the
changed figure in words and groups its numbers."""

import datetime as dt
import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from intake.models import AuditEvent
from tests.conftest import add_request, add_requests
from tests.reports.accepting import make_report

from .helpers import DESKTOP, PHONE, check_accessibility, log_in, screenshot

NOVEMBER = dt.date(2023, 11, 1)
NBSP = "\xa0"  # what Russian puts between thousands


def switch_to_russian(page: Page) -> None:
    page.locator("nav button[value=ru]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    check_accessibility(page)


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_the_audit_log_says_what_events_concerned_in_russian_words_on_a_phone_and_a_desktop(
        committed_db, page, live_server, programme, staff, auditor):
    add_request(programme=programme, month=NOVEMBER, category="legal")
    make_report(programme, NOVEMBER)  # logs "help 2023-11 v1", as the report services write it
    # Subjects as the services store them: a programme's short name, a count, a status code.
    AuditEvent.objects.create(actor=staff, action="requests_logged", month=NOVEMBER, subject="help, 15134")
    AuditEvent.objects.create(actor=staff, action="request_changed", month=NOVEMBER, subject="help, in_progress")
    page.set_viewport_size(PHONE)
    log_in(page, auditor.username)
    switch_to_russian(page)

    page.locator("nav").get_by_role("button", name="Меню").click()
    # The menu slides open; a click while it still moves can land on nothing under load.
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.locator("nav").get_by_role("link", name="Журнал аудита").click()
    expect(page).to_have_url(re.compile(r"/audit/$"))
    check_accessibility(page)

    concerning = page.locator("main tbody td[data-label='Объект']")
    expect(concerning.filter(has_text="15")).to_be_visible()
    said = concerning.all_inner_texts()
    assert f"Help, 15{NBSP}134 запроса" in said, said
    assert "Help, В работе" in said, said
    assert "Help, ноябрь 2023 г., версия 1" in said, said
    assert not [text for text in said if re.search(r"\bhelp\b|in_progress|2023-11|\bv1\b", text)], said
    assert fits_the_screen(page)
    screenshot(page, "audit-log-concerning-ru")
    page.set_viewport_size(DESKTOP)
    header = page.locator("main thead th").last
    expect(header).to_have_text("Объект")
    expect(header).to_be_visible()
    expect(page.locator("main tbody tr", has_text="Внесение запросов").locator("td").last).to_have_text(
        f"Help, 15{NBSP}134 запроса")
    assert fits_the_screen(page)


def test_a_changed_figure_is_named_in_words_and_its_numbers_grouped_on_russian_pages(
        committed_db, page, live_server, programme, auditor):
    add_requests(12, programme=programme, month=NOVEMBER, category="legal")
    make_report(programme, NOVEMBER)
    add_request(programme=programme, month=NOVEMBER, category="legal")  # the data changes under version 1
    log_in(page, auditor.username)
    switch_to_russian(page)

    page.goto("/reports/help/2023-11/v1/")
    check_accessibility(page)
    expect(page.get_by_role("link", name="Проверьте его, чтобы увидеть, что изменилось")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="JSON", exact=True).click()
    document = json.loads(Path(download_info.value.path()).read_text())
    document["requests"]["this_month"] = 15134  # a typo made in the file
    page.get_by_role("link", name="Проверить выгрузку в JSON", exact=True).click()
    check_accessibility(page)
    page.get_by_label("Или вставьте его текст").fill(json.dumps(document, ensure_ascii=False, indent=2))
    page.get_by_role("button", name="Проверить", exact=True).click()

    expect(page.locator("main [role=status]")).to_contain_text("отличается 1 показатель")
    row = page.locator("main table[data-differences] tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(["Этот месяц: Запросы", f"15{NBSP}134", "12"])
    check_accessibility(page)
    screenshot(page, "json-check-changed-figure-ru")
