"""Emergency purge (`manage.py purge`): what a seized database holds afterwards. A dump
of the whole database (pg_dump on PostgreSQL, iterdump on SQLite) has no reference, no
username of a deleted account and no time finer than a month outside the reports
table; every report states what it stated, and check_counts is clean."""

import datetime as dt
import io
import os
import re
import subprocess

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import ApiToken, ApiUse
from api.tokens import token_issue
from intake import demo
from intake.models import AuditEvent, Entry, HelpRequest, MonthlyCount, MonthReview, MovedRequest, Programme, User
from intake.months import current_month, month_range
from intake.retention import PURGED, month_collapse
from intake.services import Move, RequestSpec, requests_log, requests_move
from reports.models import Report
from reports.services import report_compute, report_generate, report_request
from reports.verification import report_check_data
from signoff.services import (
    review_accept,
    review_grant_unlock,
    review_request_unlock,
    review_return,
    review_submit,
)
from tests.conftest import log_in, make_user

pytestmark = pytest.mark.usefixtures("this_month")
DELETED = ["kestrel-coord", "heron-staff", "plover-auditor", "osprey-other"]
KEPT = "root-keeper"


def check_report(version):
    return version or 1


@pytest.fixture
def world(committed_db, demo_programme):
    """Two programmes with requests, entries, moves, a collapsed month, reviews in every
    state with their reasons, reports of every scope and month, sessions, second
    factors and the admin's change log; an administrator who is kept."""
    other = Programme.objects.create(slug="other", name="Other", first_month=dt.date(2025, 6, 1))
    coord = make_user("kestrel-coord", "Coordinator", [demo_programme])
    staff = make_user("heron-staff", "Staff")
    auditor = make_user("plover-auditor", "Auditor")
    other_coord = make_user("osprey-other", "Coordinator", [other])
    admin = User.objects.create_superuser(KEPT, "a-long-test-password")
    for month in month_range(dt.date(2025, 6, 1), dt.date(2026, 2, 1)):
        requests_log(spec=RequestSpec(programme=other, month=month, category="legal"), count=4, author=other_coord)
    requests_move(Move(programme=other, month=dt.date(2025, 12, 1), category="legal", from_status="new", count=3,
                       to_status="closed", outcome="referred", closed_month=dt.date(2026, 1, 1)), actor=other_coord)
    requests_log(spec=RequestSpec(programme=demo_programme, month=dt.date(2026, 2, 1), category="emigration"),
                 count=2, author=coord)
    for scope in (demo_programme, other, None):
        for month in month_range(dt.date(2023, 4, 1) if scope is None else scope.first_month, current_month()):
            report_generate(report_id=report_request(programme=scope, month=month, send=False).pk)
    report_generate(report_id=report_request(programme=None, month=dt.date(2023, 11, 1), requested_by=staff,
                                             send=False).pk)
    # Reviews: accepted (and collapsed), unlocked, returned, submitted.
    for month in (dt.date(2023, 10, 1), dt.date(2023, 11, 1)):
        review_submit(programme=demo_programme, month=month, actor=staff, check_report=check_report)
        review_accept(programme=demo_programme, month=month, actor=auditor, check_report=check_report)
    month_collapse(programme=demo_programme, month=dt.date(2023, 10, 1), actor=staff)
    review_request_unlock(programme=demo_programme, month=dt.date(2023, 11, 1), reason="late_data", actor=staff)
    review_grant_unlock(programme=demo_programme, month=dt.date(2023, 11, 1), actor=auditor)
    review_submit(programme=other, month=dt.date(2026, 1, 1), actor=staff, check_report=check_report)
    review_return(programme=other, month=dt.date(2026, 1, 1), reason="duplicates", actor=auditor)
    review_submit(programme=other, month=dt.date(2026, 2, 1), actor=staff, check_report=check_report)
    # People at work: sessions, second factors, the admin's change log.
    for user in (coord, staff, other_coord, admin):
        log_in(Client(), user)
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    # A mistyped password: counted, with the moment its count ends, among the security counters.
    assert Client().post("/login/", {"username": staff.username, "password": "mistyped"}).status_code == 200
    # A partner's API tokens: one for the other programme, one for both, used this month.
    for programmes, partner in (([other], "osprey-desk"), ([other, demo_programme], "both-desk")):
        token, _text = token_issue(token=ApiToken(partner=partner, profile="public", expires_on=dt.date(2026, 12, 31)),
                                   programmes=programmes, actor=staff)
        ApiUse.objects.count_one(token, current_month())
    LogEntry.objects.create(user=admin, content_type=ContentType.objects.get_for_model(User),
                            object_id=str(coord.pk), object_repr=coord.username, action_flag=CHANGE,
                            change_message="[]")
    return {"demo": demo_programme, "other": other, "admin": admin}


def snapshot() -> dict:
    return {report.pk: (report.body, report.fingerprint, report.basis)
            for report in Report.objects.filter(state=Report.State.READY)}


def assert_reports_unchanged(before: dict) -> None:
    reports = list(Report.objects.select_related("programme").filter(state=Report.State.READY))
    assert {report.pk for report in reports} == set(before)
    for report in reports:
        assert (report.body, report.fingerprint, report.basis) == before[report.pk]
        document, basis = report_compute(report=report)
        assert (document, basis) == (report.body, report.basis), report
        assert report_check_data(report=report).unchanged, report


def command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def dump() -> list[tuple[str, str]]:
    """The whole database as (table, line of the dump) pairs: what a seized copy holds."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        env = {**os.environ, "PGTZ": "UTC", "PGPASSWORD": db["PASSWORD"] or ""}
        text = subprocess.run(
            ["pg_dump", "--no-owner", "-h", db["HOST"], "-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]],
            env=env, capture_output=True, text=True, check=True).stdout
        lines, table = [], ""
        for line in text.splitlines():
            if line.startswith("COPY "):
                table = line.split()[1].split(".")[-1]
            elif line == "\\.":
                table = ""
            lines.append((table, line))
        return lines
    return [(re.match(r'INSERT INTO "(\w+)"', line)[1] if line.startswith("INSERT INTO") else "", line)
            for line in connection.connection.iterdump()]


TIME = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?)?")


def finer_than_a_month(lines) -> list[str]:
    """Dates not on the first of a month, and times not at its midnight, outside the reports table."""
    found = []
    for table, line in lines:
        if table == Report._meta.db_table:
            continue
        for match in TIME.finditer(line):
            day, rest = match.group(3), match.groups()[3:]
            if day != "01" or (rest[0] is not None and rest != ("00", "00", "00")):
                found.append(f"{table}: {match.group(0)}")
    return found


def test_a_purge_of_all_leaves_no_reference_no_deleted_username_and_no_time_finer_than_a_month(world):
    references = list(HelpRequest.objects.values_list("reference", flat=True))
    before = snapshot()
    counts = list(MonthlyCount.objects.order_by("pk").values_list("pk", "requests"))
    assert len(references) > 500
    text = "\n".join(line for _table, line in dump())
    assert references[0] in text and "kestrel-coord" in text  # the dump sees the data

    out = command("purge", "--confirm", "all")

    assert "Purged all programmes:" in out and "intake.HelpRequest: " in out
    lines = dump()
    text = "\n".join(line for _table, line in lines)
    assert [reference for reference in references if reference in text] == []
    assert [name for name in DELETED + ["coordinator"] if re.search(rf"\b{name}\b", text)] == []
    assert KEPT in text
    assert_reports_unchanged(before)
    assert list(MonthlyCount.objects.order_by("pk").values_list("pk", "requests")) == counts
    assert command("check_counts").startswith("Counts match: 0 cells (")
    assert list(User.objects.values_list("username", flat=True)) == [KEPT]
    for model in (HelpRequest, Entry, MovedRequest, AuditEvent, Session, LogEntry, ApiToken, ApiUse):
        assert not model.objects.exists(), model
    assert "osprey-desk" not in text
    assert not MonthReview.objects.exclude(return_reason="", unlock_reason="", unlocked_until=None).exists()
    assert finer_than_a_month(lines) == []


def test_a_purge_of_one_programme_keeps_the_others(world):
    demo_requests = HelpRequest.objects.filter(programme=world["demo"]).count()
    other_references = list(HelpRequest.objects.filter(programme=world["other"]).values_list("reference", flat=True))
    before = snapshot()

    command("purge", "--confirm", "other")

    assert not HelpRequest.objects.filter(reference__in=other_references).exists()
    assert HelpRequest.objects.filter(programme=world["demo"]).count() == demo_requests
    assert not Entry.objects.filter(programme=world["other"]).exists()
    assert Entry.objects.filter(programme=world["demo"]).exists()
    assert not User.objects.filter(username="osprey-other").exists()
    assert not ApiToken.objects.exists() and not ApiUse.objects.exists()  # both covered the programme
    assert set(User.objects.values_list("username", flat=True)) >= {"kestrel-coord", "heron-staff", KEPT}
    assert not AuditEvent.objects.filter(subject__startswith="other ").exists()
    assert AuditEvent.objects.filter(subject__startswith="desertion-help ").exists()
    assert_reports_unchanged(before)
    assert command("check_counts").startswith("Counts match")


def test_purge_refuses_without_a_confirmation_that_names_what_to_purge(world):
    requests = HelpRequest.objects.count()

    with pytest.raises(CommandError, match=r"Refused: nothing was deleted.*--confirm all.*desertion-help, other"):
        command("purge")
    with pytest.raises(CommandError, match="No programme is called 'al'"):
        command("purge", "--confirm", "al")

    assert HelpRequest.objects.count() == requests
    assert User.objects.filter(username="kestrel-coord").exists()


def test_purge_check_lists_what_is_left_and_passes_only_after_a_purge(world):
    with pytest.raises(CommandError, match="a purge of all would delete are in the database"):
        command("purge", "--check")

    command("purge", "--confirm", "all")

    out = command("purge", "--check")
    assert "intake.HelpRequest (requests and their references): 0" in out
    assert "Nothing a purge deletes is left" in out


def test_every_model_of_the_registry_exists_and_the_registry_names_the_request_tables():
    from django.apps import apps

    labels = [label for label, _what, _rows in PURGED]
    assert all(apps.get_model(label) for label in labels)
    assert {"intake.HelpRequest", "intake.Entry", "intake.MovedRequest", "intake.AuditEvent", "sessions.Session",
            "admin.LogEntry"} <= set(labels)
    assert demo.SLUG == "desertion-help"
