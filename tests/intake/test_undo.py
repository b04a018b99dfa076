"""Undo asks first, on a page saying what will be removed or put back; moves and
imports are entries too, and a move is reversed exactly, or not at all."""

import pytest

from intake.counts import count_rows
from intake.models import Entry, HelpRequest
from intake.months import format_month
from intake.services import Move, RequestSpec, requests_log, requests_move
from tests.conftest import THIS_MONTH, text_of

pytestmark = pytest.mark.usefixtures("this_month")
MONTH = format_month(THIS_MONTH)


def cells(programme) -> list:
    return count_rows(programme=programme, until=THIS_MONTH)


def log(programme, coordinator, count, category="legal"):
    return requests_log(spec=RequestSpec(programme=programme, month=THIS_MONTH, category=category), count=count,
                        author=coordinator)


def move_form(**fields) -> dict:
    return {"programme": "help", "month": MONTH, "category": "legal", "from_status": "new", "count": "3",
            "to_status": "closed", "outcome": "detained", "closed_month": MONTH, **fields}


def test_the_confirmation_says_how_many_are_worked_on_before_removing_them(coordinator_client, coordinator, programme):
    entry = log(programme, coordinator, 40)
    requests_move(Move(programme=programme, month=THIS_MONTH, category="legal", from_status="new", count=10,
                       to_status="closed", outcome="left_country", closed_month=THIS_MONTH), actor=coordinator)

    text = text_of(coordinator_client.get(f"/requests/entries/{entry.pk}/undo/"))

    assert "Undoing removes 40 requests:" in text
    assert "Legal consultation New 30" in text
    assert "Legal consultation Closed (Left the country) 10" in text
    assert "10 of them are in progress or closed: they are removed too, with their outcomes." in text
    assert HelpRequest.objects.count() == 40


def test_a_move_is_an_entry_undone_exactly(coordinator_client, coordinator, programme):
    log(programme, coordinator, 5)
    before = cells(programme)
    coordinator_client.post("/requests/move/", move_form())
    move = Entry.objects.get(kind="move")
    assert (move.size, move.author, move.programme) == (3, coordinator, programme)
    page = text_of(coordinator_client.get(f"/requests/entries/{move.pk}/undo/"))
    assert "Undoing puts 3 requests back where they were:" in page
    assert "Closed (Detained) New 3" in page

    response = coordinator_client.post(f"/requests/entries/{move.pk}/undo/", follow=True)

    assert "Undone: 3 requests put back where they were." in text_of(response)
    assert response.redirect_chain[0][0].startswith(f"/requests/month/help/{MONTH}/?changed=")
    assert cells(programme) == before
    assert set(HelpRequest.objects.values_list("status", flat=True)) == {"new"}
    assert not Entry.objects.filter(kind="move").exists()


def test_a_move_whose_requests_moved_since_is_not_undone(coordinator_client, coordinator, programme):
    log(programme, coordinator, 5)
    coordinator_client.post("/requests/move/", move_form(to_status="in_progress", outcome="", closed_month=""))
    first_move = Entry.objects.get(kind="move")
    coordinator_client.post("/requests/move/", move_form(from_status="in_progress", count="1"))
    after = cells(programme)

    response = coordinator_client.post(f"/requests/entries/{first_move.pk}/undo/", follow=True)

    assert ("1 of the requests of this move has been changed or removed since; nothing was undone."
            in text_of(response))
    assert cells(programme) == after
    assert Entry.objects.filter(pk=first_move.pk).exists()


def test_an_import_is_one_entry_undone_whole(client_for, staff, programme, other_programme):
    from intake.services import requests_import

    entry, = requests_import([(RequestSpec(programme=programme, month=THIS_MONTH, category="legal"), 3),
                              (RequestSpec(programme=other_programme, month=THIS_MONTH, category="other"), 2)],
                             author=staff)
    client = client_for(staff)
    assert "Undoing removes 5 requests:" in text_of(client.get(f"/requests/entries/{entry.pk}/undo/"))

    client.post(f"/requests/entries/{entry.pk}/undo/")

    assert not HelpRequest.objects.exists()
    assert cells(programme) == cells(other_programme) == []


def test_undoing_an_import_of_one_programme_returns_to_its_month_with_the_cells_marked(client_for, staff, programme):
    from intake.services import requests_import

    entry, = requests_import([(RequestSpec(programme=programme, month=THIS_MONTH, category="legal"), 3),
                              (RequestSpec(programme=programme, month=THIS_MONTH, category="other"), 2)],
                             author=staff)

    response = client_for(staff).post(f"/requests/entries/{entry.pk}/undo/")

    assert response.status_code == 302
    assert response["Location"] == (f"/requests/month/help/{format_month(THIS_MONTH)}/"
                                    "?changed=legal%3Anew&changed=other%3Anew")


def test_undoing_counts_returns_to_the_month_with_the_cells_marked(coordinator_client, coordinator, programme):
    entry = log(programme, coordinator, 2)

    response = coordinator_client.post(f"/requests/entries/{entry.pk}/undo/")

    assert response["Location"] == f"/requests/month/help/{format_month(THIS_MONTH)}/?changed=legal%3Anew"
