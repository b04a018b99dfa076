import datetime as dt

import pytest

from api.models import ApiToken
from api.tokens import token_issue
from intake.models import Programme
from signoff.report_checks import review_report_check
from signoff.services import review_accept, review_submit
from tests.conftest import add_request, make_user
from tests.reports.accepting import make_report

OCTOBER, NOVEMBER = dt.date(2023, 10, 1), dt.date(2023, 11, 1)


new_report = make_report  # the next version of a scope's report, made in this process


@pytest.fixture
def people(db, this_month):
    return {"staff": make_user("staff-a", "Staff"), "auditor": make_user("auditor-a", "Auditor")}


def accept(programme, people, month=NOVEMBER):
    review_submit(programme=programme, month=month, actor=people["staff"],
                  check_report=review_report_check(programme, month))
    return review_accept(programme=programme, month=month, actor=people["auditor"],
                         check_report=review_report_check(programme, month))


@pytest.fixture
def published(people, demo_programme) -> dict:
    """The demo programme with ready reports of October and November 2023, and
    November accepted (so published); October is not."""
    october = new_report(demo_programme, OCTOBER)
    november = new_report(demo_programme, NOVEMBER)
    accept(demo_programme, people)
    return {"programme": demo_programme, "october": october, "november": november}


@pytest.fixture
def small_programme(people) -> Programme:
    """A programme with a handful of requests in November 2023, accepted."""
    programme = Programme.objects.create(slug="small", name="Small", name_ru="Малая", first_month=NOVEMBER)
    for category in ("desertion", "desertion", "legal"):
        add_request(programme=programme, month=NOVEMBER, category=category)
    new_report(programme, NOVEMBER)
    accept(programme, people)
    return programme


@pytest.fixture
def issue(people):
    """issue(profile, programmes, **fields) -> (token, its text), issued by staff."""

    def issue_token(profile="public", programmes=(), **fields):
        fields.setdefault("partner", "Newsroom")
        fields.setdefault("expires_on", dt.date(2026, 12, 31))
        return token_issue(token=ApiToken(profile=profile, **fields), programmes=list(programmes),
                           actor=people["staff"])

    return issue_token


def bearer(text: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}
