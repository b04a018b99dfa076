"""A month locked between a page's check of its form and its write: the person gets
the form again with the lock as its error, never a 500. Two people at once, each in a
thread with its own connection and committed transactions against the real database:
staff submit the month (which locks it) while another member of staff's form is on
its way in. The submission holds the month while its report is checked; the form is
checked meanwhile and finds the month open, then its write waits for the submission
to end, and finds the month locked."""

import io
import re
import threading

import pytest

from intake.models import HelpRequest, MonthReview
from signoff.services import review_submit
from tests.conftest import make_user, text_of
from tests.signoff.test_review_concurrency import MONTH, WAIT, in_thread

SUBMITTED = "February 2026 of Help is submitted for review and locked until an auditor accepts or returns it."


@pytest.fixture
def staff_client(committed_db, this_month, programme, new_client_for):
    return new_client_for(make_user("staff-2", "Staff"))


def while_the_month_is_being_submitted(programme, post):
    """post() in a thread while a submission of MONTH holds the month; its answer once
    the submission has committed."""
    checking, finish = threading.Event(), threading.Event()
    results: dict = {}

    def check_report(_version):
        checking.set()
        finish.wait(timeout=30)
        return 1

    submitter = in_thread(lambda: review_submit(programme=programme, month=MONTH, actor=None,
                                                check_report=check_report), results, "submit")
    try:
        assert checking.wait(timeout=30)
        writer = in_thread(post, results, "post")
        writer.join(timeout=WAIT)
        assert writer.is_alive(), "the write should wait for the submission, its form checked already"
    finally:
        finish.set()
        submitter.join(timeout=30)
    writer.join(timeout=30)
    assert isinstance(results["submit"], MonthReview), results["submit"]
    assert not isinstance(results["post"], BaseException), f"the page failed: {results['post']!r}"
    return results["post"]


def test_the_counts_form_answers_a_month_locked_meanwhile_with_its_error(staff_client, programme):
    response = while_the_month_is_being_submitted(programme, lambda: staff_client.post("/requests/counts/", {
        "programme": "help", "month": "2026-02", "category": "legal", "status": "new", "count": "3"}))

    assert response.status_code == 400
    assert SUBMITTED in text_of(response)
    assert 'value="3"' in response.content.decode()  # kept, to be sent again once the month is open
    assert not HelpRequest.objects.exists()


def test_the_single_request_form_answers_a_month_locked_meanwhile_with_its_error(staff_client, programme):
    response = while_the_month_is_being_submitted(programme, lambda: staff_client.post("/requests/new/", {
        "programme": "help", "month": "2026-02", "category": "legal"}))

    assert response.status_code == 400
    assert SUBMITTED in text_of(response)
    assert not HelpRequest.objects.exists()


def test_an_import_confirmed_while_its_month_is_locked_is_refused_on_the_import_page(staff_client, programme):
    upload = io.BytesIO(b"month,programme,category,status,outcome,closed_month,count\n2026-02,help,legal,new,,,2\n")
    upload.name = "counts.csv"
    preview = staff_client.post("/requests/import/", {"file": upload})
    assert "The file has 1 row. It would add 2 requests." in text_of(preview)
    key = re.search(r'name="preview" value="([^"]+)"', preview.content.decode()).group(1)

    response = while_the_month_is_being_submitted(
        programme, lambda: staff_client.post("/requests/import/", {"preview": key}))

    assert response.status_code == 400
    assert SUBMITTED in text_of(response)
    assert not HelpRequest.objects.exists()
