"""Every kind of bad input of docs/design.md (Domain), typed into the web forms: a clear
error naming the problem, a 400, and nothing written."""

import pytest

from intake.models import Entry, HelpRequest
from intake.months import add_months, format_month
from tests.conftest import THIS_MONTH, text_of

NEXT_MONTH = format_month(add_months(THIS_MONTH, 1))

# (form fields, the error the coordinator reads); the programme starts in 2023-04.
BAD_COUNTS = [
    pytest.param({"month": NEXT_MONTH}, "The month received cannot be in the future.", id="future-month"),
    pytest.param({"count": -3}, "Enter a count from 1 to 5,000.", id="negative-count"),
    pytest.param({"count": 0}, "Enter a count from 1 to 5,000.", id="zero-count"),
    pytest.param({"count": 5001}, "Enter a count from 1 to 5,000.", id="huge-count"),
    pytest.param({"count": "many"}, "Enter the count in digits, e.g. 12.", id="count-not-a-number"),
    # int() reads all of these; a count is typed in the digits 0-9 and nothing else.
    pytest.param({"count": "٥"}, "Enter the count in digits, e.g. 12.", id="arabic-indic-count"),
    pytest.param({"count": "１２"}, "Enter the count in digits, e.g. 12.", id="fullwidth-count"),
    pytest.param({"count": "1_0"}, "Enter the count in digits, e.g. 12.", id="underscore-count"),
    pytest.param({"count": "+5"}, "Enter the count in digits, e.g. 12.", id="signed-count"),
    pytest.param({"count": "5.0"}, "Enter the count in digits, e.g. 12.", id="decimal-count"),
    pytest.param({"month": "٢٠٢٣-١٠"}, "Enter a month as YYYY-MM, e.g. 2023-11.", id="arabic-indic-month"),
    pytest.param({"month": "２０２３-１０"}, "Enter a month as YYYY-MM, e.g. 2023-11.", id="fullwidth-month"),
    pytest.param({"status": "closed", "outcome": "left_country", "closed_month": "2023-1١"},
                 "Enter a month as YYYY-MM, e.g. 2023-11.", id="arabic-indic-closed-month"),
    pytest.param({"category": "smuggling"}, "Select a valid choice. smuggling is not one of the available choices.",
                 id="unknown-category"),
    pytest.param({"outcome": "left_country"}, "Only a closed request has an outcome.", id="outcome-on-open-request"),
    pytest.param({"status": "in_progress", "outcome": "detained"}, "Only a closed request has an outcome.",
                 id="outcome-on-request-in-progress"),
    pytest.param({"status": "closed", "closed_month": "2023-11"}, "A closed request needs an outcome.",
                 id="closed-without-outcome"),
    pytest.param({"status": "closed", "outcome": "left_country"}, "A closed request needs the month it was closed.",
                 id="closed-without-closed-month"),
    pytest.param({"status": "closed", "outcome": "left_country", "closed_month": "2023-09"},
                 "The month closed cannot be before the month received.", id="closed-before-received"),
    pytest.param({"status": "closed", "outcome": "left_country", "closed_month": NEXT_MONTH},
                 "The month closed cannot be in the future.", id="closed-in-the-future"),
    pytest.param({"closed_month": "2023-11"}, "Only a closed request has a month closed.", id="closed-month-on-open"),
    pytest.param({"month": "2023-03"}, "The month received cannot be before the programme started (2023-04).",
                 id="month-before-programme"),
    pytest.param({"month": "October 2023"}, "Enter a month as YYYY-MM, e.g. 2023-11.", id="malformed-month"),
    pytest.param({"month": "2023-13"}, "Enter a month as YYYY-MM, e.g. 2023-11.", id="month-13"),
    pytest.param({"month": "2023-10-15"}, "Enter a month as YYYY-MM, e.g. 2023-11.", id="a-day-not-a-month"),
    pytest.param({"month": ""}, "Enter the month received, as YYYY-MM, e.g. 2023-11.", id="no-month"),
    pytest.param({"status": "archived"}, "Select a valid choice. archived is not one of the available choices.",
                 id="unknown-status"),
    pytest.param({"status": "closed", "outcome": "vanished", "closed_month": "2023-11"},
                 "Select a valid choice. vanished is not one of the available choices.", id="unknown-outcome"),
]

# The same kinds of input, where the one-request form has the field.
BAD_SINGLE = [
    pytest.param({"month": NEXT_MONTH}, "The month received cannot be in the future.", id="future-month"),
    pytest.param({"category": "smuggling"}, "Select a valid choice. smuggling is not one of the available choices.",
                 id="unknown-category"),
    pytest.param({"category": ""}, "Choose a category.", id="no-category"),
    pytest.param({"month": "2023-03"}, "The month received cannot be before the programme started (2023-04).",
                 id="month-before-programme"),
    pytest.param({"month": "10/2023"}, "Enter a month as YYYY-MM, e.g. 2023-11.", id="malformed-month"),
    pytest.param({"month": "٢٠٢٣-١٠"}, "Enter a month as YYYY-MM, e.g. 2023-11.", id="arabic-indic-month"),
]


def assert_refused(response, message: str) -> None:
    assert response.status_code == 400
    assert message in text_of(response)
    assert not HelpRequest.objects.exists()
    assert not Entry.objects.exists()


@pytest.mark.parametrize("fields, message", BAD_COUNTS)
@pytest.mark.usefixtures("this_month")  # so that NEXT_MONTH is in the future
def test_log_counts_refuses_bad_input_and_writes_nothing(coordinator_client, programme, fields, message):
    form = {"programme": "help", "month": "2023-10", "category": "desertion", "status": "new", "outcome": "",
            "closed_month": "", "count": 12, **fields}

    assert_refused(coordinator_client.post("/requests/counts/", form), message)


@pytest.mark.parametrize("fields, message", BAD_SINGLE)
@pytest.mark.usefixtures("this_month")  # so that NEXT_MONTH is in the future
def test_log_request_refuses_bad_input_and_writes_nothing(coordinator_client, programme, fields, message):
    form = {"programme": "help", "month": "2023-10", "category": "desertion", **fields}

    assert_refused(coordinator_client.post("/requests/new/", form), message)


@pytest.mark.parametrize("url", ["/requests/new/", "/requests/counts/"])
def test_the_good_form_next_to_the_bad_ones_is_accepted(coordinator_client, programme, url):
    # The control for the tests above: the same form, unchanged, is written.
    form = {"programme": "help", "month": "2023-10", "category": "desertion", "status": "new", "outcome": "",
            "closed_month": "", "count": 12}

    response = coordinator_client.post(url, form)

    assert response.status_code == 302
    assert HelpRequest.objects.count() == (1 if url.endswith("new/") else 12)


@pytest.mark.parametrize("count", ["12", " 12 ", "012"])
def test_a_count_in_ascii_digits_is_accepted(coordinator_client, programme, count):
    # The control for the counts refused above.
    form = {"programme": "help", "month": "2023-10", "category": "desertion", "status": "new", "outcome": "",
            "closed_month": "", "count": count}

    assert coordinator_client.post("/requests/counts/", form).status_code == 302
    assert HelpRequest.objects.count() == 12


def test_a_refused_form_keeps_what_was_typed(coordinator_client, programme):
    response = coordinator_client.post("/requests/counts/", {"programme": "help", "month": "2023-10",
                                                             "category": "legal", "status": "new", "count": 0})

    page = response.content.decode()
    assert 'value="2023-10"' in page
    assert '<option value="legal" selected>' in page
