"""Staff issue an API token in a real browser, in English and in Russian, at desktop
and phone width: the form says what is missing, the token is shown once and works
against the API at once, the list shows it, and revoking it stops it at once."""

import re

import pytest
import requests
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from api.models import ApiToken
from intake.models import AuditEvent

from .helpers import DESKTOP, PHONE, check_accessibility, log_in, screenshot


def said(language: str, text: str, **values) -> str:
    with translation.override(language):
        return gettext(text) % values if values else gettext(text)


def check_at_both_widths(page: Page) -> None:
    page.set_viewport_size(PHONE)
    check_accessibility(page)
    page.set_viewport_size(DESKTOP)
    check_accessibility(page)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_staff_issue_a_token_that_works_at_once_and_revoke_it(language, page, live_server, committed_db, staff,
                                                              programme):
    suffix = "" if language == "en" else "-ru"
    log_in(page, staff.username)
    if language == "ru":
        page.locator("nav button[value=ru]").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")

    page.locator("nav").get_by_role("link", name=said(language, "API tokens")).first.click()
    expect(page.locator("main h1")).to_have_text(said(language, "API tokens"))
    check_at_both_widths(page)
    page.locator("main a", has_text=said(language, "Issue an API token")).click()
    check_at_both_widths(page)

    page.locator("main button[type=submit]").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text(said(language, "Enter who the token is for."))
    expect(summary).to_contain_text(said(language, "Choose at least one programme."))
    check_at_both_widths(page)
    screenshot(page, f"api-token-form-errors{suffix}")

    page.locator("input[name=partner]").fill("Data desk")
    page.locator("input[name=profile][value=public]").check()
    page.locator("input[name=programmes]").first.check()
    page.locator("input[name=expires_on]").fill(_in_half_a_year())
    page.locator("main button[type=submit]").click()
    token_box = page.locator("[data-token]")
    expect(token_box).to_be_visible()
    check_at_both_widths(page)
    screenshot(page, f"api-token-issued{suffix}")
    text = token_box.input_value()
    assert re.fullmatch(r"itk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", text)

    api = requests.get(f"{live_server.url}/api/v1/programmes", headers={"Authorization": f"Bearer {text}"}, timeout=10)
    assert api.status_code == 200 and api.json()[0]["slug"] == programme.slug

    page.locator("main a", has_text=said(language, "Back to the tokens")).click()
    expect(page.locator("[data-tokens]")).to_contain_text("Data desk")
    assert text not in page.content()
    check_at_both_widths(page)
    screenshot(page, f"api-token-list{suffix}")

    page.locator("[data-tokens] a", has_text=said(language, "Revoke")).click()
    check_at_both_widths(page)
    screenshot(page, f"api-token-revoke{suffix}")
    page.locator("main button[type=submit]").click()
    expect(page.locator("[role=alert]")).to_contain_text(
        said(language, "The token of %(partner)s is revoked: it no longer works.", partner="Data desk"))
    check_at_both_widths(page)

    refused = requests.get(f"{live_server.url}/api/v1/programmes", headers={"Authorization": f"Bearer {text}"},
                           timeout=10)
    assert refused.status_code == 401 and refused.headers["Content-Type"].startswith("application/problem+json")
    assert ApiToken.objects.get().revoked
    assert list(AuditEvent.objects.filter(action__startswith="api_token").values_list("action", flat=True)) == [
        "api_token_revoked", "api_token_issued"]


def _in_half_a_year() -> str:
    import datetime as dt

    from django.utils import timezone

    return (timezone.localdate() + dt.timedelta(days=180)).isoformat()
