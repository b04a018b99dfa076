"""The review page of a programme's month, /review/<slug>/<YYYY-MM>/, and the queue,
/review/: what staff and auditors see, and the steps posted to the page (the interface
scripts use: action=submit|accept|return|reopen|request_unlock|grant_unlock)."""

import datetime as dt
import re

import pytest

from intake.models import AuditEvent, Entry, HelpRequest, MonthReview
from intake.services import RequestSpec, requests_log
from reports.services import report_generate, report_request
from tests.conftest import make_user, text_of

URL = "/review/desertion-help/2023-11/"
State = MonthReview.State


@pytest.fixture
def people(db, this_month):
    return {"staff": make_user("staff-a", "Staff"), "auditor": make_user("auditor-a", "Auditor")}


def post(client_for, user, data, **extra):
    return client_for(user).post(URL, data, **extra)


def state():
    review = MonthReview.objects.filter(month=dt.date(2023, 11, 1)).first()
    return review.state if review else State.OPEN


def summary(response) -> list[tuple[str, str]]:
    """The error summary at the top of the page: (where each link goes, its text)."""
    box = re.search(r"data-error-summary>(.*?)</div>", response.content.decode(), re.S)
    return re.findall(r'<a class="alert-link" href="#([^"]+)">([^<]+)</a>', box[1]) if box else []


def test_staff_see_the_month_its_grid_its_report_and_the_step_they_can_take(people, november_report, client_for):
    page = text_of(client_for(people["staff"]).get(URL))

    assert "Review: Desertion help (demo), November 2023" in page
    assert "State: Open" in page
    assert "Requests received in the month 175" in page
    assert "Version 1 of the report" in page
    # The grid: the demo's November is all desertion requests (20% closed, 40% in progress, 40% new).
    assert "Desertion (leave a unit) 70 70 35 175" in page
    assert "Total 70 70 35 175" in page
    assert "Submit for review" in page
    assert "Accept" not in page


def test_a_month_is_submitted_returned_reopened_resubmitted_and_accepted_on_its_page(people, november_report,
                                                                                    client_for):
    staff, auditor = people["staff"], people["auditor"]

    submitted = post(client_for, staff, {"action": "submit"}, follow=True)
    assert state() == State.SUBMITTED
    assert "Submitted for review on version 1 of the report." in text_of(submitted)
    returned = post(client_for, auditor, {"action": "return", "reason": "late_data"}, follow=True)
    assert state() == State.RETURNED
    assert "Returned by an auditor: Data entered late." in text_of(returned)
    post(client_for, staff, {"action": "reopen"})
    assert state() == State.OPEN
    post(client_for, staff, {"action": "submit", "version": "1"})
    accepted = post(client_for, auditor, {"action": "accept"}, follow=True)

    assert state() == State.ACCEPTED
    assert "Accepted by an auditor in March 2026, on version 1 of the report." in text_of(accepted)
    assert "Final: accepted by an auditor in March 2026." in text_of(accepted)
    assert list(AuditEvent.objects.filter(action__startswith="month_").values_list("actor__username", "action")
                .order_by("pk")) == [
        ("staff-a", "month_submitted"), ("auditor-a", "month_returned"), ("staff-a", "month_reopened"),
        ("staff-a", "month_submitted"), ("auditor-a", "month_accepted"),
    ]


def test_an_unlock_is_asked_for_by_staff_and_granted_by_an_auditor_on_the_page(people, november_report,
                                                                               client_for):
    staff, auditor = people["staff"], people["auditor"]
    post(client_for, staff, {"action": "submit"})
    post(client_for, auditor, {"action": "accept"})

    asked = post(client_for, staff, {"action": "request_unlock", "reason": "correction"}, follow=True)
    assert "Staff asked for an unlock: Figures need correcting." in text_of(asked)
    granted = post(client_for, auditor, {"action": "grant_unlock", "days": "3"}, follow=True)

    assert "Unlocked until the end of 18 March 2026" in text_of(granted)
    assert MonthReview.objects.get().is_unlocked()


def test_a_step_that_cannot_be_taken_is_shown_in_an_error_summary(people, demo_programme, client_for):
    staff, auditor = people["staff"], people["auditor"]

    no_report = post(client_for, staff, {"action": "submit"})
    post_nothing = post(client_for, staff, {})

    assert no_report.status_code == 400
    assert summary(no_report) == [("actions", "There is no ready report of November 2023 for Desertion help (demo) yet: "
                                              "generate one, then submit the month.")]
    assert "Generate the report" in text_of(no_report)
    assert post_nothing.status_code == 400
    assert summary(post_nothing) == [("actions", "This field is required.")]
    assert state() == State.OPEN
    assert client_for(auditor).post(URL, {"action": "accept"}).status_code == 400


def test_a_month_is_returned_only_with_a_reason_chosen(people, november_report, client_for):
    post(client_for, people["staff"], {"action": "submit"})

    response = post(client_for, people["auditor"], {"action": "return", "reason": "because I say so"})

    assert response.status_code == 400
    assert summary(response) == [("return-reason", "Choose why the month is returned.")]
    assert 'id="return-reason"' in response.content.decode()
    assert state() == State.SUBMITTED


def test_each_role_takes_only_its_own_steps(people, november_report, client_for):
    staff, auditor = people["staff"], people["auditor"]

    assert post(client_for, auditor, {"action": "submit"}).status_code == 403
    post(client_for, staff, {"action": "submit"})
    assert post(client_for, staff, {"action": "accept"}).status_code == 403
    assert post(client_for, staff, {"action": "return", "reason": "other"}).status_code == 403
    assert state() == State.SUBMITTED


def test_the_auditor_who_logged_requests_in_the_month_is_told_another_must_accept(people, demo_programme,
                                                                                november_report, client_for):
    both = make_user("both", "Coordinator", [demo_programme])
    both.groups.add(people["auditor"].groups.get())
    requests_log(spec=RequestSpec(programme=demo_programme, month=dt.date(2023, 11, 1), category="legal"),
                 author=both)
    report_generate(report_id=report_request(programme=demo_programme, month=dt.date(2023, 11, 1), send=False).pk)
    post(client_for, people["staff"], {"action": "submit"})

    page = client_for(both).get(URL)
    refused = client_for(both).post(URL, {"action": "accept"})

    assert ("You changed requests of this month (logged, imported, moved, started, closed, reopened or undid them), "
            "so another auditor must accept it.") in text_of(page)
    assert "Return to staff" in text_of(page) and ">Accept<" not in page.content.decode()
    assert refused.status_code == 400
    assert state() == State.SUBMITTED


def test_the_auditor_sees_the_entries_of_the_month_but_never_a_request(people, demo_programme, november_report,
                                                                       client_for):
    coordinator = make_user("coord-x", "Coordinator", [demo_programme])
    requests_log(spec=RequestSpec(programme=demo_programme, month=dt.date(2023, 11, 1), category="legal"), count=4,
                 author=coordinator)
    single = requests_log(spec=RequestSpec(programme=demo_programme, month=dt.date(2023, 11, 1), category="other"),
                          author=coordinator, kind=Entry.Kind.SINGLE)

    response = client_for(people["auditor"]).get(URL)
    page = text_of(response)

    assert "Entries logged in this month" in page
    assert "Count 4 November 2023" in page and "One request 1 November 2023" in page
    references = set(HelpRequest.objects.filter(month=dt.date(2023, 11, 1)).values_list("reference", flat=True))
    assert single.requests.get().reference in references
    assert not any(reference in response.content.decode() for reference in references)
    assert "/requests/" not in response.content.decode()


@pytest.mark.parametrize("url", ["/review/desertion-help/2023-03/", "/review/desertion-help/2026-04/",
                                 "/review/nobody/2023-11/", "/review/all/2023-11/"])
def test_a_month_outside_the_programme_or_in_the_future_is_not_found(people, demo_programme, client_for, url):
    assert client_for(people["staff"]).get(url).status_code == 404


def test_the_queue_shows_auditors_what_awaits_them_and_staff_what_was_returned(people, november_report,
                                                                               client_for):
    staff, auditor = people["staff"], people["auditor"]
    post(client_for, staff, {"action": "submit"})
    awaiting = text_of(client_for(auditor).get("/review/"))
    post(client_for, auditor, {"action": "return", "reason": "duplicates"})
    returned = text_of(client_for(staff).get("/review/"))

    assert "Awaiting an auditor Desertion help (demo), November 2023 submitted on version 1" in awaiting
    assert "Returned to staff Desertion help (demo), November 2023 Duplicates suspected" in returned
    assert "Nothing is awaiting an auditor." in returned


def test_the_queue_lists_each_programmes_recent_months_with_their_states(people, programme, client_for):
    MonthReview.objects.create(programme=programme, month=dt.date(2026, 1, 1), state=State.ACCEPTED,
                               report_version=2, accepted_in=dt.date(2026, 2, 1))

    page = text_of(client_for(people["staff"]).get("/review/"))

    assert "Recent months Help Feb 2026 Open Jan 2026 Accepted Dec 2025 Open" in page
    assert "Mar 2025 Open" in page and "Feb 2025" not in page  # twelve months, none of them the current one


def test_the_review_page_speaks_russian(people, november_report, client_for):
    page = text_of(client_for(people["staff"]).get(URL, HTTP_ACCEPT_LANGUAGE="ru"))

    assert "Проверка: Помощь в уходе из армии (демо), ноябрь 2023 г." in page
    assert "Отправить на проверку" in page
    post(client_for, people["staff"], {"action": "submit"})
    queue = text_of(client_for(people["auditor"]).get("/review/", HTTP_ACCEPT_LANGUAGE="ru"))
    assert "Помощь в уходе из армии (демо), ноябрь 2023 г." in queue and "Desertion help" not in queue


def test_the_review_page_says_publishing_waits_when_the_key_file_is_missing(people, november_report, client_for,
                                                                            settings, tmp_path):
    from reports.publication import PublicationFailed
    from tests.reports.accepting import accept_month

    settings.PUBLICATION_KEY_FILE = tmp_path / "missing.key"
    staff, auditor = people["staff"], people["auditor"]
    with pytest.raises(PublicationFailed):
        accept_month(november_report.programme, november_report.month, staff=staff, auditor=auditor)

    text = text_of(client_for(auditor).get(URL))

    assert "Publication: Failed" in text
    assert f"Not published: Publishing waits: there is no publication key file at {tmp_path / 'missing.key'}" in text


# The session and account (4 to 6), the review with its programme, the ready versions
# with their documents, the month's latest publication, the attempt, the grid, the
# entries (2), and the session saved (1 to 3, as the database wraps it).
REVIEW_PAGE_QUERIES = 15


def test_the_review_page_of_an_accepted_month_costs_the_same_queries_with_later_versions_waiting(
        people, november_report, client_for, django_assert_max_num_queries):
    from tests.reports.accepting import accept_month, make_report

    accept_month(november_report.programme, november_report.month, **people)
    client = client_for(people["auditor"])
    client.get(URL)
    with django_assert_max_num_queries(REVIEW_PAGE_QUERIES) as accepted:
        page = text_of(client.get(URL))
    for _ in range(3):
        make_report(november_report.programme, november_report.month)
    with django_assert_max_num_queries(len(accepted)):
        waiting = text_of(client.get(URL))

    assert "Version 1 is published" in page and "waits for an auditor" not in page
    assert ("Version 4 waits for an auditor’s acceptance: until then, partner and public outputs serve version 1."
            in waiting)
    assert "Final: accepted by an auditor in" in page and "Final: accepted by an auditor in" in waiting
