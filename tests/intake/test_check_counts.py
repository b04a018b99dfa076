"""`manage.py check_counts`: for operators, after a restore or anything that wrote
requests behind the app's back. It says the counts match, or lists each cell that
differs and fails; with --fix it brings the table in line with the requests."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from intake.counts import data_version
from intake.models import HelpRequest, Status
from intake.services import RequestSpec, requests_log
from tests.conftest import add_request

from .counting import assert_counts_match

OCTOBER, NOVEMBER = dt.date(2023, 10, 1), dt.date(2023, 11, 1)


def check_counts(*args: str) -> str:
    out = io.StringIO()
    call_command("check_counts", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def logged(programme, coordinator):
    requests_log(spec=RequestSpec(programme=programme, month=OCTOBER, category="legal"), count=5, author=coordinator)
    add_request(programme=programme, month=OCTOBER, category="legal", status=Status.CLOSED, outcome="referred",
                closed_month=NOVEMBER)


def test_counts_that_match_are_reported_as_matching(logged):
    assert check_counts() == "Counts match: 2 cells.\n"


def test_an_empty_database_matches(db):
    assert check_counts() == "Counts match: 0 cells.\n"


def test_requests_changed_behind_the_apps_back_are_listed_and_the_command_fails(logged, programme):
    # As a restore of the requests alone would leave them: two closed, one gone.
    first, second, third = HelpRequest.objects.filter(status=Status.NEW).order_by("pk")[:3]
    HelpRequest.objects.filter(pk__in=[first.pk, second.pk]).update(
        status=Status.CLOSED, outcome="detained", closed_month=NOVEMBER)
    HelpRequest.objects.filter(pk=third.pk).delete()
    out = io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("check_counts", stdout=out)

    assert out.getvalue().splitlines() == [
        "2 cell(s) differ (programme, month, category, status, outcome, month closed: "
        "in the table / counted from the requests):",
        "  help 2023-10 legal closed detained 2023-11: 0 / 2",
        "  help 2023-10 legal new - -: 5 / 2",
    ]
    assert "differs from the requests in 2 cell(s)" in str(refused.value)
    assert "manage.py check_counts --fix" in str(refused.value)


def test_fix_brings_the_table_in_line_and_marks_the_months_changed(logged, programme):
    HelpRequest.objects.filter(status=Status.NEW).order_by("pk").first().delete()
    stamp = data_version(programme=programme, until=OCTOBER)

    out = check_counts("--fix")

    assert "help 2023-10 legal new - -: 5 / 4" in out
    assert out.splitlines()[-1] == "Fixed: the table now matches the requests (2 cells)."
    assert_counts_match()
    assert check_counts() == "Counts match: 2 cells.\n"
    # Reports of October then say their data may have changed.
    assert data_version(programme=programme, until=OCTOBER) > stamp
