"""An auditor checks a public export of the demo report in a real browser: it matches
the public figures of its version, and a changed figure is named against the published
one (issue 15)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from intake.models import Programme, User
from reports.models import Report
from reports.publication import served_publication
from tests.reports.accepting import accept_month

from .helpers import check_accessibility, log_in, screenshot

WORDS = {
    "en": {"matches": "The file matches Desertion help (demo), November 2023 · version 1 exactly for the profile "
                      "“public”", "differs": "The file carries the profile “public”", "button": "Check"},
    "ru": {"matches": "Файл в точности совпадает с отчётом «Помощь в уходе из армии (демо)",
           "differs": "Файл сделан с профилем «публичный»", "button": "Проверить"},
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_auditor_checks_a_public_export(language, page: Page, live_server, committed_db):
    words = WORDS[language]
    suffix = "" if language == "en" else "-ru"
    call_command("load_demo", "--force", stdout=io.StringIO())
    programme = Programme.objects.get(slug="desertion-help")
    accept_month(programme, dt.date(2023, 11, 1), staff=User.objects.get(username="staff"),
                 auditor=User.objects.get(username="auditor"))
    report = Report.objects.get(programme=programme, month=dt.date(2023, 11, 1), version=1)
    document = json.loads(served_publication(report, "public").text("json", "en"))  # the file as downloaded
    log_in(page, "auditor", "auditor-demo-pass")
    if language == "ru":
        page.locator("nav button[value=ru]").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")

    page.goto("/reports/verify/")
    page.locator("textarea[name=text]").fill(json.dumps(document, ensure_ascii=False, indent=2))
    page.locator("main button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_contain_text(words["matches"])
    check_accessibility(page)
    screenshot(page, f"verify-public-export{suffix}")

    document["window"]["current"]["requests"] = 577
    page.locator("textarea[name=text]").fill(json.dumps(document, ensure_ascii=False, indent=2))
    page.locator("main button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(words["differs"])
    check_accessibility(page)
    screenshot(page, f"verify-public-export-differs{suffix}")
