"""The migrations of month-only time (issue 17) cut the times already stored and keep
everything else: reports lose only who asked and their seconds."""

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("intake", "0018_accounts_keep_no_last_login"), ("reports", "0006_report_basis"),
          ("admin", "0003_logentry_add_action_flag_choices"), ("otp_totp", "0003_add_timestamps")]
MOMENT = dt.datetime(2026, 3, 17, 14, 37, 52, 123456, tzinfo=dt.UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_existing_rows_are_cut_to_the_month_or_the_minute_and_reports_are_kept(committed_db):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(BEFORE)
    user = old.get_model("intake", "User").objects.create(username="staff-a", password="!")
    programme = old.get_model("intake", "Programme").objects.create(slug="p", name="P", first_month=dt.date(2023, 4, 1))
    report = old.get_model("reports", "Report").objects.create(
        programme=programme, month=dt.date(2023, 11, 1), version=1, state="ready", figures={"a": 1},
        fingerprint="sha256:x", requested_by=user, started_at=MOMENT, finished_at=MOMENT)
    old.get_model("reports", "Report").objects.filter(pk=report.pk).update(created_at=MOMENT)
    old.get_model("admin", "LogEntry").objects.create(
        user_id=user.pk, action_time=MOMENT, object_repr="P", action_flag=2, change_message="[]")
    old.get_model("otp_totp", "TOTPDevice").objects.create(
        user_id=user.pk, name="app", key="00" * 20, last_t=59_000_000, throttling_failure_count=2,
        throttling_failure_timestamp=MOMENT, last_used_at=MOMENT)

    new = migrate(latest)

    kept = new.get_model("reports", "Report").objects.get()
    assert (kept.body, kept.fingerprint, kept.state, kept.version) == ({"a": 1}, "sha256:x", "ready", 1)
    assert kept.created_at == kept.started_at == kept.finished_at == dt.datetime(2026, 3, 17, 14, 37, tzinfo=dt.UTC)
    march = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)  # the tests' time zone is UTC
    assert new.get_model("admin", "LogEntry").objects.get().action_time == march
    device = new.get_model("otp_totp", "TOTPDevice").objects.get()
    assert (device.last_used_at, device.last_t, device.throttling_failure_count,
            device.throttling_failure_timestamp) == (march, -1, 0, None)
    assert device.created_at.day == 1 and device.created_at.hour == 0
