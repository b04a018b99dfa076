"""Long histories of reports (issue 24): the reports list, a report's page and a month's
review page cost the same queries with a few months of reports or three years of them,
and none of their queries reads the counts a report keeps for verification
(Report.basis, the largest column of the table: only "Verify" needs it)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import HelpRequest, Programme
from intake.months import add_months, format_month
from intake.services import requests_add
from reports.models import Report
from reports.services import report_generate, report_request
from reports.views import REPORTS_PER_PAGE
from tests.conftest import make_user

FIRST = dt.date(2023, 1, 1)


def make_history(programme: Programme, months: int, *, versions: int = 1) -> list[dt.date]:
    """A request in each of `months` months from FIRST, and the reports of each month
    (the programme's and all programmes', `versions` of each), as the worker makes them."""
    covered = [add_months(FIRST, m) for m in range(months)]
    requests_add([HelpRequest(programme=programme, month=month, category="legal") for month in covered])
    for month in covered:
        for scope in (programme, None):
            for _ in range(versions):
                report = report_request(programme=scope, month=month, send=False)
                report_generate(report_id=report.pk)
    assert not Report.objects.exclude(state=Report.State.READY).exists()
    return covered


def opened(client, url: str) -> list[str]:
    """The SQL of every query that opening `url` runs (after a first, warming visit)."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in queries]


def reading_basis(queries: list[str]) -> list[str]:
    column = connection.ops.quote_name("basis")
    return [sql for sql in queries if sql.lstrip().upper().startswith("SELECT") and f".{column}" in sql]


@pytest.fixture
def help_programme(db) -> Programme:
    return Programme.objects.create(slug="help", name="Help", first_month=FIRST)


@pytest.fixture
def auditor_client(client_for, db):
    return client_for(make_user("auditor-7", "Auditor"))


def test_the_reports_list_is_paged_and_costs_the_same_queries_for_one_report_or_three_years_of_them(
    help_programme, auditor_client, this_month
):
    make_history(help_programme, 1)
    one_report = opened(auditor_client, "/reports/")

    make_history(help_programme, 36, versions=1)  # 2 x 37 scope-months: two pages
    first_page = opened(auditor_client, "/reports/")
    second_page = opened(auditor_client, "/reports/?page=2")

    assert len(first_page) == len(second_page) == len(one_report)
    assert reading_basis(one_report + first_page + second_page) == []
    page = auditor_client.get("/reports/").content.decode()
    assert "Page 1 of 2" in page and "page=2" in page
    assert page.count("<tr>") - 1 == REPORTS_PER_PAGE
    assert "Page 2 of 2" in auditor_client.get("/reports/?page=2", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Страница 2 из 2" in auditor_client.get("/reports/?page=2", HTTP_ACCEPT_LANGUAGE="ru").content.decode()


def test_a_report_page_costs_the_same_queries_with_3_or_36_months_of_reports(help_programme, auditor_client,
                                                                             this_month):
    covered = make_history(help_programme, 3, versions=2)
    third = format_month(covered[2])
    few = {url: opened(auditor_client, url) for url in (f"/reports/help/{third}/", f"/reports/all/{third}/")}

    make_history(help_programme, 36, versions=2)
    many = {url: opened(auditor_client, url) for url in few}

    assert {url: len(queries) for url, queries in many.items()} == {url: len(queries) for url, queries in few.items()}
    assert reading_basis([sql for queries in (*few.values(), *many.values()) for sql in queries]) == []


def test_a_review_page_costs_the_same_queries_with_3_or_36_months_of_reports(help_programme, auditor_client,
                                                                            this_month):
    covered = make_history(help_programme, 3, versions=2)
    url = f"/review/help/{format_month(covered[2])}/"
    few = opened(auditor_client, url)

    make_history(help_programme, 36, versions=2)
    many = opened(auditor_client, url)

    assert len(many) == len(few)
    assert reading_basis(few + many) == []


def test_verify_still_reads_the_counts_the_report_kept(help_programme, auditor_client, this_month):
    make_history(help_programme, 2)
    queries = opened(auditor_client, f"/reports/help/{format_month(add_months(FIRST, 1))}/v1/verify/")

    assert len(reading_basis(queries)) == 1
    assert "unchanged" in auditor_client.get(
        f"/reports/help/{format_month(add_months(FIRST, 1))}/v1/verify/").content.decode().lower()


def test_the_review_page_never_shows_a_kept_preview_of_data_that_has_changed_since(help_programme, auditor_client,
                                                                                   this_month):
    covered = make_history(help_programme, 3)
    url = f"/review/help/{format_month(covered[2])}/"
    assert "has changed since" not in auditor_client.get(url).content.decode()

    requests_add([HelpRequest(programme=help_programme, month=covered[1], category="legal")])

    assert "has changed since" in auditor_client.get(url).content.decode()
