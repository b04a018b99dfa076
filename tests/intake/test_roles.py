"""The roles are groups made by a migration, with exactly the permissions it lists."""

import importlib

import pytest
from django.contrib.auth.models import Group

from intake.access import programmes_for

_ROLES = importlib.import_module("intake.migrations.0002_roles").ROLES
_GRANTS = importlib.import_module("reports.migrations.0003_reference_figure_roles").GRANTS
# The permissions of each role: those of the migration that made the roles, and
# those later migrations granted.
_AUDIT_READERS = importlib.import_module("intake.migrations.0006_audit_roles").READERS
_REVIEW_GRANTS = importlib.import_module("intake.migrations.0014_review_roles").GRANTS
_API_GRANTS = importlib.import_module("api.migrations.0002_api_token_roles").GRANTS
_COALITION_GRANTS = importlib.import_module("coalition.migrations.0002_coalition_roles").GRANTS
ROLES = {
    role: [
        *codes,
        *(f"reports.{codename}" for codename in _GRANTS.get(role, [])),
        *(["intake.view_auditevent"] if role in _AUDIT_READERS else []),
        *(f"intake.{codename}" for codename in _REVIEW_GRANTS.get(role, [])),
        *(f"api.{codename}" for codename in _API_GRANTS.get(role, [])),
        *(f"coalition.{codename}" for codename in _COALITION_GRANTS.get(role, [])),
    ]
    for role, codes in _ROLES.items()
}


def permissions_of(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_migration_creates_one_group_per_role(db):
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLES)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_has_exactly_the_permissions_the_migration_lists(db, role):
    assert permissions_of(Group.objects.get(name=role)) == set(ROLES[role])


def test_coordinator_may_log_requests_but_not_see_reports(coordinator):
    assert coordinator.has_perm("intake.add_helprequest")
    assert coordinator.has_perm("intake.change_helprequest")
    assert not coordinator.has_perm("intake.act_in_all_programmes")
    assert not coordinator.has_perm("intake.import_requests")
    assert not coordinator.has_perm("reports.view_report")
    assert not coordinator.has_perm("reports.generate_report")


def test_auditor_sees_reports_but_never_a_request(auditor):
    assert auditor.has_perm("reports.view_report")
    assert auditor.has_perm("reports.export_report")
    assert not auditor.has_perm("reports.generate_report")
    assert not auditor.has_perm("intake.view_helprequest")
    assert not auditor.has_perm("intake.add_helprequest")
    assert not auditor.has_perm("intake.change_helprequest")


def test_staff_may_work_in_every_programme_and_generate_reports(staff):
    assert staff.has_perm("intake.act_in_all_programmes")
    assert staff.has_perm("intake.import_requests")
    assert staff.has_perm("reports.generate_report")
    assert not staff.has_perm("intake.add_user")


def test_administrator_manages_accounts_but_sees_no_requests_or_reports(administrator):
    assert administrator.has_perm("intake.add_user")
    assert administrator.has_perm("intake.change_programme")
    assert not administrator.has_perm("intake.view_helprequest")
    assert not administrator.has_perm("reports.view_report")


def test_coordinator_works_only_in_their_own_programmes(coordinator, programme, other_programme):
    assert list(programmes_for(coordinator)) == [programme]


def test_staff_works_in_every_programme(staff, programme, other_programme):
    assert set(programmes_for(staff)) == {programme, other_programme}


@pytest.mark.parametrize("persona", ["auditor", "administrator"])
def test_auditor_and_administrator_work_in_no_programme(request, persona, programme):
    user = request.getfixturevalue(persona)
    programme.members.add(user)  # even a stray membership gives no access to requests

    assert not programmes_for(user).exists()


def test_staff_submit_months_and_auditors_decide_on_them(staff, auditor, coordinator):
    assert staff.has_perm("intake.submit_month") and not staff.has_perm("intake.decide_month")
    assert auditor.has_perm("intake.decide_month") and not auditor.has_perm("intake.submit_month")
    assert staff.has_perm("intake.view_monthreview") and auditor.has_perm("intake.view_monthreview")
    assert not {"intake.view_monthreview", "intake.submit_month", "intake.decide_month"} & coordinator.get_all_permissions()
