"""The cost of a report and of its page does not grow with the number of requests:
the database counts, Python never loops over requests."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import Category, HelpRequest, Outcome, Programme, Status, new_reference
from intake.months import add_months
from intake.services import RequestSpec, requests_add, requests_log
from reports.models import Report
from reports.services import report_generate, report_request
from tests.conftest import make_user

FIRST = dt.date(2023, 1, 1)
REPORT_MONTH = dt.date(2023, 12, 1)
FEW, MANY = 10, 10_000


def make_programme(slug: str) -> Programme:
    return Programme.objects.create(slug=slug, name=slug.title(), first_month=FIRST)


def add_requests(programme: Programme, n: int) -> None:
    """n requests spread over every month of 2023, each category and every status."""
    kinds = itertools.cycle(
        [(Status.NEW, "", None), (Status.IN_PROGRESS, "", None)]
        + [(Status.CLOSED, outcome, close_after) for outcome, close_after in zip(Outcome.values, itertools.cycle([0, 1, 2]))]
    )
    categories = itertools.cycle(Category.values)
    requests = []
    for i, (status, outcome, close_after) in zip(range(n), kinds):
        month = add_months(FIRST, i % 12)
        closed_month = None if close_after is None else min(add_months(month, close_after), REPORT_MONTH)
        requests.append(HelpRequest(
            programme=programme, month=month, category=next(categories), status=status,
            outcome=outcome, closed_month=closed_month, reference=new_reference(),
        ))
    requests_add(requests)


def queued_report(programme: Programme | None) -> Report:
    return report_request(programme=programme, month=REPORT_MONTH, send=False)


def ready_report(programme: Programme | None) -> Report:
    report = queued_report(programme)
    report_generate(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == Report.State.READY, report.failure
    return report


def queries_to_generate(report: Report) -> int:
    with CaptureQueriesContext(connection) as queries:
        report_generate(report_id=report.pk)
    return len(queries)


def queries_to_open(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# Claim the row, read it, the stamp of its data, one GROUP BY over the counts table,
# then store the figures and note "report generated" in the audit log in one
# transaction (inside the test's own transaction, a savepoint and its release); the
# scope of all programmes also asks for the earliest first month; on PostgreSQL the
# worker also takes and releases the report's lock.
@pytest.mark.parametrize("scope, queries", [("programme", 8), ("all", 9)])
def test_generating_a_report_costs_the_same_queries_for_10_and_10000_requests(
    db, django_assert_max_num_queries, scope, queries
):
    queries += 2 if connection.vendor == "postgresql" else 0
    programme = make_programme("help")
    in_scope = programme if scope == "programme" else None
    add_requests(programme, FEW)
    small = queued_report(in_scope)
    few = queries_to_generate(small)

    add_requests(programme, MANY - FEW)
    large = queued_report(in_scope)
    with django_assert_max_num_queries(queries):
        many = queries_to_generate(large)

    small.refresh_from_db()
    large.refresh_from_db()
    assert small.body["since_start"]["requests"] == FEW
    assert large.body["since_start"]["requests"] == MANY
    assert sum(large.body["by_status_end_of_month"].values()) == MANY
    assert many == few == queries


def test_report_page_costs_the_same_queries_for_10_and_10000_requests(
    db, staff, client_for, django_assert_max_num_queries
):
    small, large = make_programme("small"), make_programme("large")
    add_requests(small, FEW)
    add_requests(large, MANY)
    ready_report(small)
    large_report = ready_report(large)
    client = client_for(staff)
    client.get("/reports/small/2023-12/")  # warm up: session and permission caches

    # Session and user, two for permissions, programme, report, the stamp of its data
    # (no fingerprint is recomputed), the versions, the reference figures, whether its
    # month is accepted (final), whether the account has a second factor (two device
    # tables), and saving the session (three with its savepoint).
    few = queries_to_open(client, "/reports/small/2023-12/")
    with django_assert_max_num_queries(15):
        many = queries_to_open(client, "/reports/large/2023-12/")

    assert large_report.body["since_start"]["requests"] == MANY
    assert many == few == 15


def test_report_page_costs_the_same_queries_with_one_version_or_several(db, staff, client_for):
    programme = make_programme("help")
    add_requests(programme, FEW)
    ready_report(programme)
    client = client_for(staff)
    client.get("/reports/help/2023-12/")

    one_version = queries_to_open(client, "/reports/help/2023-12/")
    for _ in range(3):
        ready_report(programme)
    several_versions = queries_to_open(client, "/reports/help/2023-12/")

    assert "<strong>v4</strong>" in client.get("/reports/help/2023-12/").content.decode()
    assert several_versions == one_version


def test_report_list_costs_the_same_queries_for_one_report_or_many(db, staff, client_for):
    programmes = [make_programme(f"p{i}") for i in range(5)]
    for programme in programmes:
        add_requests(programme, FEW)
    ready_report(programmes[0])
    client = client_for(staff)
    client.get("/reports/")

    one_report = queries_to_open(client, "/reports/")
    for programme in programmes:
        for _ in range(3):
            queued_report(programme)
    many_reports = queries_to_open(client, "/reports/")

    assert Report.objects.count() == 16
    assert many_reports == one_report


def counting_over_requests(queries) -> list[str]:
    """The queries that count or group the requests table: the work the counts table is for."""
    return [
        query["sql"] for query in queries
        if "intake_helprequest" in query["sql"] and ("COUNT(" in query["sql"].upper() or "GROUP BY" in query["sql"].upper())
    ]


@pytest.mark.parametrize("persona, url", [
    ("staff", "/reports/help/2023-12/"), ("staff", "/"), ("coordinator", "/"), ("coordinator", "/?show=requests&page=3"),
    ("coordinator", "/requests/month/help/2023-06/"),
])
def test_report_and_home_pages_count_nothing_over_the_requests(db, request, client_for, this_month, persona, url):
    programme = make_programme("help")
    coordinator = make_user("coord", "Coordinator", [programme])
    add_requests(programme, 100)  # 20 of them open
    requests_add(HelpRequest(programme=programme, month=FIRST, category="legal") for _ in range(160))
    # An entry of this month, so that the home page lists recent entries too.
    requests_log(spec=RequestSpec(programme=programme, month=this_month, category="legal"), count=3,
                 author=coordinator)
    ready_report(programme)
    client = client_for(coordinator if persona == "coordinator" else request.getfixturevalue("staff"))
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert counting_over_requests(queries) == []
    if "page=3" in url:
        assert len(response.context["waiting"].object_list) == 50
        assert "Page 3 of 4" in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no server-side cursors")
@pytest.mark.parametrize("persona, url", [
    ("staff", "/reports/"), ("coordinator", "/requests/new/"), ("coordinator", "/requests/counts/"),
    ("coordinator", "/requests/move/"),
])
def test_a_choice_of_programme_is_read_in_one_query_not_through_a_cursor(db, request, client_for, persona, url):
    """Django reads a model choice's options through .iterator(): on PostgreSQL a cursor
    declared, fetched twice and closed, four round trips a page for a few programmes."""
    programmes = [make_programme(slug) for slug in ("help", "exit")]
    coordinator = make_user("coord", "Coordinator", programmes)
    client = client_for(coordinator if persona == "coordinator" else request.getfixturevalue("staff"))
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert [f'value="{p.slug}"' in response.content.decode() for p in programmes] == [True, True]
    assert [query["sql"] for query in queries if query["sql"].startswith("DECLARE")] == []
