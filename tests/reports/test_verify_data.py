"""Verification for auditors, first half: every report page shows its full fingerprint,
and "Verify" recomputes it from the data as it stands and says what changed since the
report was made: which months and categories, by how much."""

import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from intake.cells import cells_apply
from intake.models import AuditEvent, Category, HelpRequest, Status
from intake.services import request_move, requests_add
from reports.audit_actions import ReportAction
from reports.document import fingerprint_of
from reports.models import Report
from tests.conftest import table_rows as shared_table_rows
from tests.conftest import text_of

PAGE = "/reports/desertion-help/2023-11/v1/"
VERIFY = "/reports/desertion-help/2023-11/v1/verify/"
NOVEMBER = dt.date(2023, 11, 1)
DEMO_FINGERPRINT = "sha256:e818870f4c5b1ac4729f5487b97b10cab4f3a62df18974c930a03a47a9b6b97b"


def table_rows(response) -> list[list[str]]:
    return shared_table_rows(response, "data-changes")


def add(programme, month: dt.date, category: str, n: int) -> None:
    requests_add(HelpRequest(programme=programme, month=month, category=category) for _ in range(n))


def remove_one(month: dt.date) -> None:
    """One request of `month` removed, and counted out, as every write of requests does."""
    with transaction.atomic():
        gone = HelpRequest.objects.filter(month=month)[:1].get()
        gone.delete()
        cells_apply({gone.cell: -1}, by=None)


def test_a_report_keeps_the_counts_its_fingerprint_was_computed_from(november_report):
    basis = november_report.basis

    assert fingerprint_of(basis) == november_report.fingerprint == DEMO_FINGERPRINT
    assert (basis["first"], basis["until"]) == ("2023-04", "2023-11")
    # Grouped counts only: month, category, status, outcome, month closed, how many.
    assert all(len(row) == 6 and isinstance(row[5], int) for row in basis["rows"])
    assert sum(row[5] for row in basis["rows"]) == 1017
    assert "basis" not in november_report.document  # not part of the report's JSON


@pytest.mark.parametrize("persona", ["staff", "auditor"])
def test_the_report_page_shows_the_full_fingerprint_to_copy_and_a_verify_action(
    request, november_report, client_for, persona
):
    response = client_for(request.getfixturevalue(persona)).get(PAGE)

    html = response.content.decode()
    assert re.search(rf'<code[^>]*class="[^"]*fingerprint[^"]*"[^>]*>{DEMO_FINGERPRINT}</code>', html)
    assert re.search(r'<button[^>]*data-copy="report-fingerprint"', html)
    assert "reports/copy.js" in html
    assert f'href="{VERIFY}"' in html


def test_verify_says_the_data_is_unchanged_with_the_full_fingerprint(november_report, auditor, client_for):
    response = client_for(auditor).get(VERIFY)

    assert response.status_code == 200
    assert f"The data under this report is unchanged (fingerprint {DEMO_FINGERPRINT})." in text_of(response)
    assert "data-changes" not in response.content.decode()


def test_verify_names_the_months_and_categories_that_changed_and_by_how_much(
    november_report, demo_programme, auditor, client_for
):
    add(demo_programme, dt.date(2023, 6, 1), Category.DESERTION, 3)
    add(demo_programme, dt.date(2023, 7, 1), Category.LEGAL, 2)
    remove_one(dt.date(2023, 5, 1))
    add(demo_programme, dt.date(2023, 12, 1), Category.LEGAL, 4)  # after the report month: not under it

    response = client_for(auditor).get(VERIFY)

    text = text_of(response)
    assert "The data under this report has changed since it was made" in text
    assert DEMO_FINGERPRINT in text
    rows = table_rows(response)
    assert [(month, before, now, difference) for month, _category, before, now, difference in rows] == [
        ("2023-05", "74", "73", "−1"),
        ("2023-06", "54", "57", "+3"),
        ("2023-07", "0", "2", "+2"),
    ]
    categories = [category for _month, category, *_counts in rows]
    assert categories[0].startswith("Desertion (leave a unit)") and categories[1].startswith("Desertion (leave")
    assert categories[2] == "Legal consultation New: 0 → 2"


def test_verify_shows_a_change_of_status_that_leaves_the_totals_as_they_were(
    november_report, demo_programme, auditor, client_for
):
    request = HelpRequest.objects.filter(month=NOVEMBER, status=Status.NEW).first()
    request_move(request, Status.CLOSED, outcome="left_country", closed_month=NOVEMBER)

    response = client_for(auditor).get(VERIFY)

    [row] = table_rows(response)
    month, category, before, now, difference = row
    assert (month, before, now, difference) == ("2023-11", "175", "175", "0")
    assert category.startswith("Desertion (leave a unit)")
    assert "New: 70 → 69" in category
    assert "Closed, left the country, 2023-11: 0 → 1" in category


def test_verify_of_a_report_made_before_reports_kept_their_counts_says_only_whether_it_changed(
    november_report, demo_programme, auditor, client_for
):
    Report.objects.filter(pk=november_report.pk).update(basis=None)
    client = client_for(auditor)
    assert "is unchanged" in text_of(client.get(VERIFY))

    add(demo_programme, dt.date(2023, 6, 1), Category.DESERTION, 1)
    response = client.get(VERIFY)

    text = text_of(response)
    assert "The data under this report has changed since it was made" in text
    assert "made before the app kept the counts" in text
    assert "data-changes" not in response.content.decode()


def test_verify_notes_who_verified_in_the_audit_log(november_report, auditor, client_for):
    client_for(auditor).get(VERIFY)

    assert AuditEvent.objects.filter(
        actor=auditor, action=ReportAction.REPORT_VERIFIED, subject="desertion-help 2023-11 v1 data"
    ).count() == 1


def test_verify_speaks_russian(november_report, auditor, client_for):
    text = text_of(client_for(auditor).get(VERIFY, HTTP_ACCEPT_LANGUAGE="ru"))

    assert f"Исходные данные отчёта не изменились (отпечаток {DEMO_FINGERPRINT})." in text


def test_verify_of_a_report_that_is_not_ready_is_not_found(demo_programme, auditor, client_for):
    Report.objects.create(programme=demo_programme, month=NOVEMBER, version=1)

    assert client_for(auditor).get(VERIFY).status_code == 404


def test_verify_costs_the_same_queries_however_many_requests_there_are(
    november_report, demo_programme, auditor, client_for
):
    client = client_for(auditor)
    add(demo_programme, dt.date(2023, 4, 1), Category.OTHER, 1)  # changed: the check renews no stamp
    with CaptureQueriesContext(connection) as few:
        assert client.get(VERIFY).status_code == 200
    for month in (4, 5, 6, 7, 8, 9, 10):
        add(demo_programme, dt.date(2023, month, 1), Category.OTHER, 300)

    with CaptureQueriesContext(connection) as many:
        assert client.get(VERIFY).status_code == 200

    assert len(many) == len(few)
    # Beyond what every page costs (session, account, second factor, permissions): the
    # programme, the report, the data stamp, one GROUP BY, the audit event.
    assert len(many) <= 14
