"""Home pages say which months wait for whom (issue 27, point 5): auditors see the
months submitted and the unlocks asked for, staff the months returned with their
reason, a coordinator the returned months of their own programmes; each with a count
and links, in a constant number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import MonthReview, Programme
from tests.conftest import THIS_MONTH, text_of

pytestmark = pytest.mark.usefixtures("this_month")
JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)


def review(programme, month, state, **fields):
    fields.setdefault("report_version", None if state == "returned" else 1)
    return MonthReview.objects.create(programme=programme, month=month, state=state, **fields)


@pytest.fixture
def months(programme, other_programme):
    review(programme, FEB, "submitted")
    review(programme, JAN, "accepted", accepted_in=THIS_MONTH, unlock_reason="late_data")
    review(other_programme, FEB, "returned", return_reason="duplicates")


def test_an_auditor_sees_the_months_submitted_and_the_unlocks_asked_for(months, auditor, client_for):
    page = client_for(auditor).get("/")
    text = text_of(page).replace(" :", ":")

    assert "2 months wait for an auditor" in text
    assert "Help, February 2026: submitted: accept it or return it" in text
    assert "Help, January 2026: unlock asked for: late data to enter" in text
    assert 'href="/review/help/2026-02/"' in page.content.decode()
    assert "returned by an auditor" not in text


def test_staff_see_the_months_returned_with_their_reason(months, staff, client_for):
    page = client_for(staff).get("/")
    text = text_of(page).replace(" :", ":")

    assert "1 month was returned by an auditor" in text
    assert "Other, February 2026: returned: duplicates suspected" in text
    assert 'href="/review/other/2026-02/"' in page.content.decode()
    assert "wait for an auditor" not in text


def test_a_coordinator_sees_a_returned_month_of_theirs_only(months, coordinator, other_coordinator, client_for,
                                                            new_client_for):
    mine = text_of(new_client_for(other_coordinator).get("/")).replace(" :", ":")
    not_mine = text_of(client_for(coordinator).get("/"))

    assert "1 month was returned by an auditor" in mine
    assert "Other, February 2026: returned: duplicates suspected" in mine
    assert "returned by an auditor" not in not_mine


def test_the_home_page_reads_the_months_in_a_constant_number_of_queries(programme, auditor, staff, client_for,
                                                                        new_client_for):
    def queries(person) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert person.get("/").status_code == 200
        return len(captured)

    auditor_client, staff_client = client_for(auditor), new_client_for(staff)
    review(programme, FEB, "submitted")
    review(programme, JAN, "returned", return_reason="other")
    few = queries(auditor_client), queries(staff_client)
    for n in range(2, 8):
        other = Programme.objects.create(slug=f"p{n}", name=f"P{n}", first_month=dt.date(2023, 4, 1))
        review(other, FEB, "submitted")
        review(other, JAN, "returned", return_reason="other")

    assert (queries(auditor_client), queries(staff_client)) == few
    assert "7 months wait for an auditor" in text_of(auditor_client.get("/"))


def test_in_russian_the_months_and_reasons_read_as_part_of_the_sentence(months, auditor, staff, client_for,
                                                                         new_client_for):
    for_auditor = text_of(client_for(auditor).get("/", HTTP_ACCEPT_LANGUAGE="ru")).replace(" :", ":")
    for_staff = text_of(new_client_for(staff).get("/", HTTP_ACCEPT_LANGUAGE="ru")).replace(" :", ":")

    assert "Help, январь 2026 г.: просят открыть: нужно внести запоздавшие данные" in for_auditor
    assert "Other, февраль 2026 г.: возвращён: возможны дубликаты" in for_staff
