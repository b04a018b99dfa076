"""Which months are published, as a partner's script sees it through the API and as
staff see it on the pages and exports: the same answer everywhere, from the stored
publications (reports/publication.py). A month is published once an auditor accepts
it, and stays published as it was while it is unlocked for a correction: a corrected
version is served only once an auditor accepts it. Partners learn only whether a month
is published, never its review state."""

import datetime as dt
import json
import re

import pytest

from intake.models import Programme
from signoff.report_checks import review_report_check
from signoff.services import review_grant_unlock, review_request_unlock, review_return, review_submit
from tests.conftest import add_request, add_requests
from tests.reports.accepting import accept_month

from .conftest import NOVEMBER, OCTOBER, bearer, new_report

SEPTEMBER = dt.date(2023, 9, 1)
# Words of the internal review, in both languages: none may reach a partner (the outcome
# "returned_to_unit", "Returned To Unit" in the schema, is not one of them).
REVIEW_WORDS = re.compile(r"\b(submitted|returned(?! to unit)|accepted|unlock\w*|review\w*|auditor|correction)\b"
                          r"|отправлен|возвращ|принят|разблокир|проверк|аудитор|исправлен")


def unlock(programme, people, month=NOVEMBER):
    review_request_unlock(programme=programme, month=month, reason="correction", actor=people["staff"])
    review_grant_unlock(programme=programme, month=month, actor=people["auditor"])


def published_in_listing(client, text, slug="desertion-help") -> list[str]:
    months = client.get(f"/api/v1/programmes/{slug}/months", **bearer(text)).json()
    return [month["month"] for month in months if month["published"]]


def listed_reports(client, text, scope="desertion-help") -> list[str]:
    return [report["month"] for report in client.get(f"/api/v1/reports/{scope}", **bearer(text)).json()]


def test_an_unlocked_month_still_serves_what_was_published_everywhere(client, published, issue, people,
                                                                     new_client_for):
    _, text = issue(programmes=[published["programme"]])
    assert published_in_listing(client, text) == ["2023-11"]

    unlock(published["programme"], people)

    assert published_in_listing(client, text) == ["2023-11"]
    assert listed_reports(client, text) == ["2023-11"]
    for path in ("latest", "2023-11", "2023-11/versions/1"):
        answer = client.get(f"/api/v1/reports/desertion-help/{path}", **bearer(text))
        assert answer.status_code == 200 and answer.json()["version"] == 1, path
    staff = new_client_for(people["staff"])
    for output in ("/?profile=public", ".json?profile=public", ".csv?profile=partner", "/print/?profile=public"):
        assert staff.get(f"/reports/desertion-help/2023-11/v1{output}").status_code == 200, output


def test_an_earlier_month_unlocked_leaves_the_months_that_count_it_as_published(client, published, issue, people):
    accept_month(published["programme"], OCTOBER, **people)
    _, text = issue(programmes=[published["programme"]])
    assert published_in_listing(client, text) == ["2023-10", "2023-11"]

    unlock(published["programme"], people, month=OCTOBER)

    assert published_in_listing(client, text) == ["2023-10", "2023-11"]
    latest = client.get("/api/v1/reports/desertion-help/latest", **bearer(text))
    assert latest.status_code == 200 and latest.json()["month"] == "2023-11"


def test_all_programmes_are_published_once_every_programme_has_accepted_the_month(client, published, issue,
                                                                                   people):
    _, text = issue(programmes=Programme.objects.all())
    assert listed_reports(client, text, "all") == ["2023-11"]  # the demo programme is the only one
    small = Programme.objects.create(slug="small", name="Small", first_month=NOVEMBER)
    add_request(programme=small, month=NOVEMBER, category="legal")
    new_report(small, NOVEMBER)
    _, text = issue(programmes=Programme.objects.all())
    # A programme that has not accepted November yet: all programmes keep what was published.
    assert client.get("/api/v1/reports/all/2023-11", **bearer(text)).json()["version"] == 1

    accept_month(small, NOVEMBER, **people)

    # Its acceptance publishes all programmes' November again, from a version made of both.
    assert listed_reports(client, text, "all") == ["2023-11", "2023-11"]
    latest = client.get("/api/v1/reports/all/2023-11", **bearer(text)).json()
    assert latest["version"] == 2
    assert latest["by_category"]["legal"] == "<10"  # the small programme's one request


def test_a_month_listed_says_only_whether_it_is_published(client, published, issue, people):
    programme = published["programme"]
    new_report(programme, OCTOBER)
    review_submit(programme=programme, month=OCTOBER, actor=people["staff"],
                  check_report=review_report_check(programme, OCTOBER))
    review_return(programme=programme, month=OCTOBER, reason="figures_disagree", actor=people["auditor"])
    _, text = issue(programmes=[programme])

    months = client.get("/api/v1/programmes/desertion-help/months", **bearer(text)).json()

    assert {"month": "2023-10", "published": False} in months
    assert {"month": "2023-11", "published": True} in months
    assert all(set(month) == {"month", "published"} for month in months)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_answer_a_partner_sees_tells_a_month_s_review_state(client, published, small_programme, issue, people,
                                                               language):
    programme = published["programme"]
    new_report(None, NOVEMBER)
    for month in (SEPTEMBER, OCTOBER):
        new_report(programme, month)
        review_submit(programme=programme, month=month, actor=people["staff"],
                      check_report=review_report_check(programme, month))
    review_return(programme=programme, month=OCTOBER, reason="figures_disagree", actor=people["auditor"])
    unlock(small_programme, people)  # November of the small programme: accepted, then unlocked
    _, text = issue(programmes=Programme.objects.all())
    paths = ["/api/v1/programmes", "/api/v1/programmes/desertion-help/months", "/api/v1/programmes/small/months",
             "/api/v1/reports/desertion-help", "/api/v1/reports/all", "/api/v1/reports/small"]
    for scope in ("desertion-help", "small", "all"):
        paths += [f"/api/v1/reports/{scope}/{month}" for month in ("latest", "2023-09", "2023-10", "2023-11")]

    answers = {path: client.get(path, HTTP_ACCEPT_LANGUAGE=language, **bearer(text)) for path in paths}
    answers["/api/openapi.json"] = client.get("/api/openapi.json")

    # Still served as published: an unlock of the small programme's November tells nothing.
    assert {answers[f"/api/v1/reports/{scope}/2023-11"].status_code for scope in ("small", "all")} == {200}
    assert {answers[f"/api/v1/reports/desertion-help/{month}"].status_code for month in ("2023-09", "2023-10")} == {409}
    for path, answer in answers.items():
        said = json.dumps(answer.json(), ensure_ascii=False).lower()
        assert not REVIEW_WORDS.findall(said), (path, said[:300])


def test_a_version_made_from_data_changed_since_is_refused_without_saying_why(client, people, issue):
    programme = Programme.objects.create(slug="late", name="Late", first_month=NOVEMBER)
    add_requests(20, programme=programme, month=NOVEMBER, category="legal")
    new_report(programme, NOVEMBER)
    add_request(programme=programme, month=NOVEMBER, category="legal")  # a late request, before the review
    new_report(programme, NOVEMBER)
    accept_month(programme, NOVEMBER, **people)
    _, text = issue(programmes=[programme])

    old = client.get("/api/v1/reports/late/2023-11/versions/1", **bearer(text))

    assert old.status_code == 409
    assert old.json()["detail"] == "Version 1 of this report is not published: ask for the latest version of the month."
    assert client.get("/api/v1/reports/late/2023-11/versions/2", **bearer(text)).status_code == 200
