"""The second factor: required under production settings, set up with a QR code the
app draws itself, backup codes, each code usable once."""

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import AuditEvent
from shell.two_factor import second_factor_confirm
from tests.conftest import PASSWORD


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def log_in(client, user):
    return client.post("/login/", {"username": user.username, "password": PASSWORD})


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.drift = drift
    return f"{totp.token():06d}"


def set_up(client, user) -> tuple[TOTPDevice, list[str], str]:
    """Log in and set up the app; returns the device, the backup codes shown and the
    code that confirmed the app."""
    log_in(client, user)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=user)
    code = code_for(device)
    page = client.post("/account/two-factor/", {"token": code}).content.decode()
    return device, re.findall(r'<li class="col mb-2">(\w+)</li>', page), code


def test_under_production_settings_an_account_without_a_second_factor_must_set_one_up(required, client, coordinator):
    log_in(client, coordinator)

    for path in ["/", "/requests/new/", "/reports/", "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/account/two-factor/", path
    page = client.get("/account/two-factor/").content.decode()
    assert "<svg" in page and 'class="segno"' in page  # the QR code, drawn by the app
    assert "Demo settings" not in client.get("/login/").content.decode()


def test_setting_up_shows_ten_backup_codes_once_and_opens_the_app(required, client, coordinator):
    device, codes, _code = set_up(client, coordinator)

    device.refresh_from_db()
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=coordinator).count() == 10


def test_confirming_the_app_notes_it_and_gives_backup_codes_in_one_service(coordinator):
    device = TOTPDevice.objects.create(user=coordinator, name="authenticator", confirmed=False)

    codes = second_factor_confirm(device=device, actor=coordinator)

    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert sorted(StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True)) == sorted(codes)
    assert list(AuditEvent.objects.values_list("actor__username", "action")) == [("coord", "second_factor_set")]


def test_a_wrong_code_does_not_set_up_the_app(required, client, coordinator):
    log_in(client, coordinator)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=coordinator)

    response = client.post("/account/two-factor/", {"token": f"{(int(code_for(device)) + 1) % 10**6:06d}"})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/").status_code == 302


def test_next_login_asks_for_a_code_and_each_code_works_once(required, client, coordinator, django_user_model):
    device, _codes, used = set_up(client, coordinator)
    client.post("/logout/")

    log_in(client, coordinator)
    asked = client.get("/requests/new/")
    assert asked.status_code == 302 and asked["Location"].startswith("/account/verify/?next=")
    # The code that set up the app was used already: it does not work again.
    reused = client.post("/account/verify/", {"token": used, "next": "/requests/new/"})
    assert reused.status_code == 400
    assert "used already" in reused.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    fresh = client.post("/account/verify/", {"token": code_for(device, drift=1), "next": "/requests/new/"})
    assert fresh.status_code == 302 and fresh["Location"] == "/requests/new/"
    assert client.get("/requests/new/").status_code == 200


def test_a_backup_code_works_once(required, client, coordinator):
    _device, codes, _code = set_up(client, coordinator)
    client.post("/logout/")

    log_in(client, coordinator)
    first = client.post("/account/verify/", {"token": codes[0]})
    client.post("/logout/")
    log_in(client, coordinator)
    again = client.post("/account/verify/", {"token": codes[0]})

    assert first.status_code == 302
    assert again.status_code == 400
    assert StaticToken.objects.filter(device__user=coordinator).count() == 9


def test_new_backup_codes_replace_the_old_ones(required, client, coordinator):
    _device, old, _code = set_up(client, coordinator)

    page = client.post("/account/backup-codes/").content.decode()

    new = re.findall(r'<li class="col mb-2">(\w+)</li>', page)
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True)) == set(new)


def test_demo_settings_let_an_account_in_without_a_second_factor_and_say_so(settings, client, coordinator):
    settings.TWO_FACTOR_REQUIRED = False

    assert "Demo settings: a second factor is not required here." in client.get("/login/").content.decode()
    log_in(client, coordinator)
    assert client.get("/").status_code == 200


def test_with_demo_settings_an_account_that_has_a_second_factor_still_needs_it(settings, client, coordinator):
    settings.TWO_FACTOR_REQUIRED = False
    TOTPDevice.objects.create(user=coordinator, name="authenticator", confirmed=True)

    log_in(client, coordinator)

    assert client.get("/").status_code == 302
