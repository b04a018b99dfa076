"""The month page: a programme's month as a grid of category × status, with totals,
the change since the previous month, and the place every action returns to."""

import re

import pytest

from intake.counts import month_grid
from intake.models import TRANSITIONS, HelpRequest, Status
from intake.months import add_months, format_month
from tests.conftest import THIS_MONTH, add_request, text_of

pytestmark = pytest.mark.usefixtures("this_month")
LAST_MONTH = add_months(THIS_MONTH, -1)


def month_url(month=THIS_MONTH, slug="help") -> str:
    return f"/requests/month/{slug}/{format_month(month)}/"


def add(programme, n, month=THIS_MONTH, category="legal", status="new", outcome="", closed_month=None):
    for _ in range(n):
        add_request(programme=programme, month=month, category=category, status=status, outcome=outcome,
                    closed_month=closed_month)


def test_the_grid_counts_each_category_and_status_with_totals_and_the_change(programme):
    add(programme, 3, category="legal")
    add(programme, 2, category="legal", status="closed", outcome="detained", closed_month=THIS_MONTH)
    add(programme, 1, category="desertion", status="in_progress")
    add(programme, 4, month=LAST_MONTH, category="legal")

    grid = month_grid(programme=programme, month=THIS_MONTH)

    legal = next(row for row in grid.rows if row.category == "legal")
    assert legal.statuses == {"new": 3, "in_progress": 0, "closed": 2}
    assert legal.outcomes["detained"] == 2
    assert (legal.total, legal.change) == (5, 1)
    assert grid.statuses == {"new": 3, "in_progress": 1, "closed": 2}
    assert (grid.total, grid.total_change) == (6, 2)


def test_the_month_page_shows_the_grid_and_links_to_the_months_around(coordinator_client, programme):
    add(programme, 3, category="legal")
    add(programme, 4, month=LAST_MONTH, category="legal")

    response = coordinator_client.get(month_url())

    text = text_of(response)
    assert response.status_code == 200
    assert "Legal consultation 3 Move Legal consultation 0 0 3 \u22121" in text
    assert "Total 3 0 0 3 \u22121" in text
    assert month_url(LAST_MONTH) in response.content.decode()


def test_a_fall_in_the_change_column_is_written_with_a_minus_sign_not_a_hyphen(coordinator_client, programme):
    add(programme, 45, month=LAST_MONTH, category="legal")
    add(programme, 2, category="legal")
    add(programme, 3, category="desertion")

    text = text_of(coordinator_client.get(month_url()))

    assert "Legal consultation 0 0 2 \u221243" in text
    assert "Desertion (leave a unit) 0 0 3 +3" in text
    assert "Total 5 0 0 5 \u221240" in text
    assert "-4" not in text


def test_the_month_picker_goes_to_the_month_typed(coordinator_client, programme):
    response = coordinator_client.get("/requests/month/help/", {"month": "2025-11"})

    assert response.status_code == 302
    assert response["Location"] == month_url(add_months(THIS_MONTH, -4))


def test_a_month_typed_wrong_is_explained(coordinator_client, programme):
    response = coordinator_client.get("/requests/month/help/", {"month": "nov"})

    assert response.status_code == 400
    assert "Error:" in response.content.decode().split("</title>")[0]
    assert "Enter a month as YYYY-MM, e.g. 2023-11." in text_of(response)


def pick_form_fields(page: str) -> tuple[str, dict[str, str]]:
    """The "Go to month" form as a browser would submit it: its action and its fields."""
    form = re.search(r'<form method="get" action="([^"]+)"[^>]*>(.*?)</form>', page, flags=re.S)
    fields = {name: value for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form[2])}
    return form[1], fields


def test_a_month_still_to_come_is_refused_on_the_page_the_person_was_on_with_what_they_typed(
        coordinator_client, programme):
    november = "/requests/month/help/2023-11/"
    action, fields = pick_form_fields(coordinator_client.get(november).content.decode())

    response = coordinator_client.get(action, {**fields, "month": "2099-01"})

    text = text_of(response)
    assert response.status_code == 400
    assert "Help: November 2023" in text  # the page they were on, not this month's
    assert "2099-01 has not begun yet" in text
    assert 'value="2099-01"' in response.content.decode()
    assert pick_form_fields(response.content.decode())[1]["month"] == "2099-01"


def test_another_programmes_month_is_not_found(coordinator_client, other_programme):
    assert coordinator_client.get(month_url(slug="other")).status_code == 404


def test_adding_new_requests_from_the_grid_returns_to_the_month_with_the_cell_marked(coordinator_client, programme):
    response = coordinator_client.post("/requests/counts/", {
        "programme": "help", "month": format_month(LAST_MONTH), "category": "legal", "status": "new", "count": "4",
    }, follow=True)

    assert response.redirect_chain == [(month_url(LAST_MONTH) + "?changed=legal%3Anew", 302)]
    assert HelpRequest.objects.filter(month=LAST_MONTH, category="legal").count() == 4
    assert "4 requests logged: legal consultation, new." in text_of(response)
    assert 'table-warning changed"><strong>4</strong>' in response.content.decode()


def test_home_shows_each_programme_in_this_and_the_previous_month(coordinator_client, programme):
    add(programme, 2, month=LAST_MONTH)
    add(programme, 1)

    text = text_of(coordinator_client.get("/"))

    assert f"{THIS_MONTH:%B %Y} 1 0 0" in text
    assert f"{LAST_MONTH:%B %Y} 2 0 0" in text


def move_links(response) -> list[str]:
    """The Move links of the grid's cells: the category and status each moves from."""
    html = response.content.decode()
    return re.findall(r'href="/requests/move/\?[^"]*category=(\w+)&amp;from_status=(\w+)"', html)


def test_a_coordinator_is_offered_to_move_the_requests_the_workflow_lets_move_on(coordinator_client, programme):
    add(programme, 2, category="legal")
    add(programme, 1, category="legal", status="in_progress")
    add(programme, 3, category="legal", status="closed", outcome="referred", closed_month=THIS_MONTH)
    add(programme, 1, category="desertion", status="closed", outcome="detained", closed_month=THIS_MONTH)

    links = move_links(coordinator_client.get(month_url()))

    # New requests can be started or closed, those in progress closed: each nonempty cell
    # of theirs offers a Move. Closed requests go no further (reopening one is a
    # correction), and an empty cell has nothing to move.
    assert links == [("legal", "new"), ("legal", "in_progress")]


def test_the_move_links_follow_the_workflow_of_the_model(coordinator_client, programme, monkeypatch):
    add(programme, 2, category="legal")
    add(programme, 1, category="legal", status="in_progress")
    # A workflow in which a request in progress can no longer change: the grid follows it.
    monkeypatch.setitem(TRANSITIONS, Status.IN_PROGRESS, set())

    links = move_links(coordinator_client.get(month_url()))

    assert links == [("legal", "new")]
