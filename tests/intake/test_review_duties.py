"""Separation of duties in month sign-off, against an account that holds every role
(Staff, Auditor and Coordinator of the programme): whoever wrote any figure of a month
(logged, imported, moved, started, closed, reopened or undid requests received in it
or closed in it) cannot accept it, however the write was made and whatever happened
to the requests since (undone, collapsed into counts). Each write is made on the
pages, as the account would make it; the acceptance is refused on the review page with
the reason, and an auditor who wrote nothing in the month accepts it."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from intake.models import AuditEvent, Entry, HelpRequest, MonthReview
from intake.retention import month_collapse
from intake.services import Move, RequestSpec, requests_log, requests_move
from signoff.report_checks import review_report_check
from signoff.services import review_accept, review_submit
from tests.conftest import add_request, make_user, text_of
from tests.reports.accepting import make_report

JANUARY, MONTH = dt.date(2026, 1, 1), dt.date(2026, 2, 1)  # MONTH: the month before the test clock's
URL = "/review/help/2026-02/"
REFUSED = ("You changed requests of this month (logged, imported, moved, started, closed, reopened or undid them), "
           "so another auditor must accept it.")


@pytest.fixture
def people(this_month, programme):
    every_role = make_user("every-role", "Staff", [programme])
    every_role.groups.add(*Group.objects.filter(name__in=["Auditor", "Coordinator"]))
    return {"every_role": every_role, "staff": make_user("staff-b", "Staff"),
            "auditor": make_user("auditor-b", "Auditor"), "coordinator": make_user("coord-b", "Coordinator",
                                                                                   [programme])}


def submit(programme, people, month=MONTH):
    make_report(programme, month)
    review_submit(programme=programme, month=month, actor=people["staff"],
                  check_report=review_report_check(programme, month))


def state(programme, month=MONTH) -> str:
    return MonthReview.objects.get(programme=programme, month=month).state


# Each write, made on the pages by `browser` (the account with every role); returns the
# answer, and what it expects the requests of the programme to be afterwards.


def receive(browser, programme, people):
    answer = browser.post("/requests/counts/", {"programme": "help", "month": "2026-02", "category": "legal",
                                                "status": "new", "count": "2"})
    return answer, {(MONTH, "new", None): 2}


def close_into_the_month(browser, programme, people):
    request = add_request(programme=programme, month=JANUARY, category="legal")
    answer = browser.post(f"/requests/{request.reference}/close/", {"seen": "new", "outcome": "referred",
                                                                    "month": "2026-02"})
    return answer, {(JANUARY, "closed", MONTH): 1}


def move_closed_into_the_month(browser, programme, people):
    for _ in range(3):
        add_request(programme=programme, month=JANUARY, category="legal")
    answer = browser.post("/requests/move/", {"programme": "help", "month": "2026-01", "category": "legal",
                                              "from_status": "new", "count": "2", "to_status": "closed",
                                              "outcome": "left_country", "closed_month": "2026-02"})
    return answer, {(JANUARY, "new", None): 1, (JANUARY, "closed", MONTH): 2}


def move_within_the_month(browser, programme, people):
    requests_log(spec=RequestSpec(programme=programme, month=MONTH, category="legal"), count=3,
                 author=people["coordinator"])
    answer = browser.post("/requests/move/", {"programme": "help", "month": "2026-02", "category": "legal",
                                              "from_status": "new", "count": "1", "to_status": "in_progress"})
    return answer, {(MONTH, "new", None): 2, (MONTH, "in_progress", None): 1}


def start_one(browser, programme, people):
    request = add_request(programme=programme, month=MONTH, category="legal")
    answer = browser.post(f"/requests/{request.reference}/start/", {"seen": "new"})
    return answer, {(MONTH, "in_progress", None): 1}


def reopen(browser, programme, people):
    request = add_request(programme=programme, month=JANUARY, category="legal", status="closed",
                          outcome="referred", closed_month=MONTH)
    answer = browser.post(f"/requests/{request.reference}/reopen/", {"seen": "closed"})
    return answer, {(JANUARY, "in_progress", None): 1}


def import_rows(browser, programme, people):
    data = b"month,programme,category,status,outcome,closed_month,count\n2026-02,help,legal,new,,,4\n"
    preview = browser.post("/requests/import/", {"file": SimpleUploadedFile("requests.csv", data, "text/csv")})
    answer = browser.post("/requests/import/", {"preview": preview.context["key"]})
    return answer, {(MONTH, "new", None): 4}


def undo(browser, programme, people):
    entry = requests_log(spec=RequestSpec(programme=programme, month=MONTH, category="legal"), count=3,
                         author=people["coordinator"])
    answer = browser.post(f"/requests/entries/{entry.pk}/undo/")
    return answer, {}


def undo_a_move(browser, programme, people):
    requests_log(spec=RequestSpec(programme=programme, month=MONTH, category="legal"), count=2,
                 author=people["coordinator"])
    requests_move(Move(programme=programme, month=MONTH, category="legal", from_status="new", count=2,
                       to_status="in_progress"), actor=people["coordinator"])
    move = Entry.objects.get(kind=Entry.Kind.MOVE)
    answer = browser.post(f"/requests/entries/{move.pk}/undo/")
    return answer, {(MONTH, "new", None): 2}


WRITES = [receive, close_into_the_month, move_closed_into_the_month, move_within_the_month, start_one, reopen,
          import_rows, undo, undo_a_move]


@pytest.mark.parametrize("write", WRITES, ids=[write.__name__ for write in WRITES])
def test_an_account_that_wrote_a_figure_of_the_month_cannot_accept_it(programme, people, new_client_for, write):
    browser = new_client_for(people["every_role"])
    answer, expected = write(browser, programme, people)
    assert answer.status_code == 302, text_of(answer)  # the write was made
    requests = HelpRequest.objects.filter(programme=programme)
    assert {(month, status, closed): requests.filter(month=month, status=status, closed_month=closed).count()
            for month, status, closed in expected} == expected
    submit(programme, people)

    page = browser.get(URL)
    refused = browser.post(URL, {"action": "accept"})

    assert REFUSED in text_of(page)
    assert "Return to staff" in text_of(page) and ">Accept<" not in page.content.decode()
    assert refused.status_code == 400 and REFUSED in text_of(refused)
    assert state(programme) == MonthReview.State.SUBMITTED
    # An auditor who wrote nothing in the month accepts it.
    assert new_client_for(people["auditor"]).post(URL, {"action": "accept"}).status_code == 302
    assert state(programme) == MonthReview.State.ACCEPTED


def test_writes_in_other_months_or_programmes_do_not_bar_the_account(programme, other_programme, people,
                                                                     new_client_for):
    other_programme.members.add(people["every_role"])
    browser = new_client_for(people["every_role"])
    for month, slug in (("2026-01", "help"), ("2026-02", "other")):
        assert browser.post("/requests/counts/", {"programme": slug, "month": month, "category": "legal",
                                                  "status": "new", "count": "1"}).status_code == 302
    request = add_request(programme=programme, month=JANUARY, category="legal")
    assert browser.post(f"/requests/{request.reference}/close/", {"seen": "new", "outcome": "referred",
                                                                  "month": "2026-01"}).status_code == 302
    submit(programme, people)

    assert REFUSED not in text_of(browser.get(URL))
    assert browser.post(URL, {"action": "accept"}).status_code == 302
    assert state(programme) == MonthReview.State.ACCEPTED
    assert AuditEvent.objects.filter(action="month_accepted", actor=people["every_role"]).exists()


def test_requests_kept_as_counts_only_still_bar_whoever_logged_them(programme, people):
    """January's requests closed in February are deleted once February is accepted and
    collapsed; who logged them in January still cannot accept January."""
    requests_log(spec=RequestSpec(programme=programme, month=JANUARY, category="legal", status="closed",
                                  outcome="referred", closed_month=MONTH), count=2, author=people["every_role"])
    submit(programme, people)
    review_accept(programme=programme, month=MONTH, actor=people["auditor"],
                  check_report=review_report_check(programme, MONTH))
    assert month_collapse(programme=programme, month=MONTH, actor=people["staff"]) == 2
    assert not HelpRequest.objects.exists()
    submit(programme, people, month=JANUARY)

    with pytest.raises(ValidationError) as caught:
        review_accept(programme=programme, month=JANUARY, actor=people["every_role"],
                      check_report=review_report_check(programme, JANUARY))

    assert caught.value.messages == [REFUSED]
    assert state(programme, JANUARY) == MonthReview.State.SUBMITTED
