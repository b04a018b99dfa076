"""The month grid's form (issue 27, points 2 and 3): one Save for every row and every
status, as one entry, all rows or none; what was typed is kept on an error, whose
summary names the row; a locked month's page shows no form and says why."""

import re

import pytest
from django.core.exceptions import ValidationError

from intake.models import Entry, HelpRequest, MonthReview, Status
from intake.months import add_months
from intake.services import RequestSpec, requests_log_groups
from tests.conftest import THIS_MONTH, text_of

pytestmark = pytest.mark.usefixtures("this_month")
LAST_MONTH = add_months(THIS_MONTH, -1)
PAGE = f"/requests/month/help/{LAST_MONTH:%Y-%m}/"


def test_one_save_logs_every_row_and_status_typed_as_one_entry(coordinator_client, programme):
    response = coordinator_client.post(PAGE, {"legal-new": "4", "legal-in_progress": "2", "desertion-new": "3",
                                              "desertion-closed": "1", "desertion-outcome": "referred"}, follow=True)

    assert "Saved: 10 requests received in February 2026 added." in text_of(response)
    assert Entry.objects.get().size == 10
    assert HelpRequest.objects.filter(category="legal", status=Status.NEW).count() == 4
    assert HelpRequest.objects.filter(category="legal", status=Status.IN_PROGRESS).count() == 2
    assert HelpRequest.objects.filter(category="desertion", status=Status.NEW).count() == 3
    assert list(HelpRequest.objects.filter(status=Status.CLOSED).values_list("outcome", "closed_month")) == [
        ("referred", LAST_MONTH)]


def test_an_error_in_one_row_saves_nothing_keeps_every_number_and_names_the_row(coordinator_client, programme):
    response = coordinator_client.post(PAGE, {"legal-new": "4", "desertion-new": "4e", "other-closed": "2"})
    page = text_of(response)

    assert response.status_code == 400
    assert not HelpRequest.objects.exists()
    assert page.startswith("Error:")
    assert "Desertion (leave a unit), new: Enter the count in digits, e.g. 12." in page
    assert "Other, outcome of the closed: Choose the outcome of the closed requests." in page
    html = response.content.decode()
    for name, value in (("legal-new", "4"), ("desertion-new", "4e"), ("other-closed", "2")):
        assert re.search(rf'name="{name}" value="{value}"', html), name


def test_an_empty_grid_says_what_to_do(coordinator_client, programme):
    response = coordinator_client.post(PAGE, {"legal-new": ""})

    assert response.status_code == 400
    assert "Type how many requests to add in at least one box, then save." in text_of(response)


def test_the_rows_are_written_all_or_none(coordinator, programme):
    MonthReview.objects.create(programme=programme, month=LAST_MONTH, state=MonthReview.State.SUBMITTED,
                               report_version=1)
    groups = [(RequestSpec(programme=programme, month=THIS_MONTH, category="legal"), 3),
              (RequestSpec(programme=programme, month=LAST_MONTH, category="legal"), 2)]

    with pytest.raises(ValidationError):
        requests_log_groups(groups, author=coordinator)

    assert not HelpRequest.objects.exists() and not Entry.objects.exists()


@pytest.mark.parametrize("state", [MonthReview.State.SUBMITTED, MonthReview.State.ACCEPTED])
def test_a_locked_month_shows_no_form_nor_moves_says_why_and_refuses_a_save(coordinator_client, programme, state):
    coordinator_client.post(PAGE, {"legal-new": "4"})
    MonthReview.objects.create(programme=programme, month=LAST_MONTH, state=state, report_version=1,
                               accepted_in=THIS_MONTH if state == MonthReview.State.ACCEPTED else None)

    page = coordinator_client.get(PAGE)
    html, text = page.content.decode(), text_of(page)
    refused = coordinator_client.post(PAGE, {"legal-new": "1"})

    assert "This month is locked: requests cannot be added, moved or undone" in text
    assert "February 2026 of Help is" in text
    assert 'name="legal-new"' not in html and "/requests/move/" not in html and "/requests/counts/" not in html
    assert "ask staff" in text
    assert refused.status_code == 400 and "February 2026 of Help is" in text_of(refused)
    assert HelpRequest.objects.count() == 4


def test_staff_see_a_link_to_the_review_page_of_the_locking_month(client_for, staff, programme):
    MonthReview.objects.create(programme=programme, month=LAST_MONTH, state=MonthReview.State.ACCEPTED,
                               report_version=1, accepted_in=THIS_MONTH)

    page = client_for(staff).get(f"/requests/month/help/{add_months(LAST_MONTH, -1):%Y-%m}/")

    assert "This would change the figures of February 2026" in text_of(page)
    assert f'href="/review/help/{LAST_MONTH:%Y-%m}/"' in page.content.decode()
