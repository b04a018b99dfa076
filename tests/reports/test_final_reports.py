"""Reports of accepted months are final: the month is locked, so a report made later
for the same programme and month states the same figures; the report page says so,
with who accepted it (the role) and in which month. The submitted version is checked
against the data when the month is submitted and when it is accepted."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from intake.models import HelpRequest, MonthLocked, Status
from intake.services import Move, RequestSpec, request_close, request_reopen, requests_log, requests_move
from reports.finality import report_finality, same_figures
from reports.models import Report
from signoff.report_checks import review_report_check
from signoff.services import review_grant_unlock, review_request_unlock, review_submit
from tests.conftest import make_user, text_of
from tests.reports.accepting import accept_month, make_report

SEPTEMBER, OCTOBER, NOVEMBER, DECEMBER = (dt.date(2023, month, 1) for month in (9, 10, 11, 12))


def new_version(programme, month=NOVEMBER) -> Report:
    return make_report(programme, month)


@pytest.fixture
def people(db, this_month):
    return {"staff": make_user("staff-a", "Staff"), "auditor": make_user("auditor-a", "Auditor")}


def submit(programme, people, month=NOVEMBER):
    return review_submit(programme=programme, month=month, actor=people["staff"],
                         check_report=review_report_check(programme, month))


def log(programme, month, count=1, **fields):
    return requests_log(spec=RequestSpec(programme=programme, month=month, category="desertion", **fields),
                        count=count, author=None)


def test_a_report_made_after_november_is_accepted_states_the_same_figures(people, demo_programme, november_report):
    accept_month(demo_programme, NOVEMBER, **people)
    october_in_progress = HelpRequest.objects.filter(programme=demo_programme, month=OCTOBER,
                                                     status=Status.IN_PROGRESS)
    closed_in_november = HelpRequest.objects.filter(programme=demo_programme, closed_month=NOVEMBER).first()

    # What would change November is refused: its own requests, and the months it counts.
    for attempt in [
        lambda: log(demo_programme, NOVEMBER, 3),
        lambda: log(demo_programme, SEPTEMBER, 3),
        lambda: requests_move(Move(programme=demo_programme, month=NOVEMBER, category="desertion",
                                   from_status="new", count=2, to_status="in_progress"), actor=None),
        lambda: request_close(help_request=october_in_progress.first(), seen="in_progress", outcome="detained",
                              month=NOVEMBER, actor=None),
        lambda: request_reopen(help_request=closed_in_november, seen="closed", actor=None),
    ]:
        with pytest.raises(MonthLocked):
            attempt()
    # What leaves November as it stood goes on: December's requests, October's work
    # carried on (started, closed in December).
    log(demo_programme, DECEMBER, 40)
    log(demo_programme, DECEMBER, 5, status="closed", outcome="left_country", closed_month=DECEMBER)
    requests_move(Move(programme=demo_programme, month=OCTOBER, category="desertion", from_status="new", count=10,
                       to_status="in_progress"), actor=None)
    request_close(help_request=october_in_progress.first(), seen="in_progress", outcome="detained", month=DECEMBER,
                  actor=None)
    later = new_version(demo_programme)

    assert later.version == 2
    assert same_figures(later.document, november_report.document)
    assert later.body["requests"]["this_month"] == 175
    assert later.body["window"]["current"]["requests"] == 577
    # The fingerprint covers October's requests as they stand now, closed in December.
    assert later.fingerprint != november_report.fingerprint
    assert report_finality(later).same_figures and report_finality(november_report).same_figures


def test_changes_in_later_months_only_leave_even_the_fingerprint_as_it_was(people, demo_programme, november_report):
    accept_month(demo_programme, NOVEMBER, **people)
    log(demo_programme, DECEMBER, 40)

    later = new_version(demo_programme)

    assert {key: value for key, value in later.body.items() if key != "version"} == {
        key: value for key, value in november_report.body.items() if key != "version"}


def test_a_month_is_submitted_only_on_a_ready_report_that_matches_the_data(people, demo_programme):
    with pytest.raises(ValidationError) as no_report:
        submit(demo_programme, people)
    first = new_version(demo_programme)
    log(demo_programme, NOVEMBER, 2)  # after the report: it no longer tells the month's figures
    with pytest.raises(ValidationError) as changed:
        submit(demo_programme, people)
    with pytest.raises(ValidationError) as not_ready:
        review_submit(programme=demo_programme, month=NOVEMBER, actor=people["staff"], version=7,
                      check_report=review_report_check(demo_programme, NOVEMBER))
    second = new_version(demo_programme)

    review = submit(demo_programme, people)

    assert no_report.value.messages == [
        "There is no ready report of November 2023 for Desertion help (demo) yet: generate one, then submit the "
        "month."]
    assert changed.value.messages == [
        "The data has changed since version 1 of the report was made: generate a new version, then submit the "
        "month on it."]
    assert not_ready.value.message_dict == {
        "version": ["Version 7 of the report of November 2023 is not ready. Choose a ready version."]}
    assert (first.version, second.version, review.report_version) == (1, 2, 2)


def test_a_change_that_leaves_the_figures_as_they_were_does_not_stop_a_submission(people, demo_programme,
                                                                                   november_report):
    october = HelpRequest.objects.filter(programme=demo_programme, month=OCTOBER, status=Status.IN_PROGRESS).first()
    request_close(help_request=october, seen="in_progress", outcome="detained", month=DECEMBER, actor=None)

    review = submit(demo_programme, people)

    assert review.report_version == 1


# --- the report page ---------------------------------------------------------------------------------


def test_the_report_of_an_accepted_month_says_it_is_final_and_who_accepted_it(people, demo_programme,
                                                                              november_report, client_for):
    accept_month(demo_programme, NOVEMBER, **people)
    new_version(demo_programme)
    client = client_for(people["auditor"])

    first = text_of(client.get("/reports/desertion-help/2023-11/v1/"))
    second = text_of(client.get("/reports/desertion-help/2023-11/v2/"))
    russian = text_of(client.get("/reports/desertion-help/2023-11/v1/", HTTP_ACCEPT_LANGUAGE="ru"))

    assert "Final: accepted by an auditor in March 2026." in first
    assert "Final: accepted by an auditor in March 2026. Version 1 was accepted; this version states the same " \
           "figures." in second
    assert "Окончательный: в марте 2026 г. месяц принят аудитором." in russian


def test_a_report_of_a_month_not_accepted_is_not_final(people, demo_programme, november_report, client_for):
    submit(demo_programme, people)

    page = text_of(client_for(people["staff"]).get("/reports/desertion-help/2023-11/v1/"))

    assert "Final" not in page
    assert report_finality(november_report) is None


def test_figures_changed_while_the_month_was_unlocked_are_not_final(people, demo_programme, november_report,
                                                                      client_for):
    accept_month(demo_programme, NOVEMBER, **people)
    review_request_unlock(programme=demo_programme, month=NOVEMBER, reason="late_data", actor=people["staff"])
    review_grant_unlock(programme=demo_programme, month=NOVEMBER, actor=people["auditor"])
    log(demo_programme, NOVEMBER, 3)
    changed = new_version(demo_programme)

    page = text_of(client_for(people["staff"]).get("/reports/desertion-help/2023-11/v2/"))

    assert report_finality(changed) == report_finality(changed).__class__(
        accepted_in=dt.date(2026, 3, 1), version=1, same_figures=False)
    assert ("Not final: an auditor accepted version 1 of this month in March 2026, and this version's figures "
            "differ from it.") in page
