"""Collapse changes no report: every report of every scope and month, made before or
after, states the same figures with the same fingerprint, and Verify still finds its
data unchanged; on the demo data and on random multi-year histories. And the staff
page that collapses a month, after a confirmation saying how many requests go."""

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command

from intake import demo
from intake.models import AuditEvent, HelpRequest, MonthReview, Programme, Status
from intake.months import add_months, current_month, month_range
from intake.retention import month_collapse
from intake.services import RequestSpec, requests_import
from reports.models import Report
from reports.services import report_compute, report_generate, report_request
from reports.verification import report_check_data
from tests.conftest import make_user, text_of
from tests.reports.accepting import accept_month

pytestmark = pytest.mark.usefixtures("this_month")


def make_reports(programmes, first: dt.date, versions: int = 1) -> list[Report]:
    """`versions` versions of the report of every scope and month, from `first` to now."""
    made = []
    for scope in [*programmes, None]:
        start = scope.first_month if scope else first
        for month in month_range(start, current_month()):
            for _ in range(versions):
                report = report_request(programme=scope, month=month, send=False)
                report_generate(report_id=report.pk)
                made.append(report)
    return made


def snapshot() -> dict:
    return {report.pk: (report.body, report.fingerprint, report.basis)
            for report in Report.objects.filter(state=Report.State.READY)}


def assert_every_report_unchanged(before: dict) -> None:
    reports = list(Report.objects.select_related("programme").filter(state=Report.State.READY))
    assert len(reports) == len(before)
    for report in reports:
        figures, fingerprint, basis = before[report.pk]
        assert (report.body, report.fingerprint, report.basis) == (figures, fingerprint, basis)
        document, now_basis = report_compute(report=report)
        assert document == figures, report
        assert document["fingerprint"] == fingerprint
        assert now_basis == basis
        assert report_check_data(report=report).unchanged, report  # what Verify says


def check_counts() -> str:
    out = io.StringIO()
    call_command("check_counts", stdout=out)
    return out.getvalue()


def collapse_everything_accepted() -> int:
    return sum(month_collapse(programme=review.programme, month=review.month, actor=None)
               for review in MonthReview.objects.filter(state=MonthReview.State.ACCEPTED).select_related("programme"))


def test_collapsing_every_month_of_the_demo_data_changes_no_report(demo_programme):
    reports = make_reports([demo_programme], demo.FIRST_MONTH, versions=2)
    staff, auditor = make_user("staff-c", "Staff"), make_user("auditor-c", "Auditor")
    for month in month_range(demo.FIRST_MONTH, add_months(current_month(), -1)):
        accept_month(demo_programme, month, staff=staff, auditor=auditor, published=False)
    before = snapshot()
    closed = HelpRequest.objects.filter(status=Status.CLOSED).count()

    assert collapse_everything_accepted() == closed > 0

    assert not HelpRequest.objects.filter(status=Status.CLOSED).exists()
    assert HelpRequest.objects.exists()  # the open ones stay
    assert_every_report_unchanged(before)
    assert check_counts().startswith("Counts match")
    # A report made afterwards says what the one before it said.
    november = Report.objects.get(programme=demo_programme, month=demo.LAST_MONTH, version=1)
    again = report_request(programme=demo_programme, month=demo.LAST_MONTH, send=False)
    report_generate(report_id=again.pk)
    again.refresh_from_db()
    assert {**again.body, "version": 1} == november.body
    assert len(reports) == 2 * 2 * len(month_range(demo.FIRST_MONTH, current_month()))


def random_history(seed: int) -> list[Programme]:
    """Two programmes over three years: months with nothing, months that tie, requests
    closed in the month they came or any month after, some still open."""
    rng = random.Random(seed)
    programmes = [Programme.objects.create(slug="north", name="North", first_month=dt.date(2023, 1, 1)),
                  Programme.objects.create(slug="south", name="South", first_month=dt.date(2023, 7, 1))]
    last = add_months(current_month(), -1)
    groups = []
    for programme in programmes:
        months = month_range(programme.first_month, current_month())
        for month in months:
            if rng.random() < 0.2:
                continue  # a month with nothing
            for category in rng.sample(["desertion", "mobilisation", "legal", "other"], rng.randint(1, 3)):
                count = rng.choice([1, 2, 3, 5, 8])  # few values: months tie
                status = rng.choice(["new", "in_progress", "closed", "closed", "closed"])
                closed_month = None
                if status == "closed":
                    closed_month = rng.choice([m for m in months if month <= m <= last] or [month])
                    if closed_month > last:
                        status, closed_month = "in_progress", None
                groups.append((RequestSpec(programme=programme, month=month, category=category, status=status,
                                           outcome=rng.choice(["left_country", "detained", "referred"])
                                           if status == "closed" else "", closed_month=closed_month), count))
    requests_import(groups, author=None)
    return programmes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_collapsing_a_random_history_changes_no_report(db, seed):
    programmes = random_history(seed)
    make_reports(programmes, dt.date(2023, 1, 1))
    staff, auditor = make_user("staff-r", "Staff"), make_user("auditor-r", "Auditor")
    rng = random.Random(seed)
    for programme in programmes:
        for month in month_range(programme.first_month, add_months(current_month(), -1)):
            if rng.random() < 0.7:
                accept_month(programme, month, staff=staff, auditor=auditor, published=False)
    before = snapshot()

    assert collapse_everything_accepted() > 0

    assert_every_report_unchanged(before)
    assert check_counts().startswith("Counts match")
    for programme in programmes:
        accepted = MonthReview.objects.filter(programme=programme, state="accepted").values_list("month", flat=True)
        assert not HelpRequest.objects.filter(programme=programme, closed_month__in=list(accepted)).exists()


# --- the staff page -----------------------------------------------------------------------------

URL = "/review/desertion-help/2023-11/collapse/"


@pytest.fixture
def accepted_november(demo_programme, november_report):
    staff, auditor = make_user("staff-p", "Staff"), make_user("auditor-p", "Auditor")
    for month in month_range(demo.FIRST_MONTH, demo.LAST_MONTH):
        if month != demo.LAST_MONTH:
            report_generate(report_id=report_request(programme=demo_programme, month=month, send=False).pk)
        accept_month(demo_programme, month, staff=staff, auditor=auditor)
    return staff


def test_staff_collapse_an_accepted_month_after_a_confirmation_saying_how_many_go(accepted_november, client_for,
                                                                                   demo_programme):
    closed = HelpRequest.objects.filter(closed_month=demo.LAST_MONTH).count()
    client = client_for(accepted_november)

    review = text_of(client.get("/review/desertion-help/2023-11/"))
    confirmation = client.get(URL)
    done = client.post(URL, follow=True)

    assert "Collapse to counts" in review
    assert confirmation.status_code == 200
    assert (f"{closed} requests closed in November 2023 will be deleted; their counts stay in every report."
            in text_of(confirmation))
    assert done.redirect_chain == [("/review/desertion-help/2023-11/", 302)]
    assert f"Collapsed: {closed} requests are now kept as counts only." in text_of(done)
    assert not HelpRequest.objects.filter(closed_month=demo.LAST_MONTH).exists()
    assert AuditEvent.objects.filter(action="month_collapsed", actor=accepted_november).count() == 1
    assert "Nothing left to collapse" in text_of(client.get(URL))


def test_a_month_not_accepted_cannot_be_collapsed_on_the_page(demo_programme, november_report, client_for):
    client = client_for(make_user("staff-q", "Staff"))

    page = client.get(URL)
    posted = client.post(URL)

    assert "Only the requests of an accepted month can be collapsed" in text_of(page)
    assert posted.status_code == 400
    assert "Only the requests of an accepted month can be collapsed" in text_of(posted)
    assert HelpRequest.objects.filter(closed_month=demo.LAST_MONTH).exists()


@pytest.mark.parametrize("role", ["Auditor", "Coordinator"])
def test_only_staff_collapse_a_month(accepted_november, client_for, role):
    client = client_for(make_user("someone", role))

    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert HelpRequest.objects.filter(closed_month=demo.LAST_MONTH).exists()


def test_the_collapse_page_speaks_russian(accepted_november, client_for):
    page = text_of(client_for(accepted_november).get(URL, HTTP_ACCEPT_LANGUAGE="ru"))

    assert "будут удалены" in page
