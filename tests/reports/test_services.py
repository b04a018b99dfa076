"""The report services: generate once, fail with a reason, schedule the monthly ones,
and fingerprint the data under a report."""

import contextlib
import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from intake import audit
from intake.models import AuditEvent, HelpRequest, Programme, Status
from intake.months import add_months, format_month
from intake.services import request_move
from reports.models import Report
from reports.services import (
    STALE_RUNNING,
    STORED_TO,
    ReportBusy,
    ReportError,
    report_generate,
    report_request,
    reports_for_last_month,
    reports_resend_stuck,
)
from tests.conftest import add_request, current_fingerprint

from .article import assert_article_figures

NOVEMBER = dt.date(2023, 11, 1)


def test_generating_a_queued_report_makes_it_ready_with_the_article_figures(demo_programme):
    report = report_request(programme=demo_programme, month=NOVEMBER, send=False)
    assert report.state == Report.State.QUEUED

    report_generate(report_id=report.pk)

    report.refresh_from_db()
    assert report.state == Report.State.READY
    assert_article_figures(report.body)
    assert report.fingerprint == report.body["fingerprint"]
    assert report.started_at <= report.finished_at


def test_generating_a_ready_report_again_does_nothing(november_report, demo_programme):
    # The data changes, then the task is delivered a second time.
    add_request(programme=demo_programme, month=NOVEMBER, category="legal")
    before = Report.objects.values().get(pk=november_report.pk)

    report_generate(report_id=november_report.pk)

    assert Report.objects.values().get(pk=november_report.pk) == before
    assert Report.objects.count() == 1


def test_generating_a_failed_report_again_does_nothing(demo_programme):
    report = Report.objects.create(programme=demo_programme, month=dt.date(2023, 3, 1), version=1)
    report_generate(report_id=report.pk)
    before = Report.objects.values().get(pk=report.pk)

    report_generate(report_id=report.pk)

    assert Report.objects.values().get(pk=report.pk) == before


@pytest.mark.skipif(connection.vendor == "postgresql",
                    reason="PostgreSQL knows a live worker by its lock, not by time: see test_lost_workers.py")
def test_report_running_for_less_than_the_hard_time_limit_is_left_alone_on_sqlite(demo_programme):
    report = report_request(programme=demo_programme, month=NOVEMBER, send=False)
    started = timezone.now() - dt.timedelta(minutes=1)
    Report.objects.filter(pk=report.pk).update(state=Report.State.RUNNING, started_at=started)

    with pytest.raises(ReportBusy):
        report_generate(report_id=report.pk)
    assert reports_resend_stuck() == 0

    report.refresh_from_db()
    assert (report.state, report.started_at, report.body) == (Report.State.RUNNING, started, None)


def test_report_left_running_by_a_lost_worker_is_made_by_the_next_delivery(demo_programme):
    report = report_request(programme=demo_programme, month=NOVEMBER, send=False)
    started = timezone.now() - STALE_RUNNING - dt.timedelta(minutes=1)
    Report.objects.filter(pk=report.pk).update(state=Report.State.RUNNING, started_at=started)

    report_generate(report_id=report.pk)

    report.refresh_from_db()
    assert report.state == Report.State.READY
    assert report.started_at > started
    assert_article_figures(report.body)


def test_report_whose_computation_raises_ends_failed_with_the_reason(demo_programme):
    # Made directly, past the checks of report_request: March is before the programme began.
    report = Report.objects.create(programme=demo_programme, month=dt.date(2023, 3, 1), version=1)

    report_generate(report_id=report.pk)

    report.refresh_from_db()
    assert report.state == Report.State.FAILED
    assert report.failure == "ReportError: 2023-03 is before the first month of this scope (2023-04)."
    assert report.body is None
    assert report.finished_at is not None


def test_generating_an_unknown_report_does_nothing(db):
    report_generate(report_id=12345)

    assert not Report.objects.exists()


# --- the monthly schedule -------------------------------------------------------------


def test_reports_for_last_month_queues_one_per_programme_and_one_for_all_once(
    this_month, db, django_capture_on_commit_callbacks
):
    last_month = add_months(this_month, -1)
    started_last_month = Programme.objects.create(slug="recent", name="Recent", first_month=last_month)
    older = Programme.objects.create(slug="older", name="Older", first_month=add_months(last_month, -14))
    Programme.objects.create(slug="new", name="New", first_month=this_month)  # nothing to report yet

    with django_capture_on_commit_callbacks() as enqueued:
        made = reports_for_last_month()

    assert {report.programme for report in made} == {started_last_month, older, None}
    assert len(enqueued) == 3
    assert set(Report.objects.values_list("programme__slug", "month", "version", "state")) == {
        ("recent", last_month, 1, "queued"),
        ("older", last_month, 1, "queued"),
        (None, last_month, 1, "queued"),
    }

    with django_capture_on_commit_callbacks() as enqueued_again:
        made_again = reports_for_last_month()

    assert made_again == []
    assert enqueued_again == []
    assert Report.objects.count() == 3


def test_reports_for_last_month_with_no_programme_makes_nothing(db):
    assert reports_for_last_month() == []
    assert not Report.objects.exists()


def test_reports_for_last_month_keeps_a_version_made_on_demand(this_month, db):
    last_month = add_months(this_month, -1)
    programme = Programme.objects.create(slug="recent", name="Recent", first_month=last_month)
    on_demand = report_request(programme=programme, month=last_month, send=False)

    made = reports_for_last_month()

    assert [report.programme for report in made] == [None]
    assert list(Report.objects.for_scope(programme).values_list("pk", flat=True)) == [on_demand.pk]


# --- fingerprints ---------------------------------------------------------------------


def test_fingerprint_is_unchanged_when_nothing_changes(november_report):
    assert current_fingerprint(november_report) == november_report.fingerprint
    assert current_fingerprint(november_report) == current_fingerprint(november_report)


def test_fingerprint_changes_when_a_request_changes_status(november_report, demo_programme):
    request = HelpRequest.objects.filter(programme=demo_programme, month=NOVEMBER, status="new").first()

    request_move(request, Status.IN_PROGRESS)

    assert current_fingerprint(november_report) != november_report.fingerprint


def test_fingerprint_changes_when_a_request_is_closed(november_report):
    request = HelpRequest.objects.filter(month=NOVEMBER, status="new").first()

    request_move(request, Status.CLOSED, outcome="left_country", closed_month=NOVEMBER)

    assert current_fingerprint(november_report) != november_report.fingerprint


def test_fingerprint_ignores_requests_after_the_report_month(november_report, demo_programme):
    add_request(programme=demo_programme, month=dt.date(2023, 12, 1), category="desertion")

    assert current_fingerprint(november_report) == november_report.fingerprint


def test_fingerprint_ignores_other_programmes(november_report, other_programme):
    add_request(programme=other_programme, month=NOVEMBER, category="desertion")

    assert current_fingerprint(november_report) == november_report.fingerprint


def test_same_data_gives_the_same_fingerprint_in_a_new_version(november_report, demo_programme):
    again = report_request(programme=demo_programme, month=NOVEMBER, send=False)
    report_generate(report_id=again.pk)

    again.refresh_from_db()
    assert (again.version, again.fingerprint) == (2, november_report.fingerprint)
    assert again.body == {**november_report.body, "version": 2}


# --- the audit log ----------------------------------------------------------------------


def audit_events() -> list[tuple]:
    return list(AuditEvent.objects.order_by("pk").values_list("actor__username", "action", "subject"))


def test_requesting_then_generating_a_report_notes_who_requested_it_and_that_it_was_made(
    demo_programme, staff
):
    report = report_request(programme=demo_programme, month=NOVEMBER, requested_by=staff, send=False)
    assert audit_events() == [("staff-member", "report_requested", "desertion-help 2023-11 v1")]

    report_generate(report_id=report.pk)
    report_generate(report_id=report.pk)  # a duplicate delivery notes nothing

    assert audit_events() == [
        ("staff-member", "report_requested", "desertion-help 2023-11 v1"),
        (None, "report_generated", "desertion-help 2023-11 v1"),
    ]


def test_a_report_refused_or_failed_notes_nothing_but_its_request(demo_programme, staff):
    with pytest.raises(ReportError):
        report_request(programme=demo_programme, month=dt.date(2023, 3, 1), requested_by=staff, send=False)
    report = Report.objects.create(programme=demo_programme, month=dt.date(2023, 3, 1), version=1)
    report_generate(report_id=report.pk)

    assert audit_events() == []


def test_the_monthly_schedule_notes_each_report_it_requests_without_an_account(db, this_month):
    last_month = add_months(this_month, -1)
    Programme.objects.create(slug="recent", name="Recent", first_month=last_month)

    reports_for_last_month()

    assert sorted(audit_events()) == [
        (None, "report_requested", f"all {format_month(last_month)} v1"),
        (None, "report_requested", f"recent {format_month(last_month)} v1"),
    ]


def refuse_to_write(*args, **kwargs):
    raise RuntimeError("the audit log cannot be written")


def test_a_report_whose_request_cannot_be_noted_is_not_requested(demo_programme, staff, monkeypatch):
    monkeypatch.setattr(audit, "record", refuse_to_write)

    with pytest.raises(RuntimeError):
        report_request(programme=demo_programme, month=NOVEMBER, requested_by=staff, send=False)

    assert not Report.objects.exists()


def test_a_report_whose_making_cannot_be_noted_is_not_stored_as_ready(demo_programme, monkeypatch):
    report = report_request(programme=demo_programme, month=NOVEMBER, send=False)
    monkeypatch.setattr(audit, "record", refuse_to_write)

    with contextlib.suppress(RuntimeError):  # the task fails: a later delivery makes the report
        report_generate(report_id=report.pk)

    report.refresh_from_db()
    assert report.state != Report.State.READY
    assert report.body is None


def test_the_sweep_resends_a_report_left_running_longer_than_any_live_run(demo_programme):
    report = report_request(programme=demo_programme, month=NOVEMBER, send=False)
    started = timezone.now() - STALE_RUNNING - STORED_TO - dt.timedelta(seconds=1)
    Report.objects.filter(pk=report.pk).update(state=Report.State.RUNNING, started_at=started)

    assert reports_resend_stuck() == 1
