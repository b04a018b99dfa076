"""Wrong second-factor codes are throttled in the cache, not in the database: five in a
row refuse any code, even a right one, for a quarter of an hour; a code works once."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import make_user
from tests.shell.test_two_factor import code_for, log_in, set_up
from tests.test_login_throttling import writes_by_others

START = dt.datetime(2026, 3, 17, 14, 37, 52, tzinfo=dt.UTC)


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def wrong(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 500000) % 10**6:06d}"


def test_five_wrong_codes_refuse_even_a_right_one_for_fifteen_minutes(required, client, coordinator):
    with time_machine.travel(START) as clock:
        device, _codes, _used = set_up(client, coordinator)
        client.post("/logout/")
        log_in(client, coordinator)

        answers = [client.post("/account/verify/", {"token": wrong(device)}).status_code for _ in range(5)]
        refused = client.post("/account/verify/", {"token": code_for(device, drift=1)})
        clock.shift(dt.timedelta(minutes=16))
        accepted = client.post("/account/verify/", {"token": code_for(device)})

    assert answers == [400, 400, 400, 400, 429]
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert accepted.status_code == 302
    device.refresh_from_db()
    assert (device.throttling_failure_timestamp, device.throttling_failure_count, device.last_t) == (None, 0, -1)


def test_a_wrong_code_or_two_do_not_lock_anyone_out(required, client, coordinator):
    with time_machine.travel(START):
        device, _codes, _used = set_up(client, coordinator)
        client.post("/logout/")
        log_in(client, coordinator)

        first = client.post("/account/verify/", {"token": wrong(device)})
        right = client.post("/account/verify/", {"token": code_for(device, drift=1)})

    assert (first.status_code, right.status_code) == (400, 302)


def test_a_code_used_to_log_in_does_not_work_again(required, client, coordinator, new_client_for):
    with time_machine.travel(START):
        device, _codes, _used = set_up(client, coordinator)
        client.post("/logout/")
        log_in(client, coordinator)
        code = code_for(device, drift=1)
        assert client.post("/account/verify/", {"token": code}).status_code == 302
        client.post("/logout/")
        log_in(client, coordinator)

        again = client.post("/account/verify/", {"token": code})

    assert again.status_code == 400
    assert "used already" in again.content.decode()


def test_refused_codes_stay_refused_after_hundreds_of_writes_by_others(required, client, coordinator, programme):
    with time_machine.travel(START) as clock:
        device, _codes, _used = set_up(client, coordinator)
        client.post("/logout/")
        log_in(client, coordinator)
        answers = [client.post("/account/verify/", {"token": wrong(device)}).status_code for _ in range(5)]

        importer = Client()
        set_up(importer, make_user("importer", "Staff"))  # logged in, with a second factor
        writes_by_others(importer, programme)
        clock.shift(dt.timedelta(minutes=1))
        refused = client.post("/account/verify/", {"token": code_for(device)})

    assert answers == [400, 400, 400, 400, 429]
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
