"""The audit log: who did what and in which month, with no address and no request contents."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from intake.models import AuditEvent
from intake.months import format_month
from tests.conftest import PASSWORD

Action = AuditEvent.Action
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
    client.post(f"/requests/entries/{programme.entries.get().pk}/undo/")

    assert events() == [
        ("coord", "requests_logged", "help, 3"),
        ("coord", "requests_moved", "help, 1"),
        ("coord", "request_changed", "help, closed"),
        ("coord", "entry_undone", "help, 3"),
    ]
    stored = everything_stored_in_the_audit_table()
    assert reference not in stored and ADDRESS not in stored and "referred" not in stored


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

    assert events() == [
        (None, "requests_imported", "2 (command line)"),
        ("staff-member", "report_generated", "desertion-help 2023-11 v1"),
        (None, "report_generated", "desertion-help 2023-11 v2 (command line)"),
        ("staff-member", "report_exported", "desertion-help 2023-11 v2 json"),
        ("staff-member", "report_exported", "desertion-help 2023-11 v2 csv"),
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
