"""Month-only time (issue 17): the finest time stored about anyone's action is the month.

Every date and time field of every installed app, ours and those we install (auth,
admin, sessions, django-otp, django-axes...), has a policy in shell.time_policy.POLICY,
and a field added later without one fails the first test. The policies are proved by
using the app as people do (logging in with a second factor, an administrator's change,
logging requests, a review, a report) at a moment well inside a month, and reading back
what was stored, to the microsecond."""

import datetime as dt
import re

import pytest
import time_machine
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.db import models
from django.test import Client
from django.test.utils import isolate_apps
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import ApiToken
from api.tokens import token_issue
from intake.models import AuditEvent, Entry, MonthReview, User
from intake.services import RequestSpec, requests_log
from reports.models import Report
from reports.services import report_generate, report_request
from shell.time_policy import CHOSEN, EXPIRY, MINUTE, MONTH, NEVER, POLICY, unpoliced_fields
from signoff.audit_actions import Action
from signoff.services import review_accept, review_grant_unlock, review_request_unlock, review_submit
from tests.conftest import PASSWORD, make_user
from tests.test_schema import _requires_first_day

# Well inside a month, with seconds and microseconds: any of them stored shows.
MOMENT = dt.datetime(2026, 3, 17, 14, 37, 52, 123456, tzinfo=dt.UTC)
LAST_MONTH = dt.date(2026, 2, 1)


def test_every_date_and_time_field_of_every_installed_app_has_a_policy():
    assert unpoliced_fields(apps.get_models()) == []
    # ...and the table names no field that is gone (a removed one is taken out).
    fields = {f"{model._meta.label}.{field.name}" for model in apps.get_models() for field in model._meta.fields}
    assert sorted(set(POLICY) - fields) == []


def test_the_apps_walked_include_the_installed_third_party_ones():
    labels = {model._meta.app_label for model in apps.get_models()}
    assert {"auth", "admin", "sessions", "otp_totp", "otp_static", "axes", "intake", "reports"} <= labels


@pytest.mark.parametrize("field", [models.DateTimeField(), models.DateField(), models.TimeField(),
                                   models.DurationField(), models.DateTimeField(auto_now=True)])
def test_a_time_field_added_without_a_policy_is_found(field):
    with isolate_apps("intake"):
        Throwaway = type("Throwaway", (models.Model,), {
            "__module__": __name__,
            "seen": field,
            "Meta": type("Meta", (), {"app_label": "intake", "managed": False}),
        })

        assert unpoliced_fields([Throwaway]) == ["intake.Throwaway.seen"]


def test_our_month_dates_are_first_days_by_a_database_constraint():
    for label, policy in POLICY.items():
        app_model, name = label.rsplit(".", 1)
        model = apps.get_model(app_model)
        field = model._meta.get_field(name)
        if policy == MONTH and model._meta.app_label in ("intake", "reports", "api") and not isinstance(
                field, models.DateTimeField):
            assert any(_requires_first_day(c, name) for c in model._meta.constraints), label


def test_accounts_keep_no_last_login():
    assert "last_login" not in {field.name for field in User._meta.get_fields()}


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.drift = drift
    return f"{totp.token():06d}"


def log_in(client, user):
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


def use_the_app(client, settings, demo_programme) -> None:
    """What people do, each through the code that does it on the site."""
    settings.TWO_FACTOR_REQUIRED = True
    admin = make_user("admin-1", "Administrator", is_staff=True, is_superuser=True)
    # Setting up the authenticator app, then logging in again with a code and a backup code.
    log_in(client, admin)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=admin)
    page = client.post("/account/two-factor/", {"token": code_for(device)}).content.decode()
    backup = re.findall(r'<li class="col mb-2">(\w+)</li>', page)
    client.post("/logout/")
    log_in(client, admin)
    assert client.post("/account/verify/", {"token": "000000" if code_for(device) != "000000" else "111111"}
                       ).status_code == 400
    assert client.post("/account/verify/", {"token": code_for(device, drift=1)}).status_code == 302
    # An administrator's change, in the admin's change log.
    added = client.post("/admin/intake/programme/add/", {
        "name": "Second", "name_ru": "", "slug": "second", "first_month": "2023-04-01"})
    assert added.status_code == 302, added.content.decode()[:2000]
    client.post("/logout/")
    log_in(client, admin)
    assert client.post("/account/verify/", {"token": backup[0]}).status_code == 302
    settings.TWO_FACTOR_REQUIRED = False
    # A failed login, an entry, a review with an unlock, a report made by the worker's code.
    client.post("/login/", {"username": "staff-a", "password": "wrong"})
    staff, other_staff = make_user("staff-a", "Staff"), make_user("staff-b", "Staff")
    auditor = make_user("auditor-a", "Auditor")
    log_in(client, staff)
    requests_log(spec=RequestSpec(programme=demo_programme, month=LAST_MONTH, category="legal"), author=staff)
    report = report_request(programme=demo_programme, month=LAST_MONTH, send=False)
    report_generate(report_id=report.pk)
    report = Report.objects.get(pk=report.pk)
    assert report.state == Report.State.READY, report.failure
    review_submit(programme=demo_programme, month=LAST_MONTH, actor=staff, check_report=lambda asked: asked or 1)
    review_accept(programme=demo_programme, month=LAST_MONTH, actor=auditor, check_report=lambda asked: asked or 1)
    review_request_unlock(programme=demo_programme, month=LAST_MONTH, reason="late_data", actor=other_staff)
    review_grant_unlock(programme=demo_programme, month=LAST_MONTH, actor=auditor, days=3)
    # An API token issued to a partner, and used.
    _token, text = token_issue(token=ApiToken(partner="Desk", profile="public", expires_on=dt.date(2026, 6, 30)),
                               programmes=[demo_programme], actor=staff)
    assert Client().get("/api/v1/programmes", HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 200


def stored(label: str) -> list:
    app_model, name = label.rsplit(".", 1)
    return list(apps.get_model(app_model)._default_manager.values_list(name, flat=True))


def is_first_of_month(value) -> bool:
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value)
        return (local.day, local.hour, local.minute, local.second, local.microsecond) == (1, 0, 0, 0, 0)
    return value.day == 1


# The month fields that the use above writes: each must hold a value, or the test proves nothing.
WRITTEN = {
    "admin.LogEntry.action_time", "otp_totp.TOTPDevice.created_at", "otp_totp.TOTPDevice.last_used_at",
    "otp_static.StaticDevice.created_at", "otp_static.StaticDevice.last_used_at", "intake.Entry.month",
    "intake.AuditEvent.month", "intake.MonthReview.month", "intake.MonthReview.accepted_in",
    "reports.Report.created_at", "reports.Report.started_at", "reports.Report.finished_at",
    "sessions.Session.expire_date", "api.ApiToken.created_in", "api.ApiUse.month",
}


@pytest.mark.parametrize("time_zone", ["UTC", "Europe/Moscow"])
def test_using_the_app_stores_no_time_finer_than_its_policy(client, settings, demo_programme, time_zone):
    settings.TIME_ZONE = time_zone
    with time_machine.travel(MOMENT), timezone.override(time_zone):
        use_the_app(client, settings, demo_programme)

        assert {label for label in WRITTEN if any(value is not None for value in stored(label))} == WRITTEN
        for label, policy in POLICY.items():
            values = [value for value in stored(label) if value is not None]
            if policy == MONTH:
                assert all(is_first_of_month(value) for value in values), (label, values)
            elif policy == MINUTE:
                assert all(value.second == 0 and value.microsecond == 0 for value in values), (label, values)
            elif policy == NEVER:
                assert values == [], label
            else:
                assert policy in (EXPIRY, CHOSEN), label
    # Not a date, but a time all the same: the step of the last code used.
    assert set(TOTPDevice.objects.values_list("last_t", "throttling_failure_count")) == {(-1, 0)}
    assert set(StaticDevice.objects.values_list("throttling_failure_count", flat=True)) == {0}
    # The admin's change, the audit log, the entries and reviews: months, still in order.
    assert LogEntry.objects.filter(object_repr__icontains="second").exists()
    assert AuditEvent.objects.filter(action=Action.UNLOCK_GRANTED).exists()
    assert Entry.objects.exists() and MonthReview.objects.get().is_unlocked(MOMENT)

