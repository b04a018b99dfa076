"""Emergency purge (`manage.py purge`): what a seized database holds afterwards. A dump
of the whole database (pg_dump on PostgreSQL, iterdump on SQLite) has no reference, no
username of a deleted account and no time finer than a month outside the reports
table; every report states what it stated, and check_counts is clean."""

import datetime as dt
import io
import os
import random
import re
import statistics
import subprocess
import threading
import time

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, connections, models
from django.test import Client
from django.test.utils import isolate_apps
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import ApiToken, ApiUse
from api.tokens import token_issue
from intake import demo
from intake.models import AuditEvent, Entry, HelpRequest, MonthlyCount, MonthReview, MovedRequest, Programme, User
from intake.months import current_month, month_range
from intake.retention import PURGED, month_collapse
from intake.services import Move, RequestSpec, entry_undo, requests_log, requests_move
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
from tests.conftest import PASSWORD, THIS_MONTH, make_user

pytestmark = pytest.mark.usefixtures("this_month")
DELETED = ["kestrel-coord", "heron-staff", "plover-auditor", "osprey-other"]
KEPT = "root-keeper"
REPORTED_MONTHS = [dt.date(2023, 10, 1), dt.date(2023, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1),
                   dt.date(2026, 2, 1)]


def check_report(version):
    return version or 1


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    return f"{totp.token():06d}"


def log_in(client: Client, user: User) -> None:
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


def production_account(user: User) -> Client:
    """Give `user` what production gives every account (TWO_FACTOR_REQUIRED): an
    authenticator app set up through the site, with its ten backup codes, then a login
    with one of the codes, used up; returns the client, logged in and verified."""
    client = Client()
    log_in(client, user)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=user)
    page = client.post("/account/two-factor/", {"token": code_for(device)}).content.decode()
    codes = re.findall(r'<li class="col mb-2">(\w+)</li>', page)
    assert len(codes) == 10, page[:2000]
    client.post("/logout/")
    log_in(client, user)
    assert client.post("/account/verify/", {"token": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
    return client


def lock_out(user: User) -> None:
    """Five wrong passwords: the username is locked out from this address."""
    for _attempt in range(5):
        Client().post("/login/", {"username": user.username, "password": "not-the-password"})
    assert is_locked_out(user)


def is_locked_out(user: User) -> bool:
    return Client().post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 429


@pytest.fixture
def world(committed_db, demo_programme, settings):
    """Two programmes with requests, entries, moves, a collapsed month, reviews in every
    state with their reasons, reports of every scope over the years, the admin's change log;
    accounts made as production makes them (an authenticator app, backup codes, one of
    them used, a logged-in session), two of them locked out, API tokens used through the
    API; an administrator who is kept."""
    settings.TWO_FACTOR_REQUIRED = True
    other = Programme.objects.create(slug="other", name="Other", first_month=dt.date(2025, 6, 1))
    coord = make_user("kestrel-coord", "Coordinator", [demo_programme])
    staff = make_user("heron-staff", "Staff")
    auditor = make_user("plover-auditor", "Auditor")
    other_coord = make_user("osprey-other", "Coordinator", [other])
    admin = User.objects.create_superuser(KEPT, PASSWORD)
    clients = {user.username: production_account(user) for user in (coord, staff, auditor, other_coord, admin)}
    for month in month_range(dt.date(2025, 6, 1), dt.date(2026, 2, 1)):
        requests_log(spec=RequestSpec(programme=other, month=month, category="legal"), count=4, author=other_coord)
    requests_move(Move(programme=other, month=dt.date(2025, 12, 1), category="legal", from_status="new", count=3,
                       to_status="closed", outcome="referred", closed_month=dt.date(2026, 1, 1)), actor=other_coord)
    requests_log(spec=RequestSpec(programme=demo_programme, month=dt.date(2026, 2, 1), category="emigration"),
                 count=2, author=coord)
    # Reports of every scope: of its first month, of the months the reviews and moves
    # below concern, and of this month (not of every month between: the purge treats
    # them all alike, and each is made again to be compared afterwards).
    for scope in (demo_programme, other, None):
        first = dt.date(2023, 4, 1) if scope is None else scope.first_month
        for month in sorted({first, *REPORTED_MONTHS, current_month()}):
            if month >= first:
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
    # A partner's API tokens: one for the other programme, one for both, used this month.
    for programmes, partner in (([other], "osprey-desk"), ([other, demo_programme], "both-desk")):
        _token, text = token_issue(token=ApiToken(partner=partner, profile="public", expires_on=dt.date(2026, 12, 31)),
                                   programmes=programmes, actor=staff)
        assert Client().get("/api/v1/programmes", HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 200
    LogEntry.objects.create(user=admin, content_type=ContentType.objects.get_for_model(User),
                            object_id=str(coord.pk), object_repr=coord.username, action_flag=CHANGE,
                            change_message="[]")
    # Someone tried the passwords of a colleague who stays and of one whose account goes.
    lock_out(staff)
    lock_out(other_coord)
    assert ApiUse.objects.exists()
    assert StaticToken.objects.filter(device__user=coord).count() == 9  # one code used
    yield {"demo": demo_programme, "other": other, "admin": admin, "clients": clients}
    for alias in settings.CACHES:  # the lockouts, wherever they are kept, are not the next test's
        caches[alias].clear()


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
    # The accounts deleted took their authenticator apps and backup codes with them; the
    # administrator keeps his, and everyone was logged out.
    assert set(TOTPDevice.objects.values_list("user__username", flat=True)) == {KEPT}
    assert set(StaticDevice.objects.values_list("user__username", flat=True)) == {KEPT}
    assert StaticToken.objects.filter(device__user=world["admin"]).count() == 9
    assert re.search(r"^Logged out: everyone \(\d+ sessions?\)\.$", out, re.M), out
    assert world["clients"][KEPT].get("/").status_code == 302


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
    assert not TOTPDevice.objects.filter(user__username="osprey-other").exists()
    assert not StaticToken.objects.filter(device__user__username="osprey-other").exists()
    assert StaticToken.objects.filter(device__user__username="kestrel-coord").count() == 9


def test_a_purge_of_one_programme_logs_out_only_the_accounts_it_deletes_and_keeps_everyone_elses_lockout(world):
    clients = world["clients"]
    staff = User.objects.get(username="heron-staff")

    out = command("purge", "--confirm", "other")

    assert "Logged out: 1 session of the 1 account deleted; nobody else was logged out." in out
    response = clients["osprey-other"].get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    for username in ("kestrel-coord", "heron-staff", "plover-auditor", KEPT):
        assert clients[username].get("/").status_code == 200, username
    # Five wrong passwords for a colleague who stays are still counted: still locked out.
    assert is_locked_out(staff)


def test_purge_refuses_without_a_confirmation_that_names_what_to_purge(world):
    requests = HelpRequest.objects.count()

    with pytest.raises(CommandError, match=r"Refused: nothing was deleted.*--confirm all.*desertion-help, other"):
        command("purge")
    with pytest.raises(CommandError, match="No programme is called 'al'"):
        command("purge", "--confirm", "al")

    assert HelpRequest.objects.count() == requests
    assert User.objects.filter(username="kestrel-coord").exists()


def check() -> tuple[str, bool]:
    """What `purge --check` prints, and whether it passes (exit status 0)."""
    out = io.StringIO()
    try:
        call_command("purge", "--check", stdout=out)
    except CommandError:
        return out.getvalue(), False
    return out.getvalue(), True


def rows_named(out: str, table: str) -> int:
    """The rows `purge --check` counts in `table`, over every line that names it first."""
    return sum(int(n) for n in re.findall(rf"^\s*{table}\.\w+\b.*: (\d+)$", out, re.M))


# Every table that holds rows of the accounts in the world above (not the administrator's).
ACCOUNT_TABLES = ["otp_static_statictoken", "otp_static_staticdevice", "otp_totp_totpdevice", "intake_user_groups",
                  "intake_programme_members", "intake_auditevent", "intake_entry", "intake_monthreview"]


def test_purge_check_names_every_table_holding_rows_of_the_accounts_a_purge_deletes(world):
    out, passed = check()
    assert not passed
    assert {table: bool(rows_named(out, table)) for table in ACCOUNT_TABLES} == dict.fromkeys(ACCOUNT_TABLES, True)
    assert "intake.HelpRequest (requests and their references): " in out

    command("purge", "--confirm", "other")  # the accounts of the demo programme, and staff, stay

    out, passed = check()
    assert not passed
    assert rows_named(out, "otp_static_statictoken") == 3 * 9  # three accounts, one code of each used

    command("purge", "--confirm", "all")

    out, passed = check()
    assert passed, out
    assert "intake.HelpRequest (requests and their references): 0" in out
    assert {table: rows_named(out, table) for table in ACCOUNT_TABLES} == dict.fromkeys(ACCOUNT_TABLES, 0)
    assert "Nothing a purge deletes is left" in out


@pytest.fixture
def unknown_table(world):
    """A table the app does not know (made by hand, say), holding a row of an account."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE notes_by_hand (id integer PRIMARY KEY, "
                       "author_id bigint NOT NULL REFERENCES intake_user (id))")
        cursor.execute("INSERT INTO notes_by_hand VALUES (1, %s)", [User.objects.get(username="osprey-other").pk])
    yield "notes_by_hand"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE notes_by_hand")


def test_purge_check_names_a_table_it_was_never_told_of_and_the_purge_deletes_nothing_while_it_holds_rows(
        unknown_table):
    requests = HelpRequest.objects.count()

    out, passed = check()
    assert not passed
    assert rows_named(out, unknown_table) == 1
    with pytest.raises(CommandError, match=r"Nothing was deleted.*purge --check"):
        command("purge", "--confirm", "other")

    assert HelpRequest.objects.count() == requests
    assert User.objects.filter(username="osprey-other").exists()
    assert StaticToken.objects.filter(device__user__username="osprey-other").count() == 9


def test_every_model_of_the_registry_exists_and_the_registry_names_the_request_tables():
    labels = [label for label, _what, _rows in PURGED]
    assert all(apps.get_model(label) for label in labels)
    assert {"intake.HelpRequest", "intake.Entry", "intake.MovedRequest", "intake.AuditEvent", "sessions.Session",
            "admin.LogEntry"} <= set(labels)
    assert demo.SLUG == "desertion-help"


def test_every_model_that_links_rows_to_an_account_has_a_line_in_the_registry():
    from intake.retention import CLEARED, unhandled_account_links

    assert unhandled_account_links(apps.get_models(include_auto_created=True)) == []
    # ...and the cleared links name fields that exist.
    for link in CLEARED:
        label, name = link.rsplit(".", 1)
        assert apps.get_model(label)._meta.get_field(name).related_model is User, link


def test_a_model_added_with_a_link_to_accounts_and_no_line_in_the_registry_is_found():
    from intake.retention import unhandled_account_links

    with isolate_apps("intake"):
        def model(class_name, **fields):
            meta = type("Meta", (), {"app_label": "intake", "managed": False})
            return type(class_name, (models.Model,), {"__module__": __name__, "Meta": meta, **fields})

        account = model("Account")
        key = model("Key", owner=models.ForeignKey(account, models.CASCADE))
        use = model("KeyUse", key=models.ForeignKey(key, models.CASCADE))
        unrelated = model("Unrelated", label=models.CharField(max_length=10))

        found = unhandled_account_links([account, key, use, unrelated], account=account)

    assert found == ["intake.Key.owner", "intake.KeyUse.key"]


def test_the_registry_deletes_rows_before_the_rows_they_point_at():
    labels = [label for label, _what, _rows in PURGED]
    misplaced = [
        f"{label}.{field.name} -> {field.related_model._meta.label}"
        for position, label in enumerate(labels)
        for field in apps.get_model(label)._meta.concrete_fields
        if field.is_relation and field.related_model._meta.label in labels[:position]
    ]
    assert misplaced == []


# A one-programme purge racing the writers of the other programmes (PostgreSQL: SQLite
# runs one writer at a time). The purged programme has several thousand requests.
PURGED_REQUESTS = int(os.environ.get("PURGE_RACE_REQUESTS", "6000"))
WRITERS = 4


def write_until(stop: threading.Event, started: threading.Barrier, write, writes: list, failures: list) -> None:
    """Call `write` until told to stop, noting when each call began and ended; a write
    refused with a reason (ValidationError: nothing was written) counts as one."""
    try:
        started.wait(timeout=30)
        while not stop.is_set():
            begun = time.monotonic()
            try:
                write()
            except ValidationError:
                pass
            writes.append((begun, time.monotonic()))
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        failures.append(exc)
    finally:
        connections.close_all()


def purged_programme() -> Programme:
    """A programme of several thousand requests, logged and moved by its coordinator."""
    purged = Programme.objects.create(slug="purged", name="Purged", first_month=dt.date(2025, 1, 1))
    coordinator = make_user("purged-coord", "Coordinator", [purged])
    months = list(month_range(dt.date(2025, 1, 1), dt.date(2026, 2, 1)))
    for month in months:
        requests_log(spec=RequestSpec(programme=purged, month=month, category="legal"),
                     count=PURGED_REQUESTS // len(months), author=coordinator)
        requests_move(Move(programme=purged, month=month, category="legal", from_status="new", count=50,
                           to_status="in_progress"), actor=coordinator)
    return purged


def purge_while(writers: list) -> tuple[str, float, float, list[tuple[float, float]], list[BaseException]]:
    """Run `purge --confirm purged` while each of `writers` (a function that writes
    once) writes again and again in a thread of its own, from half a second before to
    half a second after; returns the purge's output, when it began and ended, each
    write's begin and end, and what the writers raised."""
    stop, started = threading.Event(), threading.Barrier(len(writers) + 1)
    writes: list[tuple[float, float]] = []
    failures: list[BaseException] = []
    threads = [threading.Thread(target=write_until, args=(stop, started, write, writes, failures))
               for write in writers]
    for thread in threads:
        thread.start()
    started.wait(timeout=30)
    time.sleep(0.5)  # the writers are at work
    begun = time.monotonic()
    try:
        out = command("purge", "--confirm", "purged")
    finally:
        ended = time.monotonic()
        time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    return out, begun, ended, writes, failures


def log_two(programme: Programme):
    return lambda: requests_log(spec=RequestSpec(programme=programme, month=THIS_MONTH, category="legal"), count=2,
                                author=None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time: nothing races")
def test_a_purge_of_one_programme_neither_deadlocks_nor_stops_the_writers_of_the_others(committed_db):
    purged = purged_programme()
    kept = Programme.objects.create(slug="kept", name="Kept", first_month=dt.date(2025, 1, 1))

    out, begun, ended, writes, failures = purge_while([log_two(kept)] * WRITERS)

    assert failures == []
    assert "Purged purged:" in out
    assert not HelpRequest.objects.filter(programme=purged).exists()
    assert HelpRequest.objects.filter(programme=kept).count() == 2 * len(writes)
    assert command("check_counts").startswith("Counts match")
    during = [end - start for start, end in writes if start < ended and end > begun]
    before = [end - start for start, end in writes if end <= begun]
    assert during, "no write of the other programme overlapped the purge"
    # A benchmark figure, not a condition: the longest a writer of the other programme waited.
    print(f"\npurge of {PURGED_REQUESTS} requests: {ended - begun:.2f} s; {len(during)} writes of the other "
          f"programme during it, the longest {max(during):.3f} s (median before it "
          f"{statistics.median(before or [0]):.3f} s)")


def work_on(programme: Programme, seed: int):
    """One write at a time into `programme`, at random: log, move, or undo what it logged."""
    rng, entries = random.Random(seed), []

    def write():
        action = rng.choice(["log", "log", "move", "undo"])
        if action == "undo" and entries:
            entry_undo(entry=entries.pop(), actor=None)
        elif action == "move":
            requests_move(Move(programme=programme, month=THIS_MONTH, category="legal", from_status="new",
                               count=rng.randint(1, 3), to_status="in_progress"), actor=None)
        else:
            entries.append(requests_log(spec=RequestSpec(programme=programme, month=THIS_MONTH, category="legal"),
                                        count=rng.randint(1, 3), author=None))
    return write


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time: nothing races")
def test_the_writers_of_the_programme_purged_wait_for_the_purge_and_the_counts_stay_exact(committed_db):
    purged = purged_programme()
    kept = Programme.objects.create(slug="kept", name="Kept", first_month=dt.date(2025, 1, 1))
    last_before = Entry.objects.latest("pk").pk

    out, _begun, _ended, writes, failures = purge_while([work_on(purged, seed) for seed in range(3)] + [log_two(kept)])

    assert failures == []
    assert "Purged purged:" in out and len(writes) > 10
    # What was there before is gone; what was written after the purge is counted.
    assert not Entry.objects.filter(programme=purged, pk__lte=last_before).exists()
    assert not HelpRequest.objects.filter(programme=purged).exclude(month=THIS_MONTH).exists()
    assert command("check_counts").startswith("Counts match")
