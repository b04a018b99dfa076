"""load_demo: the article's figures as requests, and one demo account per role."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from intake import demo
from intake.models import Category, HelpRequest, Outcome, Programme, Status, User
from reports.models import ReferenceFigure, Report
from signoff.services import review_accept, review_submit
from tests.reports.article import SENTENCE, assert_article_figures

MONTHLY = {
    dt.date(2023, 4, 1): 61,
    dt.date(2023, 5, 1): 74,
    dt.date(2023, 6, 1): 54,
    dt.date(2023, 7, 1): 118,
    dt.date(2023, 8, 1): 133,
    dt.date(2023, 9, 1): 184,
    dt.date(2023, 10, 1): 218,
    dt.date(2023, 11, 1): 175,
}
ILLUSTRATIVE = {"2023-04", "2023-05", "2023-07", "2023-08"}


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def monthly_counts() -> dict[dt.date, int]:
    grouped = HelpRequest.objects.filter(programme__slug="desertion-help").values("month").annotate(n=Count("id"))
    return {row["month"]: row["n"] for row in grouped}


def printed_accounts(output: str) -> list[tuple[str, str, str]]:
    """(username, password, role) of each account listed after the accounts heading."""
    lines = output.split("Demo accounts")[1].splitlines()[1:]
    return [tuple(line.split()) for line in lines if line.strip()]


def printed_months(output: str) -> dict[str, str]:
    """Month -> the rest of its line, from the monthly requests list."""
    months = {}
    for line in output.splitlines():
        words = line.split(maxsplit=2)
        if len(words) == 3 and words[0].startswith("2023-"):
            months[words[0]] = f"{words[1]} {words[2]}"
    return months


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_load_demo_creates_the_programme_with_the_article_figures(db, debug):
    load_demo()

    programme = Programme.objects.get(slug="desertion-help")
    assert programme.first_month == dt.date(2023, 4, 1)
    assert programme.is_demo
    assert monthly_counts() == MONTHLY
    assert HelpRequest.objects.count() == 1017


def test_load_demo_labels_the_months_not_in_the_article_illustrative(db, debug):
    months = printed_months(load_demo())

    assert sorted(months) == [f"2023-{m:02d}" for m in range(4, 12)]
    assert {month for month, rest in months.items() if "illustrative" in rest} == ILLUSTRATIVE
    assert months["2023-10"].startswith("218 ")


def test_load_demo_prints_one_account_per_role_with_its_password(db, debug):
    accounts = printed_accounts(load_demo())

    assert {role for _username, _password, role in accounts} == {"Coordinator", "Staff", "Auditor", "Administrator"}
    for username, _password, role in accounts:
        assert User.objects.get(username=username).groups.filter(name=role).exists()


def test_each_printed_demo_account_can_log_in_with_its_printed_password(db, debug, client):
    accounts = printed_accounts(load_demo())

    assert len(accounts) == 4
    for username, password, _role in accounts:
        response = client.post("/login/", {"username": username, "password": password})
        assert response.status_code == 302, f"{username} could not log in"
        assert client.get("/").context["user"].username == username
        client.post("/logout/")


def test_demo_coordinator_is_a_member_of_the_demo_programme(db, debug):
    accounts = printed_accounts(load_demo())

    coordinator = next(username for username, _password, role in accounts if role == "Coordinator")
    assert list(User.objects.get(username=coordinator).programmes.values_list("slug", flat=True)) == [
        "desertion-help"
    ]
    assert Group.objects.get(name="Coordinator").user_set.filter(username=coordinator).exists()


def test_load_demo_a_second_time_changes_nothing(db, debug):
    load_demo()
    references = set(HelpRequest.objects.values_list("reference", flat=True))
    passwords = dict(User.objects.values_list("username", "password"))
    published = list(ReferenceFigure.objects.values())

    output = load_demo()

    assert "0 requests, 0 accounts and 0 reference figures created" in output
    assert list(ReferenceFigure.objects.values()) == published
    assert set(HelpRequest.objects.values_list("reference", flat=True)) == references
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert monthly_counts() == MONTHLY
    assert Programme.objects.count() == 1


def test_load_demo_tops_up_a_month_that_lost_requests(db, debug):
    load_demo()
    june = HelpRequest.objects.filter(month=dt.date(2023, 6, 1))
    kept = set(june.values_list("reference", flat=True)[:50])
    june.exclude(reference__in=kept).delete()
    # Deleted behind the app's back: the counts are mended as an operator would.
    call_command("check_counts", "--fix", stdout=io.StringIO())

    output = load_demo()

    assert "4 requests, 0 accounts and 0 reference figures created" in output
    assert monthly_counts() == MONTHLY
    assert kept <= set(june.values_list("reference", flat=True))


def test_load_demo_refuses_with_debug_off_and_writes_nothing(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        load_demo()

    assert not Programme.objects.exists()
    assert not HelpRequest.objects.exists()
    assert not User.objects.exists()


def test_load_demo_with_force_runs_with_debug_off(db, settings):
    settings.DEBUG = False

    load_demo("--force")

    assert monthly_counts() == MONTHLY
    assert User.objects.count() == 4


def test_every_demo_request_is_a_desertion_request_that_keeps_the_model_rules(db, debug):
    load_demo()

    requests = HelpRequest.objects.select_related("programme")
    assert set(requests.values_list("category", flat=True)) == {Category.DESERTION}
    for request in requests:
        request.clean_fields()
        request.clean()
        if request.status == Status.CLOSED:
            assert request.outcome in Outcome.values
            assert request.month <= request.closed_month <= dt.date(2023, 11, 1)
        else:
            assert (request.outcome, request.closed_month) == ("", None)


def test_demo_requests_include_every_status_and_closed_ones_in_each_month(db, debug):
    load_demo()

    assert set(HelpRequest.objects.values_list("status", flat=True)) == set(Status.values)
    # The November report's breakdowns need outcomes closed in November.
    assert HelpRequest.objects.filter(status=Status.CLOSED, closed_month=dt.date(2023, 11, 1)).exists()


# --- the first start: a report to open ---------------------------------------------

DEMO_FINGERPRINT = "sha256:e818870f4c5b1ac4729f5487b97b10cab4f3a62df18974c930a03a47a9b6b97b"  # docs/report-json.md


def test_load_demo_makes_version_1_of_the_november_2023_report_without_a_worker(db, debug):
    output = load_demo()

    report = Report.objects.get()
    assert (report.programme.slug, report.month, report.version) == ("desertion-help", dt.date(2023, 11, 1), 1)
    assert report.state == Report.State.READY
    assert_article_figures(report.body)
    assert report.fingerprint == DEMO_FINGERPRINT
    assert "/reports/desertion-help/2023-11/v1/" in output


def test_load_demo_a_second_time_makes_no_second_version(db, debug):
    load_demo()

    output = load_demo()

    assert Report.objects.count() == 1
    assert "already" in output


def test_load_demo_leaves_an_existing_november_report_alone(db, debug):
    demo.load_demo()
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline", stdout=io.StringIO())
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline", stdout=io.StringIO())

    load_demo()

    assert list(Report.objects.values_list("version", flat=True).order_by("version")) == [1, 2]


def test_after_load_demo_staff_find_the_article_figures_from_the_home_page(db, debug, client):
    load_demo()
    assert client.post("/login/", {"username": "staff", "password": "staff-demo-pass"}).status_code == 302

    home = client.get("/").content.decode()

    assert "No reports yet" not in home
    assert 'href="/reports/desertion-help/2023-11/v1/"' in home
    assert SENTENCE in " ".join(home.split())  # the article's figures, on the first page
    russian = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "577 запросов с сентября по ноябрь — на 89% больше" in " ".join(russian.split())
    page = client.get("/reports/desertion-help/2023-11/v1/").content.decode()
    assert SENTENCE in " ".join(page.split())


def test_an_accepted_demo_november_left_unpublished_is_published_so_its_public_outputs_work(db, debug, staff, client_for):
    load_demo()
    programme = Programme.objects.get(slug="desertion-help")
    november = dt.date(2023, 11, 1)
    review_submit(programme=programme, month=november, actor=User.objects.get(username="staff"))
    review_accept(programme=programme, month=november, actor=User.objects.get(username="auditor"))
    client = client_for(staff)
    assert client.get("/reports/desertion-help/2023-11/v1.json?profile=public").status_code == 409  # no worker ran

    assert "Accepted, and now published" in load_demo()

    public = client.get("/reports/desertion-help/2023-11/v1.json?profile=public")
    assert public.status_code == 200
    assert public.json()["window"]["current"]["requests"] == 575
    assert "Accepted, and now published" not in load_demo()  # once
