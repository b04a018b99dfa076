"""The audit log: who did what and in which month, with no address and no request contents."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from intake import accounts, services
from intake.models import AuditEvent, HelpRequest, MonthReview, Status, User
from intake.months import add_months, format_month
from tests.conftest import PASSWORD, add_request

ADDRESS = "203.0.113.9"


def events():
    return [(e.actor.username if e.actor else None, e.action, e.subject) for e in AuditEvent.objects.order_by("pk")]


def everything_stored_in_the_audit_table() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM intake_auditevent")
        return " ".join(" ".join(map(str, row)) for row in cursor.fetchall())


def test_logins_and_failed_logins_are_noted_with_the_account_and_the_month(this_month, client, staff):
    client.post("/login/", {"username": staff.username, "password": "wrong-password"}, REMOTE_ADDR=ADDRESS)
    client.post("/login/", {"username": "my-password-typed-here", "password": "x"}, REMOTE_ADDR=ADDRESS)
    client.post("/login/", {"username": staff.username, "password": PASSWORD}, REMOTE_ADDR=ADDRESS)

    assert events() == [(staff.username, "login_failed", ""), (None, "login_failed", ""), (staff.username, "login", "")]
    assert set(AuditEvent.objects.values_list("month", flat=True)) == {this_month}
    stored = everything_stored_in_the_audit_table()
    assert ADDRESS not in stored
    assert "my-password-typed-here" not in stored


def test_logging_changing_moving_and_undoing_requests_are_noted(this_month, programme, coordinator, client_for):
    client = client_for(coordinator)
    month = format_month(this_month)
    AuditEvent.objects.all().delete()

    client.post("/requests/counts/", {"programme": "help", "month": month, "category": "legal", "status": "new",
                                      "count": 3}, REMOTE_ADDR=ADDRESS)
    client.post("/requests/move/", {"programme": "help", "month": month, "category": "legal", "from_status": "new",
                                    "count": 1, "to_status": "in_progress"})
    reference = programme.requests.filter(status="in_progress").get().reference
    client.post(f"/requests/{reference}/close/", {"seen": "in_progress", "outcome": "referred", "month": month})
    client.post(f"/requests/entries/{programme.entries.get(kind='count').pk}/undo/")

    assert events() == [
        ("coord", "requests_logged", "help, 3"),
        ("coord", "requests_moved", "help, 1"),
        ("coord", "request_changed", "help, closed"),
        ("coord", "entry_undone", "help, 3"),
    ]
    stored = everything_stored_in_the_audit_table()
    assert reference not in stored and ADDRESS not in stored and "referred" not in stored


def test_each_service_that_changes_requests_notes_it_with_the_account_passed_in(programme, coordinator, staff,
                                                                               this_month):
    month = this_month
    spec = services.RequestSpec(programme=programme, month=month, category="legal")

    entry = services.requests_log(spec=spec, count=3, author=coordinator)
    services.requests_move(services.Move(programme=programme, month=month, category="legal", from_status="new",
                                         count=1, to_status="in_progress"), actor=staff)
    request = programme.requests.get(status="in_progress")
    services.request_close(help_request=request, seen="in_progress", outcome="referred", month=month, actor=coordinator)
    services.request_reopen(help_request=request, seen="closed", actor=staff)
    services.request_start(help_request=programme.requests.filter(status="new").first(), seen="new", actor=coordinator)
    services.entry_undo(entry=entry, actor=staff)
    services.requests_import([(spec, 2)], author=staff)
    services.requests_import([(spec, 4)], author=None)

    assert events() == [
        ("coord", "requests_logged", "help, 3"),
        ("staff-member", "requests_moved", "help, 1"),
        ("coord", "request_changed", "help, closed"),
        ("staff-member", "request_changed", "help, in_progress"),
        ("coord", "request_changed", "help, in_progress"),
        ("staff-member", "entry_undone", "help, 3"),
        ("staff-member", "requests_imported", "2"),
        (None, "requests_imported", "4 (command line)"),
    ]


def test_a_change_a_service_refuses_notes_nothing(programme, coordinator, this_month):
    month = this_month
    request = add_request(programme=programme, month=month, category="legal")
    # An entry of a month since submitted: the lock refuses its undo.
    old_entry = services.requests_log(spec=services.RequestSpec(programme=programme, month=dt.date(2023, 4, 1),
                                                                category="legal"), author=coordinator)
    events_before = events()
    MonthReview.objects.create(programme=programme, month=dt.date(2023, 4, 1), state=MonthReview.State.SUBMITTED,
                               report_version=1)

    refusals = [
        lambda: services.requests_move(services.Move(programme=programme, month=month, category="legal",
                                                     from_status="new", count=2, to_status="in_progress"),
                                       actor=coordinator),
        lambda: services.request_start(help_request=request, seen=Status.CLOSED, actor=coordinator),
        lambda: services.request_reopen(help_request=request, seen=Status.NEW, actor=coordinator),
        lambda: services.request_close(help_request=request, seen=Status.NEW, outcome="referred",
                                       month=add_months(month, 1), actor=coordinator),
        lambda: services.entry_undo(entry=old_entry, actor=coordinator),
    ]
    for refused in refusals:
        with pytest.raises(ValidationError):
            refused()

    assert events() == events_before
    assert HelpRequest.objects.filter(pk=request.pk).values_list("status", flat=True).get() == "new"


def test_each_account_service_notes_its_change_with_the_account_passed_in(administrator, programme, coordinator):
    new = User(username="new-coord")
    new.set_password("a-long-new-password-1")
    accounts.account_save(account=new, actor=administrator)
    coordinator.is_active = False
    accounts.account_save(account=coordinator, actor=administrator)
    coordinator.is_staff = True
    accounts.account_save(account=coordinator, groups=Group.objects.filter(name="Staff"), actor=administrator)
    accounts.programme_save(programme=programme, members=[new], actor=administrator)
    accounts.account_password_changed(account=new, actor=administrator)

    assert events() == [
        ("admin-1", "account_created", "new-coord"),
        ("admin-1", "account_deactivated", "coord"),
        ("admin-1", "role_changed", "coord: +Staff +admin pages −Coordinator"),
        ("admin-1", "membership_changed", "help: +new-coord −coord"),
        ("admin-1", "password_changed", "new-coord"),
    ]
    assert set(coordinator.groups.values_list("name", flat=True)) == {"Staff"}
    assert list(programme.members.all()) == [new]


def test_imports_reports_and_exports_are_noted(demo_programme, staff, client_for, tmp_path):
    client = client_for(staff)
    AuditEvent.objects.all().delete()
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text("month,programme,category,status,outcome,closed_month,count\n"
                        "2023-10,desertion-help,legal,new,,,2\n")

    call_command("import_requests", str(csv_file), stdout=io.StringIO())
    client.post("/reports/generate/", {"programme": "desertion-help", "month": "2023-11"})
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline", stdout=io.StringIO())
    client.get("/reports/desertion-help/2023-11/v2.json")
    client.get("/reports/desertion-help/2023-11/v2.csv")
    client.get("/reports/desertion-help/2023-11/v2/print/")

    # Version 1 is requested from the page (and stays queued: no worker here); version 2
    # by the command, which has no account, and made in its process.
    assert events() == [
        (None, "requests_imported", "2 (command line)"),
        ("staff-member", "report_requested", "desertion-help 2023-11 v1"),
        (None, "report_requested", "desertion-help 2023-11 v2"),
        (None, "report_generated", "desertion-help 2023-11 v2"),
        ("staff-member", "report_exported", "desertion-help 2023-11 v2 json internal"),
        ("staff-member", "report_exported", "desertion-help 2023-11 v2 csv internal"),
        ("staff-member", "report_exported", "desertion-help 2023-11 v2 print internal"),
    ]


def test_a_refused_access_is_noted_by_page_name(auditor, client_for):
    response = client_for(auditor).get("/requests/new/")

    assert response.status_code == 403
    assert events()[-1] == ("auditor-1", "access_refused", "request_new")


@pytest.mark.parametrize("persona", ["staff", "auditor"])
def test_staff_and_auditors_read_the_log(db, request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))

    page = client.get("/audit/")

    assert page.status_code == 200
    assert "Logged in" in page.content.decode()


@pytest.mark.parametrize("persona", ["coordinator", "administrator"])
def test_coordinators_and_administrators_do_not_read_the_log(db, request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get("/audit/").status_code == 403


def test_nobody_can_change_the_log_through_the_app(staff, administrator, client_for, db):
    administrator.is_superuser = True
    administrator.save(update_fields=["is_superuser"])
    count = AuditEvent.objects.count()

    assert client_for(staff).post("/audit/", {"action": "login"}).status_code == 405
    admin = client_for(administrator)
    assert admin.get("/admin/intake/auditevent/").status_code == 404
    assert AuditEvent.objects.count() == count + 2  # the two logins, nothing else


def test_the_log_names_report_and_reference_figure_actions_in_both_languages(demo_programme, staff, client_for):
    client = client_for(staff)
    client.post("/reports/generate/", {"programme": "desertion-help", "month": "2023-11"})
    client.post("/reports/reference/new/", {"source": "S", "measure": "m", "period": "p", "value": "3",
                                            "per": "period", "citation": "c"})

    english = client.get("/audit/").content.decode()
    russian = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Report requested" in english and "Reference figure added" in english
    assert "Запрос отчёта" in russian and "Добавление справочного показателя" in russian


def test_an_audit_action_declared_twice_stops_start_up():
    from django.core.exceptions import ImproperlyConfigured
    from django.db import models

    from intake.models.audit_events import declare_actions

    class Again(models.TextChoices):
        LOGIN = "login", "Logged in again"

    with pytest.raises(ImproperlyConfigured, match="'login' is declared twice"):
        declare_actions(Again)


def test_each_app_declares_its_own_audit_actions_and_the_log_knows_them_all():
    from api.audit_actions import ApiAction
    from coalition.audit_actions import CoalitionAction
    from intake import audit
    from reports.audit_actions import ReportAction
    from shell.audit_actions import ShellAction
    from signoff.audit_actions import Action as SignoffAction

    declared = [code for code, _label in audit.action_choices()]
    assert len(declared) == len(set(declared))
    assert set(declared) == {*audit.Action.values, *ReportAction.values, *SignoffAction.values, *ShellAction.values,
                             *ApiAction.values, *CoalitionAction.values}
    assert AuditEvent(action=ReportAction.REPORT_VERIFIED).get_action_display() == "Report verified"
