"""Logging requests: one at a time (its reference shown once, findable in the
coordinator's own programmes only), or as counts grouped in an entry that can be
undone as a whole while its months are open."""

import re

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from intake import services
from intake.audit_actions import Action
from intake.counts import count_rows
from intake.models import AuditEvent, Entry, HelpRequest, MonthReview
from intake.months import add_months, format_month
from intake.services import RequestSpec, requests_log
from tests.conftest import THIS_MONTH, add_request, make_user, text_of

# Which entries may be undone depends on the current month: the clock is set for every test.
pytestmark = pytest.mark.usefixtures("this_month")
LAST_MONTH = add_months(THIS_MONTH, -1)
OLDER_MONTH = add_months(THIS_MONTH, -2)
REFERENCE_FORM = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


def counts_form(month=THIS_MONTH, **fields) -> dict:
    return {"programme": "help", "month": format_month(month), "category": "desertion", "status": "new",
            "outcome": "", "closed_month": "", "count": 7, **fields}


@pytest.fixture
def colleague(programme):
    """Another coordinator of the same programme."""
    return make_user("colleague", "Coordinator", [programme])


# --- one request ---------------------------------------------------------------------


def test_logging_one_request_stores_it_and_shows_its_reference_once(coordinator, programme, client_for):
    client = client_for(coordinator)

    response = client.post("/requests/new/", {"programme": "help", "month": "2023-10", "category": "legal"},
                           follow=True)

    request = HelpRequest.objects.get()
    assert (request.programme, format_month(request.month), request.category, request.status) == (
        programme, "2023-10", "legal", "new")
    assert response.redirect_chain == [(f"/requests/{request.reference}/", 302)]
    assert f"Request logged. Its reference is {request.reference}: note it for follow-up" in text_of(response)
    # The notice is not repeated on the next visit.
    assert "note it for follow-up" not in text_of(client.get(f"/requests/{request.reference}/"))


def test_a_single_request_is_its_own_entry_by_its_author(coordinator, programme, client_for):
    client_for(coordinator).post("/requests/new/", {"programme": "help", "month": "2023-10", "category": "legal"})

    entry = Entry.objects.get()
    assert (entry.kind, entry.author, entry.programme, entry.requests.count()) == ("single", coordinator, programme, 1)


def test_log_request_form_offers_only_the_coordinators_programmes(coordinator, programme, other_programme, client_for):
    response = client_for(coordinator).get("/requests/new/")

    assert list(response.context["form"].fields["programme"].queryset) == [programme]


# --- finding a request by reference ------------------------------------------------------


@pytest.mark.parametrize("typed", ["{ref}", "{lower}", "{bare}", " {spaced} "])
def test_coordinator_finds_a_request_of_their_programme_by_reference(coordinator, programme, client_for, typed):
    request = add_request(programme=programme, month=OLDER_MONTH, category="legal")
    ref = request.reference
    query = typed.format(ref=ref, lower=ref.lower(), bare=ref.replace("-", ""), spaced=f"{ref[:4]} {ref[5:]}")

    response = client_for(coordinator).get("/requests/find/", {"reference": query})

    assert response.status_code == 302
    assert response["Location"] == f"/requests/{ref}/"


def test_coordinator_cannot_find_another_programmes_request(coordinator, other_programme, client_for):
    request = add_request(programme=other_programme, month=OLDER_MONTH, category="legal")

    response = client_for(coordinator).get("/requests/find/", {"reference": request.reference})

    assert response.status_code == 404
    assert "No request with this reference in your programmes." in text_of(response)


def test_finding_a_reference_that_does_not_exist_is_not_found(coordinator, programme, client_for):
    response = client_for(coordinator).get("/requests/find/", {"reference": "K7Q2-9XWD"})

    assert response.status_code == 404


def test_staff_finds_a_request_of_any_programme(staff, other_programme, client_for):
    request = add_request(programme=other_programme, month=OLDER_MONTH, category="legal")

    response = client_for(staff).get("/requests/find/", {"reference": request.reference})

    assert response["Location"] == f"/requests/{request.reference}/"


# --- counts --------------------------------------------------------------------------


def test_logging_a_count_creates_that_many_requests_in_one_entry(coordinator, programme, client_for):
    response = client_for(coordinator).post("/requests/counts/", counts_form(count=7), follow=True)

    assert response.redirect_chain == [(f"/requests/month/help/{format_month(THIS_MONTH)}/?changed=desertion%3Anew", 302)]
    assert "7 requests logged: desertion (leave a unit), new." in text_of(response)
    entry = Entry.objects.get()
    assert (entry.kind, entry.author, entry.programme, entry.month) == ("count", coordinator, programme, THIS_MONTH)
    assert set(entry.requests.values_list("programme", "month", "category", "status", "outcome", "closed_month")) == {
        (programme.pk, THIS_MONTH, "desertion", "new", "", None)}
    references = list(HelpRequest.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 7
    assert all(REFERENCE_FORM.fullmatch(reference) for reference in references)


def test_logging_closed_requests_stores_their_outcome_and_month_closed(coordinator, programme, client_for):
    form = counts_form(month=OLDER_MONTH, status="closed", outcome="left_country",
                       closed_month=format_month(LAST_MONTH), count=3)

    response = client_for(coordinator).post("/requests/counts/", form)

    assert response.status_code == 302
    assert list(HelpRequest.objects.values_list("status", "outcome", "closed_month")) == [
        ("closed", "left_country", LAST_MONTH)] * 3


@pytest.mark.parametrize("count", [1, 5000])
def test_a_count_from_one_to_five_thousand_is_accepted(coordinator, programme, client_for, count):
    client = client_for(coordinator)

    with CaptureQueriesContext(connection) as queries:
        response = client.post("/requests/counts/", counts_form(count=count))

    assert response.status_code == 302
    assert HelpRequest.objects.count() == count
    assert Entry.objects.get().requests.count() == count
    assert Entry.objects.get().size == count
    references = list(HelpRequest.objects.values_list("reference", flat=True))
    assert len(set(references)) == count
    assert all(REFERENCE_FORM.fullmatch(reference) for reference in references)
    # Written in one statement, whatever the count, not one INSERT per request or per batch.
    inserts = [q["sql"] for q in queries if 'INSERT INTO "intake_helprequest"' in q["sql"]]
    assert len(inserts) == 1, inserts


def test_a_count_that_fails_part_way_writes_nothing(programme, coordinator, monkeypatch):
    """The rows of a count are written in one transaction: when the 1,500th collides
    with an existing reference (on the retry too), the first 1,499 are not kept."""
    taken = add_request(programme=programme, month=OLDER_MONTH, category="legal").reference
    fresh = (f"{n:04d}-XXXX".replace("0", "A").replace("1", "B") for n in range(10**6))
    draws = []

    def references_that_collide_at_1500(n: int) -> list[str]:
        draws.append(n)
        return [taken if i == 1499 else next(fresh) for i in range(n)]

    monkeypatch.setattr(services, "new_references", references_that_collide_at_1500)
    spec = RequestSpec(programme=programme, month=THIS_MONTH, category="desertion")

    with pytest.raises(IntegrityError):
        requests_log(spec=spec, count=1500, author=coordinator)

    assert draws == [1500, 1500]  # tried twice, each time drawing every reference at once
    assert list(HelpRequest.objects.values_list("reference", flat=True)) == [taken]
    assert not Entry.objects.exists()
    assert count_rows(programme=programme, until=THIS_MONTH) == [
        (OLDER_MONTH, "legal", "new", "", None, 1)
    ]


def test_a_reference_collision_is_retried_with_fresh_references(programme, coordinator, monkeypatch):
    taken = add_request(programme=programme, month=OLDER_MONTH, category="legal").reference
    real_references = services.new_references
    draws = []

    def first_draw_collides(n: int) -> list[str]:
        draws.append(n)
        references = real_references(n)
        if len(draws) == 1:
            references[3] = taken
        return references

    monkeypatch.setattr(services, "new_references", first_draw_collides)
    spec = RequestSpec(programme=programme, month=THIS_MONTH, category="desertion")

    entry = requests_log(spec=spec, count=10, author=coordinator)

    assert draws == [10, 10]
    assert entry.requests.count() == 10
    assert HelpRequest.objects.filter(reference=taken).count() == 1
    assert Entry.objects.count() == 1
    assert count_rows(programme=programme, until=THIS_MONTH) == [
        (OLDER_MONTH, "legal", "new", "", None, 1), (THIS_MONTH, "desertion", "new", "", None, 10)
    ]


# --- undoing an entry ------------------------------------------------------------------


def log_counts(client, month, count=4) -> Entry:
    response = client.post("/requests/counts/", counts_form(month=month, count=count))
    assert response.status_code == 302, response.context["form"].errors
    return Entry.objects.latest("pk")


@pytest.mark.parametrize("month", [THIS_MONTH, LAST_MONTH], ids=["current-month", "previous-month"])
def test_author_undoes_a_recent_entry_as_a_whole(coordinator, programme, client_for, month):
    client = client_for(coordinator)
    kept = log_counts(client, month, count=2)
    entry = log_counts(client, month, count=5)

    response = client.post(f"/requests/entries/{entry.pk}/undo/", follow=True)

    # Back to the month page, the cell the undone entry changed marked.
    assert response.redirect_chain == [(f"/requests/month/help/{format_month(month)}/?changed=desertion%3Anew", 302)]
    assert "Undone: 5 requests removed." in text_of(response)
    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert list(Entry.objects.all()) == [kept]
    assert HelpRequest.objects.count() == 2


def test_staff_undoes_a_coordinators_recent_entry(coordinator, staff, programme, new_client_for):
    entry = log_counts(new_client_for(coordinator), THIS_MONTH)

    response = new_client_for(staff).post(f"/requests/entries/{entry.pk}/undo/")

    assert response.status_code == 302
    assert not Entry.objects.exists()
    assert not HelpRequest.objects.exists()






def test_a_colleague_who_is_not_the_author_cannot_undo_an_entry(coordinator, colleague, programme, new_client_for):
    entry = log_counts(new_client_for(coordinator), THIS_MONTH)

    response = new_client_for(colleague).post(f"/requests/entries/{entry.pk}/undo/")

    assert response.status_code == 403
    assert entry.requests.count() == 4


def test_undoing_an_entry_already_undone_says_so_and_removes_nothing(coordinator, staff, programme, new_client_for):
    # The page sent twice, or a colleague's undo got there first (at the same instant:
    # tests/intake/test_concurrency.py).
    author = new_client_for(coordinator)
    kept = log_counts(author, THIS_MONTH, count=2)
    entry = log_counts(author, THIS_MONTH, count=5)
    new_client_for(staff).post(f"/requests/entries/{entry.pk}/undo/")

    response = author.post(f"/requests/entries/{entry.pk}/undo/", follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert "This entry has already been undone; nothing was removed." in text_of(response)
    assert "Undone:" not in text_of(response)
    assert list(Entry.objects.all()) == [kept]
    assert HelpRequest.objects.count() == 2
    assert AuditEvent.objects.filter(action=Action.ENTRY_UNDONE).count() == 1


def test_an_undone_entry_of_another_programme_stays_unknown(coordinator, other_coordinator, programme,
                                                            other_programme, new_client_for):
    theirs = requests_log(spec=RequestSpec(programme=other_programme, month=THIS_MONTH, category="legal"), count=3,
                          author=other_coordinator)
    new_client_for(other_coordinator).post(f"/requests/entries/{theirs.pk}/undo/")
    mine = new_client_for(coordinator)

    undone_elsewhere = mine.post(f"/requests/entries/{theirs.pk}/undo/")
    never_was = mine.post(f"/requests/entries/{theirs.pk + 1000}/undo/")

    assert undone_elsewhere.status_code == never_was.status_code == 404
    assert "already been undone" not in undone_elsewhere.content.decode()




def test_entries_in_programmes_are_those_of_the_programmes_given(coordinator, programme, other_programme):
    mine = Entry.objects.create(programme=programme, month=THIS_MONTH, kind=Entry.Kind.COUNT, author=coordinator)
    Entry.objects.create(programme=other_programme, month=THIS_MONTH, kind=Entry.Kind.COUNT, author=coordinator)

    assert list(Entry.objects.in_programmes(coordinator.programmes.all())) == [mine]


def test_undo_asks_first_and_a_get_removes_nothing(coordinator, programme, client_for):
    client = client_for(coordinator)
    entry = log_counts(client, THIS_MONTH)

    response = client.get(f"/requests/entries/{entry.pk}/undo/")

    assert response.status_code == 200
    assert "Undoing removes 4 requests:" in text_of(response)
    assert entry.requests.count() == 4


def test_home_offers_undo_for_the_coordinators_own_entries_of_open_months_only(
    coordinator, colleague, programme, new_client_for
):
    colleagues = log_counts(new_client_for(colleague), THIS_MONTH)
    client = new_client_for(coordinator)
    mine = log_counts(client, LAST_MONTH)
    mine_old = log_counts(client, OLDER_MONTH)
    MonthReview.objects.create(programme=programme, month=OLDER_MONTH, state=MonthReview.State.SUBMITTED,
                               report_version=1)

    page = client.get("/").content.decode()

    assert f'href="/requests/entries/{mine.pk}/undo/"' in page
    assert f'href="/requests/entries/{mine_old.pk}/undo/"' not in page
    assert f'href="/requests/entries/{colleagues.pk}/undo/"' not in page
