"""Accounts as production makes them: an authenticator app set up through its page, and
each browser session past its second factor (with TWO_FACTOR_REQUIRED on)."""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import User
from tests.conftest import log_in


def code_for(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


@dataclass
class Person:
    """An account with its authenticator app, its first browser, and the backup codes it
    was shown (each opens one more session)."""

    user: User
    browser: Client
    backup_codes: list[str] = field(default_factory=list)

    def another_session(self) -> Client:
        """The same account logged in in another browser, with one of its backup codes."""
        other = log_in(Client(), self.user)
        assert other.post("/account/verify/", {"token": self.backup_codes.pop()}).status_code == 302
        assert other.get("/").status_code == 200
        return other


def with_authenticator(user: User) -> Person:
    """The account logs in and sets up its authenticator app, as a new account does under
    production settings (the caller turns TWO_FACTOR_REQUIRED on)."""
    assert settings.TWO_FACTOR_REQUIRED
    browser = log_in(Client(), user)
    assert browser.get("/").status_code == 302  # sent to set up a second factor first
    browser.get("/account/two-factor/")
    page = browser.post("/account/two-factor/", {"token": code_for(TOTPDevice.objects.get(user=user))})
    codes = re.findall(r'<li class="col mb-2">(\w+)</li>', page.content.decode())
    assert len(codes) == 10 and browser.get("/").status_code == 200
    return Person(user, browser, codes)


def same_session(browser: Client) -> Client:
    """A second client on the browser's session: another tab, or its other click."""
    twin = Client()
    twin.cookies[settings.SESSION_COOKIE_NAME] = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return twin
