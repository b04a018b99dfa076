"""Undo while the month is open (issue 27, point 4): an entry can be undone by its
author or staff however old its month, until the month is submitted or accepted (the
lock is the protection); the undo page never offers to confirm what it would refuse,
and the import preview says until when an import can be undone."""

import io

import pytest

from intake.models import Entry, HelpRequest, MonthReview
from intake.months import add_months, format_month
from intake.services import RequestSpec, requests_log
from tests.conftest import THIS_MONTH, text_of

pytestmark = pytest.mark.usefixtures("this_month")
OLD_MONTH = add_months(THIS_MONTH, -7)


def logged(programme, author, month=OLD_MONTH, count=4) -> Entry:
    return requests_log(spec=RequestSpec(programme=programme, month=month, category="legal"), count=count,
                        author=author)


def submit(programme, month) -> MonthReview:
    return MonthReview.objects.create(programme=programme, month=month, state=MonthReview.State.SUBMITTED,
                                      report_version=1)


def test_an_entry_of_an_old_open_month_is_offered_and_undone_by_its_author(coordinator, programme, client_for):
    client = client_for(coordinator)
    entry = logged(programme, coordinator)

    home = client.get("/")
    page = client.get(f"/requests/entries/{entry.pk}/undo/")
    done = client.post(f"/requests/entries/{entry.pk}/undo/", follow=True)

    assert f"/requests/entries/{entry.pk}/undo/" in home.content.decode()
    assert page.status_code == 200 and "Undo the entry" in text_of(page)
    assert "Undone: 4 requests removed." in text_of(done)
    assert not HelpRequest.objects.exists()


def test_staff_undo_an_old_entry_of_an_open_month(coordinator, staff, programme, new_client_for):
    entry = logged(programme, coordinator)

    new_client_for(staff).post(f"/requests/entries/{entry.pk}/undo/")

    assert not Entry.objects.exists()


def test_a_submitted_month_refuses_on_the_undo_page_itself_without_asking_to_confirm(coordinator, programme,
                                                                                       client_for):
    client = client_for(coordinator)
    entry = logged(programme, coordinator, month=add_months(THIS_MONTH, -1))
    submit(programme, add_months(THIS_MONTH, -1))

    home = client.get("/")
    page = client.get(f"/requests/entries/{entry.pk}/undo/", follow=True)
    posted = client.post(f"/requests/entries/{entry.pk}/undo/", follow=True)

    assert f"/requests/entries/{entry.pk}/undo/" not in home.content.decode()
    assert "Undo the entry" not in text_of(page)
    assert "February 2026 of Help is submitted for review" in text_of(page)
    assert "February 2026 of Help is submitted for review" in text_of(posted)
    assert entry.requests.count() == 4


def test_a_later_submitted_month_protects_an_earlier_entry_that_its_figures_count(coordinator, programme,
                                                                                    client_for):
    client = client_for(coordinator)
    entry = logged(programme, coordinator)
    submit(programme, add_months(THIS_MONTH, -1))

    page = client.get(f"/requests/entries/{entry.pk}/undo/", follow=True)

    assert "This would change the figures of February 2026" in text_of(page)
    assert f"/requests/entries/{entry.pk}/undo/" not in client.get("/").content.decode()
    assert entry.requests.count() == 4


def test_the_import_preview_says_until_when_the_import_can_be_undone(staff, programme, client_for):
    data = f"month,programme,category,status,outcome,closed_month,count\n{format_month(OLD_MONTH)},help,legal,new,,,3\n"
    upload = io.BytesIO(data.encode())
    upload.name = "requests.csv"

    preview = client_for(staff).post("/requests/import/", {"file": upload})

    assert ("Once imported, it can be undone from the home page until one of its months is submitted for review."
            in text_of(preview))
