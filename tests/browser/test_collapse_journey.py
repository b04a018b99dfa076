"""Collapse in a real browser, in English and in Russian, at desktop and phone width:
staff open an accepted month's review page, follow "Collapse to counts…", read how many
requests will be deleted, confirm; a coordinator then looks one of them up by its
reference and is told why nothing is found."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from intake import demo
from intake.models import HelpRequest
from reports.services import report_generate, report_request
from tests.conftest import make_user
from tests.reports.accepting import accept_month

from .helpers import check_accessibility, log_in, screenshot

REVIEW = "/review/desertion-help/2023-11/"


def said(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def in_language(page: Page, language: str) -> None:
    if language == "ru":
        page.locator("nav button[value=ru]").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_staff_collapse_an_accepted_month_and_its_references_are_no_longer_found(language, page, committed_db, staff, auditor,
                                                                               demo_programme):
    programme = demo_programme
    report_generate(report_id=report_request(programme=programme, month=demo.LAST_MONTH, send=False).pk)
    accept_month(programme, demo.LAST_MONTH, staff=staff, auditor=auditor)
    reference = HelpRequest.objects.filter(closed_month=demo.LAST_MONTH).first().reference
    coordinator = make_user("coord-collapse", "Coordinator", [programme])
    suffix = "" if language == "en" else "-ru"

    log_in(page, staff.username)
    in_language(page, language)
    page.goto(REVIEW)
    page.locator("a[href$='/collapse/']").click()
    expect(page.locator("main h1")).to_contain_text("2023")
    check_accessibility(page)
    screenshot(page, f"collapse-confirm{suffix}")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .alert-success[role=alert]")).to_be_visible()
    check_accessibility(page)
    screenshot(page, f"collapse-done{suffix}")
    assert not HelpRequest.objects.filter(reference=reference).exists()

    page.context.clear_cookies()
    log_in(page, coordinator.username)
    in_language(page, language)
    page.goto(f"/requests/find/?reference={reference}")
    explanation = said(language, "Requests closed in a month that has been accepted are kept only as counts after "
                                 "a while: their references can no longer be found.")
    expect(page.locator("main")).to_contain_text(explanation)
    check_accessibility(page)
    screenshot(page, f"collapse-find{suffix}")
    page.goto(f"/requests/{reference}/")
    expect(page.locator("main")).to_contain_text(explanation)
    check_accessibility(page)
    screenshot(page, f"collapse-not-found{suffix}")
