"""Issue 23, points 2, 4 and 5: a month is published when an auditor accepts it, once,
and every partner and public output serves what was stored then, byte for byte; a
correction is served only once an auditor accepts it; a failed publication publishes
nothing and says why; every withheld figure says why."""

import csv
import datetime as dt
import io
import json
import threading
import time
from collections import OrderedDict

import pytest
from django.core.management import execute_from_command_line
from django.db import connection, connections
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from api.models import ApiToken
from api.tokens import token_issue
from intake.models import MonthlyCount, Status
from reports import disclosure_publish
from reports import publication as publication_module
from reports.models import Publication, PublicationAttempt
from reports.publication import PublicationFailed, publish
from signoff.services import review_accept, review_grant_unlock, review_request_unlock, review_submit
from tests.conftest import add_request, add_requests, make_user, text_of
from tests.reports.accepting import accept_month, make_report

NOVEMBER = dt.date(2023, 11, 1)
SMALL = {dt.date(2023, 10, 1): 40, NOVEMBER: 23}


@pytest.fixture
def people(db):
    return {"staff": make_user("staff-p", "Staff"), "auditor": make_user("auditor-p", "Auditor")}


def fill(programme, counts=SMALL):
    """Requests of a small programme: all desertion, and 3 of November's legal help."""
    for month, count in counts.items():
        legal = min(count, 3)
        add_requests(legal, programme=programme, month=month, category="legal")
        add_requests(count - legal, programme=programme, month=month, category="desertion")


def bearer_for(profile, programmes, staff) -> dict:
    _token, text = token_issue(token=ApiToken(profile=profile, partner="Newsroom", expires_on=dt.date(2099, 1, 1)),
                               programmes=list(programmes), actor=staff)
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


def submit_and_accept(programme, month, people, auditor=None):
    """Submit and accept through the services only, as the review page does: the
    publication is left to whoever runs it (the worker, the command)."""
    review_submit(programme=programme, month=month, actor=people["staff"])
    review_accept(programme=programme, month=month, actor=auditor or people["auditor"])


# --- at acceptance, through a real worker ---------------------------------------------


def test_accepting_a_month_has_the_worker_publish_it_and_the_review_page_says_so(
        celery_worker, programme, client_for):
    people = {"staff": make_user("staff-w", "Staff"), "auditor": make_user("auditor-w", "Auditor")}
    fill(programme)
    make_report(programme, NOVEMBER)
    submit_and_accept(programme, NOVEMBER, people)

    deadline = time.monotonic() + 60
    attempt = PublicationAttempt.objects.get(programme=programme, month=NOVEMBER)
    while attempt.state in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
        attempt.refresh_from_db()
    assert attempt.state == "published", attempt.failure
    # The programme, and all programmes (it is the only one), in both profiles.
    assert {(p.programme_id, p.profile) for p in Publication.objects.all()} == {
        (programme.pk, "partner"), (programme.pk, "public"), (None, "partner"), (None, "public")}
    page = text_of(client_for(people["auditor"]).get(f"/review/{programme.slug}/2023-11/"))
    assert "Publication: Published" in page
    assert "Version 1 is published" in page


# --- outputs serve the stored publication ----------------------------------------------


@pytest.fixture
def published_small(programme, people):
    fill(programme)
    report = make_report(programme, NOVEMBER)
    accept_month(programme, NOVEMBER, **people)
    return report


def test_every_output_serves_the_stored_bytes_even_after_the_counts_change(published_small, programme, people,
                                                                          client_for):
    client = client_for(people["staff"])
    base = f"/reports/{programme.slug}/2023-11/v1"
    stored = Publication.objects.get(programme=programme, profile="public")
    api = bearer_for("public", [programme], people["staff"])

    def outputs():
        return {
            "json": client.get(f"{base}.json?profile=public").content,
            "csv": client.get(f"{base}.csv?profile=public").content,
            "page": text_of(client.get(f"{base}/?profile=public")),
            "print": text_of(client.get(f"{base}/print/?profile=public")),
            "api": client.get(f"/api/v1/reports/{programme.slug}/2023-11", **api).json(),
        }

    before = outputs()
    assert before["json"] == stored.text("json", "en").encode()
    assert before["csv"] == stored.text("csv", "en").encode()
    # October's 40 as November's previous month. (November's 23 itself is withheld by the
    # audit: beside its 3 legal requests, at the lowest value the rest allows, it would pin them.)
    assert json.loads(before["json"])["requests"]["previous_month"] == 40

    # The counts change under the stored publication (not through the app).
    MonthlyCount.objects.filter(programme=programme).update(requests=F("requests") + 50)

    assert outputs() == before


def test_a_page_export_or_api_answer_reads_the_stored_row_in_a_few_queries_never_the_basis(
        published_small, programme, people, client_for, django_assert_max_num_queries):
    client = client_for(people["staff"])
    api = bearer_for("partner", [programme], people["staff"])
    base = f"/reports/{programme.slug}/2023-11/v1"
    # The session, the account and its permissions (six), then the stored row and what
    # the page says beside it: as many whatever the number of months. The API reads the
    # row's fingerprint first (a matching If-None-Match needs no more), then its document.
    # Pages show the document only, never the published files (six times its size).
    for path, headers, most, files in [
        (f"{base}.json?profile=public", {}, 13, True), (f"{base}.csv?profile=partner", {}, 13, True),
        (f"{base}/?profile=public", {}, 16, False), (f"{base}/print/?profile=partner", {}, 18, False),
        (f"/api/v1/reports/{programme.slug}/latest", api, 14, False),
    ]:
        with django_assert_max_num_queries(most), CaptureQueriesContext(connection) as queries:
            assert client.get(path, **headers).status_code == 200, path
        assert not [q["sql"] for q in queries if '"basis"' in q["sql"]], path
        read_files = [q["sql"] for q in queries if '"reports_publication"."files"' in q["sql"]]
        assert bool(read_files) == files, path


# --- corrections ---------------------------------------------------------------------


def test_a_correction_is_served_only_once_an_auditor_accepts_its_version(published_small, programme, people,
                                                                          client_for):
    api = bearer_for("public", [programme], people["staff"])
    latest = f"/api/v1/reports/{programme.slug}/latest"
    second_auditor = make_user("auditor-q", "Auditor")
    review_request_unlock(programme=programme, month=NOVEMBER, reason="correction", actor=people["staff"])
    review_grant_unlock(programme=programme, month=NOVEMBER, actor=people["auditor"])
    add_request(programme=programme, month=NOVEMBER, category="surrender", status=Status.CLOSED,
                outcome="surrendered", closed_month=NOVEMBER)
    make_report(programme, NOVEMBER)

    client = client_for(people["staff"])
    assert client.get(latest, **api).json()["version"] == 1
    assert client.get(f"/reports/{programme.slug}/2023-11/v2.json?profile=public").status_code == 409
    page = text_of(client_for(second_auditor).get(f"/review/{programme.slug}/2023-11/"))
    assert "Version 2 waits for an auditor’s acceptance: until then, partner and public outputs serve version 1." \
        in page

    review_submit(programme=programme, month=NOVEMBER, actor=people["staff"], version=2)
    assert client_for(people["staff"]).get(latest, **api).json()["version"] == 1  # submitted, not accepted
    review_accept(programme=programme, month=NOVEMBER, actor=second_auditor)
    publish(programme, NOVEMBER)

    answer = client_for(people["staff"]).get(latest, **api).json()
    assert answer["version"] == 2
    # Version 1 said 0 surrendered: "<10" now would say exactly the one the correction closed.
    assert answer["outcomes_closed_in_month"]["surrendered"] == "[c]"
    assert answer["withheld"]["outcomes_closed_in_month.surrendered"] == "audit"
    # Both versions stay stored: the first was seen, and a later audit must know it.
    assert list(Publication.objects.filter(programme=programme, profile="public").order_by("pk")
                .values_list("version", flat=True)) == [1, 2]


# --- the command ---------------------------------------------------------------------


def run_publish(*args, capsys, monkeypatch) -> tuple[int, str]:
    """manage.py publish ARGS as the shell runs it: its exit code and what it said.
    (Its connections are kept open: they hold the test's transaction.)"""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    try:
        execute_from_command_line(["manage.py", "publish", *args])
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    out = capsys.readouterr()
    return code, out.out + out.err


def test_manage_publish_exits_1_with_the_reason_and_0_once_published(programme, other_programme, people, capsys,
                                                                   monkeypatch):
    fill(programme)
    make_report(programme, NOVEMBER)

    code, said = run_publish("--programme", "help", "2023-11", capsys=capsys, monkeypatch=monkeypatch)
    assert code == 1 and "November 2023 of Help is not accepted yet" in said

    submit_and_accept(programme, NOVEMBER, people)  # its publication left to the command
    assert not Publication.objects.exists()
    code, said = run_publish("--programme", "help", "2023-11", capsys=capsys, monkeypatch=monkeypatch)
    assert code == 0 and "Published help 2023-11 v1 public" in said
    assert Publication.objects.filter(programme=programme).count() == 2

    # All programmes wait for the other programme's November.
    code, said = run_publish("--all-programmes", "2023-11", capsys=capsys, monkeypatch=monkeypatch)
    assert code == 1 and "of Other is not accepted yet" in said
    assert not Publication.objects.filter(programme__isnull=True).exists()


# --- failures publish nothing, and say why --------------------------------------------


def _audit_raises(monkeypatch):
    def timed_out(candidates, earlier):
        raise TimeoutError("the linear programs took too long")

    monkeypatch.setattr(publication_module, "_audited", timed_out)


def _audit_out_of_time(monkeypatch):
    monkeypatch.setattr(disclosure_publish, "MEMO", OrderedDict())  # not an answer kept from another test
    monkeypatch.setattr(disclosure_publish, "AUDIT_SECONDS", 0.0)


@pytest.mark.parametrize("failing, error", [(_audit_raises, "TimeoutError"), (_audit_out_of_time, "AuditTimeout")],
                         ids=["fails", "out-of-time"])
def test_an_audit_that_fails_or_times_out_publishes_nothing_and_the_review_page_says_why(
        programme, people, client_for, monkeypatch, failing, error):
    fill(programme)
    make_report(programme, NOVEMBER)
    submit_and_accept(programme, NOVEMBER, people)
    failing(monkeypatch)

    with pytest.raises(PublicationFailed):
        publish(programme, NOVEMBER)

    assert not Publication.objects.exists()
    page = text_of(client_for(people["auditor"]).get(f"/review/{programme.slug}/2023-11/"))
    assert "Publication: Failed" in page
    assert f"Not published: The audit of the figures failed ({error}): nothing was published." in page
    refused = client_for(people["staff"]).get(f"/reports/{programme.slug}/2023-11/v1.json?profile=public")
    assert refused.status_code == 409
    assert "The audit of the figures failed" in refused.json()["error"]


def test_a_failure_while_storing_leaves_nothing_half_published(programme, people, monkeypatch):
    fill(programme)
    make_report(programme, NOVEMBER)
    submit_and_accept(programme, NOVEMBER, people)
    saved = []
    real_save = Publication.save

    def save_then_fail(self, *args, **kwargs):
        if saved:
            raise RuntimeError("disk full")
        saved.append(self)
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(Publication, "save", save_then_fail)
    with pytest.raises(PublicationFailed):
        publish(programme, NOVEMBER)

    assert saved and not Publication.objects.exists()
    attempt = PublicationAttempt.objects.get(programme=programme)
    assert attempt.state == "failed"
    assert attempt.failure.startswith("The publication failed (RuntimeError): nothing was published.")


# --- two at once ---------------------------------------------------------------------


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite lets one writer in at a time anyway")
def test_two_publications_of_the_same_month_at_once_store_one_per_scope_profile_and_version(
        committed_db, programme):
    people = {"staff": make_user("staff-c", "Staff"), "auditor": make_user("auditor-c", "Auditor")}
    fill(programme)
    make_report(programme, NOVEMBER)
    submit_and_accept(programme, NOVEMBER, people)
    start = threading.Barrier(2)
    results = {}

    def run(name):
        try:
            start.wait(timeout=10)
            results[name] = publish(programme, NOVEMBER)
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            results[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(result, list) for result in results.values()), results
    rows = list(Publication.objects.values_list("programme_id", "profile", "version"))
    assert len(rows) == len(set(rows)) == 4
    assert {p.pk for p in results["a"]} == {p.pk for p in results["b"]}


# --- reasons -------------------------------------------------------------------------


def test_every_withheld_figure_says_why_in_the_json_the_csv_and_the_api_in_the_readers_language(
        published_small, programme, people, client_for):
    client = client_for(people["staff"])
    base = f"/reports/{programme.slug}/2023-11/v1"
    document = client.get(f"{base}.json?profile=public").json()
    assert document["by_category"]["legal"] == "<10"
    assert document["withheld"]["by_category.legal"] == "small"
    assert document["reasons"]["small"].startswith("Between 1 and 9 requests")

    rows = list(csv.reader(io.StringIO(client.get(f"{base}.csv?profile=public").content.decode())))
    assert rows[0][-1] == "why withheld"
    legal = next(row for row in rows if row[4] == "by_category.legal")
    assert legal[3] == "<10" and legal[5].startswith("Between 1 and 9 requests")

    russian = client.get(f"{base}.json?profile=public", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert russian["reasons"]["small"].startswith("От 1 до 9 обращений")
    assert russian["fingerprint"] == document["fingerprint"]

    api = bearer_for("public", [programme], people["staff"])
    answer = client.get(f"/api/v1/reports/{programme.slug}/2023-11", HTTP_ACCEPT_LANGUAGE="ru", **api).json()
    assert answer["withheld"]["by_category.legal"] == "small"
    assert answer["reasons"]["small"].startswith("От 1 до 9 обращений")


def test_all_programmes_published_with_the_first_programme_brings_the_others_own_figures_with_it(
        programme, other_programme, people):
    # An auditor accepts both programmes' November before the worker publishes either:
    # the first publication completes all programmes, and carries each programme's own
    # document of the month too, so that the sum is never out before its parts.
    for each in (programme, other_programme):
        fill(each)
        make_report(each, NOVEMBER)
        submit_and_accept(each, NOVEMBER, people)
    make_report(None, NOVEMBER)

    publish(programme, NOVEMBER)
    scopes = list(Publication.objects.order_by("pk").values_list("programme__slug", flat=True).distinct())
    publish(other_programme, NOVEMBER)  # finds its documents published, and publishes nothing twice

    assert scopes[-1] is None and set(scopes) == {"help", "other", None}
    assert Publication.objects.count() == 6  # 3 scopes x partner and public
