"""Five wrong second-factor codes in a row: the person sees, in their language and on a
phone too, that the account cannot log in for a quarter of an hour."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .helpers import check_accessibility, screenshot

TITLE = {"en": "Too many attempts", "ru": "Слишком много попыток"}
SAYS = {"en": "After 5 wrong codes, this account cannot log in for 15 minutes.",
        "ru": "После 5 неверных кодов вход в эту учётную запись закрыт на 15 мин."}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_five_wrong_codes_show_the_lockout_page(committed_db, page, settings, coordinator, language):
    settings.TWO_FACTOR_REQUIRED = True
    TOTPDevice.objects.create(user=coordinator, name="authenticator", confirmed=True)
    page.goto("/login/")
    page.get_by_role("button", name=language.upper(), exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    check_accessibility(page)
    page.locator("input[name=username]").fill(coordinator.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/account/verify/**")
    check_accessibility(page)

    for _ in range(5):
        page.locator("input[name=token]").fill("000000")
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state("load")

    expect(page.locator("main h1")).to_have_text(TITLE[language])
    expect(page.locator("main .alert")).to_contain_text(SAYS[language])
    check_accessibility(page)
    screenshot(page, f"second-factor-lockout-{language}")
