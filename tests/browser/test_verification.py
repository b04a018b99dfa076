"""An auditor's journey on a first start, in a real browser: the demo report is there,
its fingerprint can be copied and verified, its JSON export matches it, and the audit
log shows all of it in words, filtered."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from intake.models import AuditEvent, Category, HelpRequest, Programme
from intake.services import requests_add
from reports.audit_actions import ReportAction
from reports.models import Report

from .helpers import check_accessibility, log_in, screenshot

WORDS = {
    "en": {
        "copied": "Copied", "verify": "Verify", "check": "Check a JSON export", "check_button": "Check",
        "unchanged": "The data under this report is unchanged (fingerprint",
        "changed": "The data under this report has changed since it was made",
        "matches": "The file matches Desertion help (demo), November 2023 · version 1 exactly",
        "audit": "Audit log", "filter": "Filter", "verified": "Report verified",
        "headline": "577 requests between September and November, an 89% increase",
    },
    "ru": {
        "copied": "Скопировано", "verify": "Проверить", "check": "Проверить выгрузку в JSON",
        "check_button": "Проверить",
        "unchanged": "Исходные данные отчёта не изменились (отпечаток",
        "changed": "С момента формирования отчёта исходные данные изменились",
        "matches": "Файл в точности совпадает с отчётом «Помощь в уходе из армии (демо)",
        "audit": "Журнал аудита", "filter": "Показать", "verified": "Проверка отчёта",
        "headline": "577 запросов с сентября по ноябрь — на 89% больше",
    },
}
REPORT = "/reports/desertion-help/2023-11/v1/"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_auditor_verifies_the_demo_report_and_its_json_export(language, page: Page, live_server, committed_db):
    words = WORDS[language]
    suffix = "" if language == "en" else "-ru"
    call_command("load_demo", "--force", stdout=io.StringIO())
    fingerprint = Report.objects.get().fingerprint
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "auditor", "auditor-demo-pass")
    if language == "ru":
        page.locator("nav button[value=ru]").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        check_accessibility(page)

    # The first start has a report: the home page says its first figures and links to it.
    expect(page.locator("main .card .narrative")).to_contain_text(words["headline"])
    screenshot(page, f"auditor-home-first-start{suffix}")
    page.locator(f"main .card a[href='{REPORT}']").click()
    expect(page).to_have_url(f"{live_server.url}{REPORT}")
    check_accessibility(page)
    code = page.locator("main code#report-fingerprint")
    expect(code).to_have_text(fingerprint)
    copy = page.locator("main button[data-copy=report-fingerprint]")
    expect(copy).to_be_visible()
    copy.click()
    expect(copy).to_have_text(words["copied"])
    assert page.evaluate("navigator.clipboard.readText()") == fingerprint
    screenshot(page, f"report-fingerprint{suffix}")
    box = code.bounding_box()
    page.set_viewport_size({"width": 375, "height": 812})
    assert code.bounding_box()["width"] <= 375, "the fingerprint wraps on a phone"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "nothing widens the page"
    page.set_viewport_size({"width": 1280, "height": 900})
    assert box["width"] > 0

    # Verify: nothing changed.
    page.get_by_role("link", name=words["verify"], exact=True).click()
    check_accessibility(page)
    expect(page.locator("main [role=status]")).to_contain_text(f"{words['unchanged']} {fingerprint})")
    screenshot(page, f"report-verify{suffix}")

    # The JSON export, downloaded from the report page and checked on the verify page.
    page.goto(REPORT)
    check_accessibility(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="JSON", exact=True).click()
    export = Path(download_info.value.path())
    page.get_by_role("link", name=words["check"], exact=True).click()
    check_accessibility(page)
    screenshot(page, f"export-verify{suffix}")
    page.locator("input[name=file]").set_input_files(str(export))
    page.locator("main button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_contain_text(words["matches"])
    check_accessibility(page)
    screenshot(page, f"export-verify-match{suffix}")

    # The data changes: Verify says where and by how much.
    programme = Programme.objects.get(slug="desertion-help")
    requests_add(HelpRequest(programme=programme, month=dt.date(2023, 6, 1), category=Category.LEGAL) for _ in range(3))
    page.goto(f"{REPORT}verify/")
    check_accessibility(page)
    expect(page.locator("main [role=status]")).to_contain_text(words["changed"])
    row = page.locator("main table[data-changes] tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").first).to_have_text("2023-06")
    expect(row.locator("td").nth(4)).to_have_text("+3")
    expect(row.locator("td").nth(1).locator("li")).to_have_count(1)
    screenshot(page, f"report-verify-changed{suffix}")

    # The audit log, filtered to the verifications.
    page.locator("nav").get_by_role("link", name=words["audit"]).click()
    check_accessibility(page)
    page.locator("select[name=action]").select_option("report_verified")
    page.locator("main button[type=submit]").click()
    check_accessibility(page)
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first.locator("td").nth(2)).to_have_text(words["verified"])
    screenshot(page, f"audit-log{suffix}")

    subjects = set(AuditEvent.objects.filter(actor__username="auditor", action=ReportAction.REPORT_VERIFIED)
                   .values_list("subject", flat=True))
    assert subjects == {"desertion-help 2023-11 v1 data", "desertion-help 2023-11 v1 file"}
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", fingerprint)
