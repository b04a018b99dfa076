"""Forms follow the GOV.UK error pattern: a summary linking to each field, "Error:"
in the title, messages that say how to fix the problem, in the page's language."""

import re

import pytest

from intake.models import HelpRequest
from intake.months import format_month
from tests.conftest import THIS_MONTH, add_request, text_of

pytestmark = pytest.mark.usefixtures("this_month")


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_an_empty_form_gets_a_summary_linking_each_field_and_an_error_title(coordinator_client, programme):
    response = coordinator_client.post("/requests/counts/", {"programme": "help", "status": "new"})

    page = response.content.decode()
    assert response.status_code == 400
    assert title(response).startswith("Error: Log counts")
    summary = page.split("data-error-summary")[1].split("</div>")[0]
    assert '<a href="#id_month" class="alert-link">Enter the month received, as YYYY-MM, e.g. 2023-11.</a>' in summary
    assert '<a href="#id_category" class="alert-link">Choose a category.</a>' in summary
    assert '<a href="#id_count" class="alert-link">Enter a count from 1 to 5,000.</a>' in summary
    assert "This field is required" not in page


def test_the_error_title_and_summary_are_in_russian_on_a_russian_page(coordinator_client, programme):
    response = coordinator_client.post("/requests/counts/", {"programme": "help", "status": "new", "count": "4e"},
                                       HTTP_ACCEPT_LANGUAGE="ru")

    assert title(response).startswith("Ошибка:")
    assert "Введите количество цифрами, например 12." in text_of(response)
    assert "Выберите категорию." in text_of(response)


def test_a_count_is_a_numeric_text_input_and_non_digits_are_explained(coordinator_client, programme):
    page = coordinator_client.get("/requests/counts/").content.decode()
    count = re.search(r'<input [^>]*name="count"[^>]*>', page).group(0)
    assert 'type="text"' in count and 'inputmode="numeric"' in count and 'pattern="[0-9]*"' in count

    response = coordinator_client.post("/requests/counts/", {
        "programme": "help", "month": format_month(THIS_MONTH), "category": "legal", "status": "new", "count": "4e"})

    assert response.status_code == 400
    assert "Enter the count in digits, e.g. 12." in text_of(response)
    assert 'value="4e"' in response.content.decode()  # kept, so that it can be corrected


def test_the_move_form_speaks_of_current_and_new_status_and_closes_nothing_by_default(coordinator_client, programme):
    page = coordinator_client.get("/requests/move/").content.decode()

    assert "Current status" in page and "New status" in page
    new_status = re.search(r'<select name="to_status".*?</select>', page, re.S).group(0)
    assert 'selected' not in new_status.replace('value="" selected', "")


def test_the_move_form_comes_prefilled_from_the_grid_and_keeps_its_values_after_an_error(coordinator_client,
                                                                                         programme):
    add_request(programme=programme, month=THIS_MONTH, category="legal")
    query = {"programme": "help", "month": format_month(THIS_MONTH), "category": "legal", "from_status": "new"}

    prefilled = coordinator_client.get("/requests/move/", query).content.decode()
    response = coordinator_client.post("/requests/move/", {**query, "count": "2", "to_status": "in_progress"})

    for page in (prefilled, response.content.decode()):
        assert f'value="{format_month(THIS_MONTH)}"' in page
        assert '<option value="legal" selected>' in page
    assert "Only 1 request matches; nothing was moved." in text_of(response)
    assert HelpRequest.objects.get().status == "new"


def test_outcome_and_month_closed_are_in_the_page_without_javascript_and_revealed_by_a_static_script(
    coordinator_client, programme
):
    page = coordinator_client.get("/requests/counts/").content.decode()

    assert 'id="div_id_outcome"' in page and 'id="div_id_closed_month"' in page
    assert '<script src="/static/intake/forms.js"></script>' in page
    assert "<script>" not in page  # no inline script: the CSP forbids them


def selected_options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_neither_status_of_the_move_form_is_chosen_for_the_person(coordinator_client, programme):
    page = coordinator_client.get("/requests/move/").content.decode()

    assert selected_options(page, "from_status") in ([], [""])
    assert selected_options(page, "to_status") in ([], [""])


def test_a_move_without_a_current_status_says_which_to_choose_and_keeps_the_rest(coordinator_client, programme):
    response = coordinator_client.post("/requests/move/", {
        "programme": "help", "month": format_month(THIS_MONTH), "category": "legal", "count": "2",
        "to_status": "in_progress"})

    assert response.status_code == 400
    summary = response.content.decode().split("data-error-summary")[1].split("</div>")[0]
    assert '<a href="#id_from_status" class="alert-link">Choose the current status of the requests to move.</a>' \
        in summary
    page = response.content.decode()
    assert selected_options(page, "to_status") == ["in_progress"]
    assert selected_options(page, "category") == ["legal"]
    assert 'value="2"' in page


def test_the_current_status_error_is_in_russian_on_a_russian_page(coordinator_client, programme):
    response = coordinator_client.post("/requests/move/", {"programme": "help"}, HTTP_ACCEPT_LANGUAGE="ru")

    assert "Выберите текущий статус запросов, которые нужно перевести." in text_of(response)


def test_the_current_status_comes_prefilled_from_a_grid_link(coordinator_client, programme):
    page = coordinator_client.get("/requests/move/", {"from_status": "in_progress"}).content.decode()

    assert selected_options(page, "from_status") == ["in_progress"]
    assert selected_options(page, "to_status") in ([], [""])
