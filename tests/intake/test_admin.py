"""The Django admin, as an Administrator uses it: roles and programme membership are
theirs to change, superuser rights and other accounts' second factors are not, and
every change of role, membership, activation and password reaches the audit log."""

import base64
import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import AuditEvent, User
from shell.two_factor import new_backup_codes
from tests.conftest import PASSWORD, make_user, text_of

NEW_PASSWORD = "another-long-password-9"


@pytest.fixture
def superuser(db) -> User:
    return make_user("root-1", None, is_staff=True, is_superuser=True)


def events() -> list[tuple[str | None, str, str]]:
    return [(e.actor.username if e.actor else None, e.action, e.subject) for e in AuditEvent.objects.order_by("pk")]


def role(name: str) -> int:
    return Group.objects.get(name=name).pk


def account_form(user: User, **changes) -> dict:
    """The user admin's change form as the browser posts it, with `changes` made."""
    values = {
        "username": user.username,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": [group.pk for group in user.groups.all()],
        **changes,
    }
    # A checkbox that is not ticked is not sent at all.
    return {name: "on" if value is True else value for name, value in values.items() if value is not False}


def change_account(client, user: User, **changes):
    return client.post(f"/admin/intake/user/{user.pk}/change/", account_form(user, **changes))


# Superuser rights --------------------------------------------------------------------


@pytest.mark.parametrize("target", ["administrator", "coordinator"])
def test_an_administrator_cannot_make_itself_or_anyone_superuser(request, administrator, client_for, target):
    account = request.getfixturevalue(target)
    client = client_for(administrator)
    every_permission = list(Permission.objects.values_list("pk", flat=True))

    form = client.get(f"/admin/intake/user/{account.pk}/change/").content.decode()
    response = change_account(client, account, is_superuser=True, user_permissions=every_permission)

    assert 'name="is_superuser"' not in form
    assert response.status_code == 302
    account.refresh_from_db()
    assert not account.is_superuser
    assert not account.user_permissions.exists()
    assert not account.has_perm("intake.delete_programme")


def test_a_superuser_can_make_an_account_superuser(superuser, administrator, client_for):
    response = change_account(client_for(superuser), administrator, is_superuser=True)

    assert response.status_code == 302
    administrator.refresh_from_db()
    assert administrator.is_superuser
    assert events()[-1] == ("root-1", "role_changed", "admin-1: +superuser")


def test_an_administrator_can_see_but_not_change_a_superuser(superuser, administrator, client_for):
    client = client_for(administrator)
    stored = superuser.password

    assert client.get(f"/admin/intake/user/{superuser.pk}/change/").status_code == 200
    assert change_account(client, superuser, is_active=False).status_code == 403
    assert client.get(f"/admin/intake/user/{superuser.pk}/password/").status_code == 403
    response = client.post(f"/admin/intake/user/{superuser.pk}/password/",
                           {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.password == stored


# Second factors ----------------------------------------------------------------------


def admin_links(page: str) -> set[str]:
    return {path for path in re.findall(r'href="(/admin/[^"?#]*)', page) if "logout" not in path}


@pytest.mark.parametrize("persona", ["administrator", "superuser"])
def test_no_admin_page_shows_another_accounts_backup_codes_or_authenticator_key(request, client_for, coordinator,
                                                                             persona):
    totp = TOTPDevice.objects.create(user=coordinator, name="authenticator", confirmed=True)
    codes = new_backup_codes(coordinator)
    static = coordinator.staticdevice_set.get()
    secrets = [*codes, totp.key, base64.b32encode(totp.bin_key).decode(), totp.config_url]
    client = client_for(request.getfixturevalue(persona))
    device_pages = {
        "/admin/otp_static/staticdevice/", f"/admin/otp_static/staticdevice/{static.pk}/change/",
        "/admin/otp_static/staticdevice/add/", "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{totp.pk}/change/", f"/admin/otp_totp/totpdevice/{totp.pk}/config/",
        f"/admin/otp_totp/totpdevice/{totp.pk}/qrcode/", "/admin/otp_totp/totpdevice/add/",
        f"/admin/otp_static/staticdevice/{static.pk}/delete/", f"/admin/otp_static/staticdevice/{static.pk}/history/",
        f"/admin/otp_totp/totpdevice/{totp.pk}/delete/", f"/admin/intake/user/{coordinator.pk}/change/",
        f"/admin/intake/user/{coordinator.pk}/delete/", f"/admin/intake/user/{coordinator.pk}/history/",
        f"/admin/intake/user/{coordinator.pk}/password/",
    }

    # Every page the admin links to from its index, one step further, and the devices' own pages.
    to_visit, seen, opened = ["/admin/", *sorted(device_pages)], set(), {}
    while to_visit and len(seen) < 150:
        path = to_visit.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        page = response.content.decode(errors="replace")
        opened[path] = response.status_code
        for secret in secrets:
            assert secret.lower() not in page.lower(), f"{path} shows a secret"
        if response.status_code == 200 and path.count("/") <= 5:
            to_visit.extend(sorted(admin_links(page) - seen))

    assert opened[f"/admin/intake/user/{coordinator.pk}/change/"] == 200
    if persona == "superuser":
        # Sees the devices (to delete a lost one), never what is in them.
        assert opened["/admin/otp_static/staticdevice/"] == 200
        assert opened[f"/admin/otp_static/staticdevice/{static.pk}/change/"] == 200
        assert opened[f"/admin/otp_totp/totpdevice/{totp.pk}/change/"] == 200
        assert "coord" in client.get("/admin/otp_totp/totpdevice/").content.decode()
    else:
        assert opened["/admin/otp_static/staticdevice/"] == 403
        assert opened["/admin/otp_totp/totpdevice/"] == 403


@pytest.mark.parametrize("model", ["otp_static/staticdevice", "otp_totp/totpdevice"])
def test_nobody_adds_a_second_factor_for_someone_else_in_the_admin(superuser, coordinator, client_for, model):
    client = client_for(superuser)

    response = client.post(f"/admin/{model}/add/", {"user": coordinator.pk, "name": "planted", "confirmed": "on",
                                                    "key": "00" * 20, "step": 30, "t0": 0, "digits": 6,
                                                    "tolerance": 1, "drift": 0, "throttling_failure_count": 0,
                                                    "token_set-TOTAL_FORMS": 1, "token_set-INITIAL_FORMS": 0,
                                                    "token_set-0-token": "planted1"})

    assert response.status_code == 403
    assert not TOTPDevice.objects.filter(name="planted").exists()
    assert not coordinator.staticdevice_set.exists()


# The audit log -----------------------------------------------------------------------


def test_a_change_of_roles_is_audited_with_the_account_and_the_roles(administrator, coordinator, client_for):
    client = client_for(administrator)
    AuditEvent.objects.all().delete()

    change_account(client, coordinator, groups=[role("Staff"), role("Auditor")])
    change_account(client, coordinator)  # saved unchanged: nothing to note
    change_account(client, coordinator, groups=[role("Staff")], is_staff=True)

    assert events() == [
        ("admin-1", "role_changed", "coord: +Auditor +Staff −Coordinator"),
        ("admin-1", "role_changed", "coord: +admin pages −Auditor"),
    ]


def test_deactivating_and_activating_an_account_are_audited(administrator, coordinator, client_for):
    client = client_for(administrator)
    AuditEvent.objects.all().delete()

    change_account(client, coordinator, is_active=False)
    coordinator.refresh_from_db()
    change_account(client, coordinator, is_active=True)

    coordinator.refresh_from_db()
    assert coordinator.is_active
    assert events() == [("admin-1", "account_deactivated", "coord"), ("admin-1", "account_activated", "coord")]


def test_setting_another_accounts_password_is_audited(administrator, coordinator, client_for):
    client = client_for(administrator)
    AuditEvent.objects.all().delete()

    response = client.post(f"/admin/intake/user/{coordinator.pk}/password/",
                           {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.check_password(NEW_PASSWORD)
    assert events() == [("admin-1", "password_changed", "coord")]


def test_a_refused_password_is_not_audited(administrator, coordinator, client_for):
    client = client_for(administrator)
    AuditEvent.objects.all().delete()

    response = client.post(f"/admin/intake/user/{coordinator.pk}/password/",
                           {"usable_password": "true", "password1": NEW_PASSWORD, "password2": "something-else"})

    assert response.status_code == 200
    assert events() == []


def test_changing_ones_own_password_in_the_admin_is_audited(administrator, client_for):
    client = client_for(administrator)
    AuditEvent.objects.all().delete()

    response = client.post("/admin/password_change/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                       "new_password2": NEW_PASSWORD})

    assert response.status_code == 302
    administrator.refresh_from_db()
    assert administrator.check_password(NEW_PASSWORD)
    assert events() == [("admin-1", "password_changed", "admin-1")]


def test_creating_an_account_with_a_password_is_audited(administrator, client_for):
    client = client_for(administrator)
    AuditEvent.objects.all().delete()

    response = client.post("/admin/intake/user/add/", {"username": "new-coord", "usable_password": "true",
                                                       "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert User.objects.get(username="new-coord").check_password(NEW_PASSWORD)
    assert events() == [("admin-1", "account_created", "new-coord")]


def programme_form(programme, members) -> dict:
    return {"name": programme.name, "slug": programme.slug, "first_month": programme.first_month.isoformat(),
            "members": [member.pk for member in members]}


def test_a_change_of_programme_membership_is_audited(administrator, programme, coordinator, other_coordinator,
                                                      client_for):
    client = client_for(administrator)
    AuditEvent.objects.all().delete()

    client.post(f"/admin/intake/programme/{programme.pk}/change/", programme_form(programme, [other_coordinator]))
    client.post(f"/admin/intake/programme/{programme.pk}/change/", programme_form(programme, [other_coordinator]))
    client.post("/admin/intake/programme/add/", {"name": "New", "slug": "new", "first_month": "2024-01-01",
                                                 "members": [coordinator.pk]})

    assert set(programme.members.all()) == {other_coordinator}
    assert events() == [
        ("admin-1", "membership_changed", "help: +other-coord −coord"),
        ("admin-1", "membership_changed", "new: +coord"),
    ]


def test_the_audit_log_names_the_new_actions(administrator, coordinator, staff, client_for):
    change_account(client_for(administrator), coordinator, is_active=False)

    page = client_for(staff).get("/audit/").content.decode()
    russian = client_for(staff).get("/audit/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Account deactivated" in page
    assert "Отключение учётной записи" in russian


def test_the_admin_shows_the_month_a_device_was_set_up_and_last_used(superuser, coordinator, client_for):
    with time_machine.travel(dt.datetime(2026, 3, 17, 14, 37, 52, tzinfo=dt.UTC)):
        TOTPDevice.objects.create(user=coordinator, name="authenticator", confirmed=True,
                                  last_used_at=dt.datetime(2026, 3, 17, 14, 37, 52, tzinfo=dt.UTC))

    page = text_of(client_for(superuser).get("/admin/otp_totp/totpdevice/"))

    assert "set up in" in page.lower() and "last used in" in page.lower()
    assert page.count("March 2026") == 2 and "midnight" not in page and "March 1" not in page
