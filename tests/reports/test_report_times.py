"""A report keeps its state, its version and the worker's times to the minute: never who
asked for it (the audit log says who, by month)."""

import datetime as dt

import time_machine

from intake.models import AuditEvent
from reports.audit_actions import ReportAction
from reports.models import Report
from reports.services import report_generate, report_request


def test_a_report_keeps_no_requester_and_the_audit_log_names_them_by_month(demo_programme, staff, client_for):
    with time_machine.travel(dt.datetime(2026, 3, 17, 14, 37, 52, 123456, tzinfo=dt.UTC)):
        response = client_for(staff).post("/reports/generate/", {"programme": "desertion-help", "month": "2023-11"})

    assert response.status_code == 302
    assert "requested_by" not in {field.name for field in Report._meta.get_fields()}
    report = Report.objects.get()
    assert report.created_at == dt.datetime(2026, 3, 17, 14, 37, tzinfo=dt.UTC)
    event = AuditEvent.objects.get(action=ReportAction.REPORT_REQUESTED)
    assert (event.actor, event.month) == (staff, dt.date(2026, 3, 1))


def test_the_worker_notes_its_start_and_end_to_the_minute(demo_programme):
    report = report_request(programme=demo_programme, month=dt.date(2023, 11, 1), send=False)
    with time_machine.travel(dt.datetime(2026, 3, 17, 14, 37, 52, 123456, tzinfo=dt.UTC)):
        report_generate(report_id=report.pk)

    report.refresh_from_db()
    assert report.started_at == report.finished_at == dt.datetime(2026, 3, 17, 14, 37, tzinfo=dt.UTC)
