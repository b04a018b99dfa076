"""The table of monthly counts: every way requests change moves them between its cells in
the same transaction, so that it always equals a count of the requests themselves;
reports and pages read it; its numbers never go below zero."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Count

from intake.cells import cells_apply
from intake.counts import CountRow, count_rows, data_version, open_count, status_counts
from intake.models import Cell, CountsOutOfStep, DataVersion, Entry, HelpRequest, MonthlyCount
from intake.months import add_months, format_month
from intake.services import RequestSpec, entry_undo, requests_import, requests_log
from reports.document import fingerprint
from reports.services import report_generate, report_request
from tests.conftest import THIS_MONTH, add_request, current_fingerprint

from .counting import assert_counts_match, table

# The months here depend on the current one: the clock is set for every test.
pytestmark = pytest.mark.usefixtures("this_month")
OCTOBER, NOVEMBER, DECEMBER = dt.date(2023, 10, 1), dt.date(2023, 11, 1), dt.date(2023, 12, 1)
HEADER = "month,programme,category,status,outcome,closed_month,count"


def cell(programme, month, category, status="new", outcome="", closed_month=None) -> Cell:
    return Cell(programme.pk, month, category, status, outcome, closed_month)


def log(client, month=THIS_MONTH, count=5, category="legal", **fields):
    data = {"programme": "help", "month": format_month(month), "category": category, "status": "new",
            "outcome": "", "closed_month": "", "count": count, **fields}
    response = client.post("/requests/counts/", data)
    assert response.status_code == 302, response.context["form"].errors
    return Entry.objects.latest("pk")


# --- every write keeps the table ------------------------------------------------------


def test_logging_a_count_adds_it_to_its_cell(coordinator_client, programme):
    log(coordinator_client, count=7)
    log(coordinator_client, count=3)
    log(coordinator_client, month=OCTOBER, count=2, status="closed", outcome="referred", closed_month="2023-11")

    assert table() == {
        cell(programme, THIS_MONTH, "legal"): 10,
        cell(programme, OCTOBER, "legal", "closed", "referred", NOVEMBER): 2,
    }
    assert_counts_match()


def test_logging_one_request_adds_one(coordinator_client, programme):
    response = coordinator_client.post("/requests/new/", {"programme": "help", "month": "2023-10", "category": "emigration"})

    assert response.status_code == 302
    assert table() == {cell(programme, OCTOBER, "emigration"): 1}


def test_starting_closing_and_reopening_move_one_request_between_cells(coordinator_client, programme):
    reference = add_request(programme=programme, month=OCTOBER, category="legal").reference

    coordinator_client.post(f"/requests/{reference}/start/", {"seen": "new"})
    assert table() == {cell(programme, OCTOBER, "legal", "in_progress"): 1}
    coordinator_client.post(f"/requests/{reference}/close/", {"seen": "in_progress", "outcome": "detained", "month": "2023-12"})
    assert table() == {cell(programme, OCTOBER, "legal", "closed", "detained", DECEMBER): 1}
    coordinator_client.post(f"/requests/{reference}/reopen/", {"seen": "closed"})
    assert table() == {cell(programme, OCTOBER, "legal", "in_progress"): 1}
    assert_counts_match()


def test_a_change_refused_changes_no_count(coordinator_client, programme):
    reference = add_request(programme=programme, month=OCTOBER, category="legal").reference
    before = table()

    # Seen as in progress, but it is new: someone else's change is not overwritten.
    coordinator_client.post(f"/requests/{reference}/close/", {"seen": "in_progress", "outcome": "detained", "month": "2023-12"})
    # Closed before it was received.
    coordinator_client.post(f"/requests/{reference}/close/", {"seen": "new", "outcome": "detained", "month": "2023-09"})

    assert table() == before
    assert_counts_match()


def test_moving_requests_moves_them_between_cells(coordinator_client, programme):
    log(coordinator_client, month=OCTOBER, count=6)
    move = {"programme": "help", "month": "2023-10", "category": "legal", "from_status": "new", "count": 4,
            "to_status": "closed", "outcome": "left_country", "closed_month": "2023-11"}
    assert coordinator_client.post("/requests/move/", move).status_code == 302
    assert coordinator_client.post("/requests/move/", {**move, "count": 1, "outcome": "referred"}).status_code == 302

    assert table() == {
        cell(programme, OCTOBER, "legal"): 1,
        cell(programme, OCTOBER, "legal", "closed", "left_country", NOVEMBER): 4,
        cell(programme, OCTOBER, "legal", "closed", "referred", NOVEMBER): 1,
    }
    # Closed requests of two outcomes, reopened together: each leaves its own cell.
    reopen = {**move, "from_status": "closed", "to_status": "in_progress", "outcome": "", "closed_month": "",
              "count": 5}
    assert coordinator_client.post("/requests/move/", reopen).status_code == 302

    assert table() == {cell(programme, OCTOBER, "legal"): 1, cell(programme, OCTOBER, "legal", "in_progress"): 5}
    assert_counts_match()


def test_a_move_of_more_requests_than_match_changes_no_count(coordinator_client, programme):
    log(coordinator_client, month=OCTOBER, count=2)
    before = table()

    response = coordinator_client.post("/requests/move/", {
        "programme": "help", "month": "2023-10", "category": "legal", "from_status": "new", "count": 3,
        "to_status": "in_progress", "outcome": "", "closed_month": ""})

    assert response.status_code == 400
    assert table() == before


def test_undoing_an_entry_takes_its_requests_off_the_cells_they_are_in_now(coordinator_client, programme):
    kept = log(coordinator_client, count=2)
    entry = log(coordinator_client, count=5)
    # Two of the entry's requests are closed meanwhile (with the two kept ones first in
    # line, the move of four takes both kept ones and two of the entry's).
    assert coordinator_client.post("/requests/move/", {
        "programme": "help", "month": format_month(THIS_MONTH), "category": "legal", "from_status": "new",
        "count": 4, "to_status": "closed", "outcome": "referred", "closed_month": format_month(THIS_MONTH),
    }).status_code == 302

    assert coordinator_client.post(f"/requests/entries/{entry.pk}/undo/").status_code == 302

    closed_cell = cell(programme, THIS_MONTH, "legal", "closed", "referred", THIS_MONTH)
    assert table() == {closed_cell: 2}
    assert HelpRequest.objects.filter(entry=kept).count() == 2
    assert_counts_match()


def test_a_cell_emptied_keeps_its_row_at_zero_and_is_never_read(coordinator_client, programme):
    entry = log(coordinator_client, count=3)

    entry_undo(entry=entry, actor=None)

    assert list(MonthlyCount.objects.values_list("requests", flat=True)) == [0]
    assert count_rows(programme=programme, until=THIS_MONTH) == []
    assert count_rows(programme=None, until=THIS_MONTH) == []


def test_importing_adds_every_row_to_its_cell(client_for, staff, programme, other_programme):
    data = "\n".join([
        HEADER,
        "2023-10,help,desertion,new,,,12",
        "2023-10,help,desertion,new,,,3",
        "2023-10,help,desertion,closed,left_country,2023-11,3",
        "2023-09,other,legal,in_progress,,,2",
    ]).encode()

    client = client_for(staff)
    preview = client.post("/requests/import/", {"file": SimpleUploadedFile("r.csv", data, "text/csv")})
    response = client.post("/requests/import/", {"preview": preview.context["key"]})

    assert response.status_code == 302
    assert table() == {
        cell(programme, OCTOBER, "desertion"): 15,
        cell(programme, OCTOBER, "desertion", "closed", "left_country", NOVEMBER): 3,
        cell(other_programme, dt.date(2023, 9, 1), "legal", "in_progress"): 2,
    }
    assert_counts_match()


def test_the_import_command_adds_to_the_counts_too(programme, tmp_path: Path):
    path = tmp_path / "r.csv"
    path.write_text(f"{HEADER}\n2023-10,help,other,new,,,4\n")

    call_command("import_requests", str(path), stdout=io.StringIO())

    assert table() == {cell(programme, OCTOBER, "other"): 4}


def test_a_failed_write_leaves_the_counts_as_they_were(programme, coordinator, monkeypatch):
    log_spec = RequestSpec(programme=programme, month=OCTOBER, category="legal")
    requests_log(spec=log_spec, count=2, author=coordinator)
    before = table()
    taken = HelpRequest.objects.first().reference
    monkeypatch.setattr("intake.services.new_references", lambda n: [taken] * n)

    with pytest.raises(IntegrityError):
        requests_log(spec=log_spec, count=3, author=coordinator)

    assert table() == before
    assert_counts_match()


# --- the table guards itself ------------------------------------------------------------


def test_a_cell_cannot_go_below_zero(programme):
    add_request(programme=programme, month=OCTOBER, category="legal")
    one = cell(programme, OCTOBER, "legal")

    with pytest.raises(IntegrityError), transaction.atomic():
        cells_apply({one: -2}, by=None)
    with pytest.raises(CountsOutOfStep), transaction.atomic():
        cells_apply({cell(programme, OCTOBER, "other"): -1}, by=None)

    assert table() == {one: 1}


def test_admin_has_no_page_that_changes_requests(client_for, administrator):
    from django.contrib import admin

    assert not admin.site.is_registered(HelpRequest)
    assert not admin.site.is_registered(MonthlyCount)
    assert client_for(administrator).get("/admin/intake/helprequest/").status_code == 404


# --- the data versions ------------------------------------------------------------------


def test_every_write_bumps_the_data_version_of_its_programme_and_month_only(coordinator_client, programme, other_programme):
    add_request(programme=other_programme, month=OCTOBER, category="legal")
    october, november = (data_version(programme=programme, until=month) for month in (OCTOBER, NOVEMBER))
    every = data_version(programme=None, until=NOVEMBER)

    log(coordinator_client, month=NOVEMBER, count=4)

    assert data_version(programme=programme, until=OCTOBER) == october  # a report of October is not affected
    assert data_version(programme=programme, until=NOVEMBER) > november
    assert data_version(programme=None, until=NOVEMBER) > every
    assert data_version(programme=other_programme, until=NOVEMBER) == 1


def test_data_versions_never_go_down(coordinator_client, programme):
    stamps = [data_version(programme=programme, until=THIS_MONTH)]
    entry = log(coordinator_client, count=3)
    stamps.append(data_version(programme=programme, until=THIS_MONTH))
    entry_undo(entry=entry, actor=None)
    stamps.append(data_version(programme=programme, until=THIS_MONTH))

    assert stamps == sorted(set(stamps))
    assert DataVersion.objects.filter(programme=programme, month=THIS_MONTH).exists()


# --- what reads the table ---------------------------------------------------------------


def test_home_page_numbers_come_from_the_table(coordinator_client, programme):
    log(coordinator_client, count=4)
    log(coordinator_client, month=add_months(THIS_MONTH, -1), count=2, status="in_progress")

    assert status_counts(programmes=[programme], months=[THIS_MONTH]) == {
        programme.pk: {THIS_MONTH: {"new": 4, "in_progress": 0, "closed": 0}}
    }
    assert open_count(programmes=[programme]) == 6


# The fingerprint docs/report-json.md shows for the demo November 2023 report.
DOCUMENTED_FINGERPRINT = "sha256:e818870f4c5b1ac4729f5487b97b10cab4f3a62df18974c930a03a47a9b6b97b"


def test_the_demo_november_report_has_the_fingerprint_it_had_from_a_count_of_the_requests(demo_programme):
    # What count_rows returned when it counted the requests themselves.
    keys = ("month", "category", "status", "outcome", "closed_month")
    grouped = HelpRequest.objects.filter(programme=demo_programme, month__lte=NOVEMBER).values_list(*keys)
    from_requests = [CountRow(*row) for row in grouped.annotate(n=Count("id")).order_by(*keys)]
    report = report_request(programme=demo_programme, month=NOVEMBER, send=False)
    report_generate(report_id=report.pk)
    report.refresh_from_db()

    assert count_rows(programme=demo_programme, until=NOVEMBER) == from_requests
    assert report.fingerprint == fingerprint(from_requests, first=demo_programme.first_month, until=NOVEMBER)
    assert report.fingerprint == current_fingerprint(report) == DOCUMENTED_FINGERPRINT


def test_an_import_into_over_a_thousand_cells_is_counted_on_every_database(programme):
    # 36 months × 8 outcomes × 4 months closed: 1,152 cells in one write (SQLite refuses
    # a condition nested more than 1,000 deep, so the cells are changed a few hundred at a time).
    specs = [
        RequestSpec(programme=programme, month=add_months(dt.date(2023, 4, 1), m), category="legal",
                    status="closed", outcome=outcome, closed_month=add_months(dt.date(2023, 4, 1), m + after))
        for m in range(36) for outcome in ("left_country", "safe_in_russia", "surrendered", "returned_to_unit",
                                           "detained", "referred", "lost_contact", "withdrew")
        for after in range(4)
    ]
    [entry] = requests_import([(spec, 1) for spec in specs], author=None)

    assert_counts_match()
    assert len(table()) == 1152 and entry.size == 1152


def test_logging_a_count_reads_the_month_locks_once(coordinator_client, programme, django_assert_max_num_queries):
    log(coordinator_client, count=1)  # the cell's row exists; sessions and permissions are warm

    # 27 on PostgreSQL, which takes the programme's write lock too (intake/locks.py).
    with django_assert_max_num_queries(27) as captured:
        log(coordinator_client, count=5)

    lock_reads = [q["sql"] for q in captured.captured_queries if 'FROM "intake_monthreview"' in q["sql"]]
    assert len(lock_reads) == 1, lock_reads
