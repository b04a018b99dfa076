"""A coordinator's home: their programmes, this month's counts by status, and the
requests waiting for action, paged, at a cost that does not grow with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import HelpRequest, Outcome, Status
from intake.months import add_months
from intake.services import requests_add
from shell.views import REQUESTS_PER_PAGE
from tests.conftest import THIS_MONTH, make_user, text_of

# The home counts the current month: the clock is set for every test.
pytestmark = pytest.mark.usefixtures("this_month")
LAST_MONTH = add_months(THIS_MONTH, -1)


def add_requests(programme, n: int, *, month=THIS_MONTH, status=Status.NEW, category="desertion") -> list[HelpRequest]:
    closed = status == Status.CLOSED
    return requests_add(
        HelpRequest(
            programme=programme, month=month, category=category, status=status,
            outcome=Outcome.LEFT_COUNTRY if closed else "", closed_month=month if closed else None,
        )
        for _ in range(n)
    )


def waiting_references(response) -> list[str]:
    return [item.reference for item in response.context["waiting"].object_list]


def test_coordinator_home_shows_their_programme_with_this_months_counts_by_status(
    coordinator, programme, other_programme, client_for
):
    add_requests(programme, 3, status=Status.NEW)
    add_requests(programme, 2, status=Status.IN_PROGRESS)
    add_requests(programme, 1, status=Status.CLOSED)
    add_requests(programme, 4, month=LAST_MONTH)  # not this month's
    add_requests(other_programme, 7)  # not their programme

    response = client_for(coordinator).get("/")

    assert response.status_code == 200
    assert response.context["programmes"] == [
        (programme, {"new": 3, "in_progress": 2, "closed": 1}, {"new": 4, "in_progress": 0, "closed": 0})]
    assert f"Help {THIS_MONTH:%B %Y} 3 2 1 {LAST_MONTH:%B %Y} 4 0 0" in text_of(response)


def test_staff_home_shows_every_programme(staff, programme, other_programme, client_for):
    add_requests(other_programme, 7)

    response = client_for(staff).get("/")

    assert {row[0]: row[1] for row in response.context["programmes"]} == {
        programme: {"new": 0, "in_progress": 0, "closed": 0},
        other_programme: {"new": 7, "in_progress": 0, "closed": 0},
    }


def test_home_lists_the_open_requests_of_their_programmes_only(coordinator, programme, other_programme, client_for):
    new = add_requests(programme, 2, month=LAST_MONTH)
    in_progress = add_requests(programme, 1, status=Status.IN_PROGRESS)
    closed = add_requests(programme, 1, status=Status.CLOSED)
    elsewhere = add_requests(other_programme, 1)

    response = client_for(coordinator).get("/?show=requests")

    expected = [r.reference for r in new + in_progress]
    assert waiting_references(response) == expected  # oldest month first
    page = response.content.decode()
    for request in new + in_progress:
        assert f'href="/requests/{request.reference}/"' in page
    for request in closed + elsewhere:
        assert request.reference not in page


def test_waiting_requests_are_paged_fifty_at_a_time(coordinator, programme, client_for):
    requests = add_requests(programme, 120)
    client = client_for(coordinator)

    first, second, third = (client.get("/", {"show": "requests", "page": n}) for n in (1, 2, 3))

    assert len(waiting_references(first)) == 50
    assert len(waiting_references(second)) == 50
    assert len(waiting_references(third)) == 20
    shown = waiting_references(first) + waiting_references(second) + waiting_references(third)
    assert sorted(shown) == sorted(r.reference for r in requests)
    assert "Page 1 of 3" in text_of(first)
    assert 'href="?show=requests&amp;page=2"' in first.content.decode()


def test_a_page_past_the_end_shows_the_last_page(coordinator, programme, client_for):
    add_requests(programme, REQUESTS_PER_PAGE + 5)

    response = client_for(coordinator).get("/", {"show": "requests", "page": 99})

    assert response.status_code == 200
    assert len(waiting_references(response)) == 5


def test_home_with_nothing_waiting_says_so(coordinator, programme, client_for):
    add_requests(programme, 2, status=Status.CLOSED)

    response = client_for(coordinator).get("/")

    assert response.context["waiting_groups"].object_list == []
    assert "Nothing is waiting." in text_of(response)


def test_coordinator_of_no_programme_is_told_so(client_for, db):
    loner = make_user("loner", "Coordinator")

    response = client_for(loner).get("/")

    assert response.status_code == 200
    assert response.context["programmes"] == []
    assert "You are not a member of any programme yet." in text_of(response)


@pytest.mark.parametrize("persona", ["coordinator", "staff"])
def test_home_costs_the_same_number_of_queries_for_5_or_500_open_requests(
    request, persona, programme, client_for, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    add_requests(programme, 5)
    client.post("/requests/counts/", {"programme": "help", "month": THIS_MONTH.strftime("%Y-%m"),
                                      "category": "legal", "status": "new", "count": 3})

    with CaptureQueriesContext(connection) as few:
        assert len(waiting_references(client.get("/?show=requests"))) == 8
    add_requests(programme, 492)
    with django_assert_max_num_queries(len(few)), CaptureQueriesContext(connection) as many:
        response = client.get("/?show=requests")

    assert len(waiting_references(response)) == REQUESTS_PER_PAGE
    assert response.context["programmes"][0][1]["new"] == 500
    assert len(many) == len(few)
    # 16: one more than before for the months returned to staff (shell/views.py months_waiting).
    assert len(few) <= 16, "\n".join(q["sql"] for q in few)


def test_the_home_page_of_staff_and_auditors_states_the_newest_ready_report_s_first_sentence(
    demo_programme, auditor, client_for
):
    import datetime as dt

    from reports.models import Report
    from reports.services import report_generate, report_request
    from tests.reports.article import SENTENCE

    client = client_for(auditor)
    assert "Open the report" not in text_of(client.get("/"))
    ready = report_request(programme=demo_programme, month=dt.date(2023, 11, 1), send=False)
    report_generate(report_id=ready.pk)
    report_request(programme=demo_programme, month=dt.date(2023, 11, 1), send=False)  # v2, still queued

    text = text_of(client.get("/"))

    assert f"Desertion help (demo), November 2023 · version 1 {SENTENCE} Open the report" in text
    assert Report.objects.filter(state=Report.State.QUEUED).count() == 1


def test_waiting_requests_are_grouped_by_month_category_and_status_with_a_prefilled_move(
    coordinator, programme, other_programme, client_for
):
    add_requests(programme, 250, month=LAST_MONTH, category="legal")
    add_requests(programme, 3, status=Status.IN_PROGRESS, category="legal")
    add_requests(programme, 2, status=Status.CLOSED)
    add_requests(other_programme, 7)

    response = client_for(coordinator).get("/")

    text = text_of(response)
    assert [row[1:] for row in response.context["waiting_groups"].object_list] == [
        (LAST_MONTH, "Legal consultation", "legal", "New", "new", 250),
        (THIS_MONTH, "Legal consultation", "legal", "In progress", "in_progress", 3),
    ]
    assert f"{LAST_MONTH:%B %Y} Legal consultation New 250 Move…" in text
    assert (f'href="/requests/move/?programme=help&amp;month={LAST_MONTH:%Y-%m}&amp;category=legal&amp;from_status=new"'
            in response.content.decode())
    assert response.context.get("waiting") is None


def test_the_waiting_months_are_words_of_the_page_s_language_with_the_month_kept_for_machines(
    coordinator, programme, client_for
):
    add_requests(programme, 4, month=LAST_MONTH, category="legal")
    client = client_for(coordinator)

    english = text_of(client.get("/"))
    groups = text_of(client.get("/", HTTP_ACCEPT_LANGUAGE="ru"))
    single = client.get("/?show=requests", HTTP_ACCEPT_LANGUAGE="ru")

    assert "February 2026 Legal consultation New 4" in english
    assert "Февраль 2026 Юридическая консультация Новый 4" in groups
    assert text_of(single).count("Февраль 2026 Юридическая консультация Новый") == 4
    assert '<time datetime="2026-02">Февраль 2026</time>' in single.content.decode()
    assert "2026-02 " not in english + groups + text_of(single)
