"""Report pages and exports: what each persona sees, and what the page says."""

import datetime as dt
import io
import json
import re
import threading

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.test import Client

from intake.months import add_months, format_month
from intake.services import RequestSpec, entry_undo, requests_log
from reports.models import Report
from reports.services import report_generate, report_request
from tests.conftest import THIS_MONTH, add_request, text_of

from .article import SENTENCE, assert_article_figures

PAGE = "/reports/desertion-help/2023-11/"
JSON_EXPORT = "/reports/desertion-help/2023-11/v1.json"
NOVEMBER = dt.date(2023, 11, 1)


# --- what the page says ----------------------------------------------------------


def test_staff_sees_every_article_figure_on_the_report_page(november_report, staff, client_for):
    response = client_for(staff).get(PAGE)

    assert response.status_code == 200
    text = text_of(response)
    # 1-3: the two windows and the increase, in the article's sentence and as key figures.
    assert SENTENCE in text
    assert "577 requests between September and November 2023" in text
    assert "305 requests between June and August 2023" in text
    assert "89% more than in the previous 3 months" in text
    # 4-5: highest and lowest month.
    assert "October had the most requests since April 2023 (218); June the fewest (54)." in text
    assert "October 2023 the most requests (218)" in text
    assert "June 2023 the fewest requests (54)" in text
    # 6: November's rank.
    assert "November: 175 requests, fewer than September and October but more than any other month (rank 3 of 8)." in text
    assert "175 requests in November 2023, rank 3 of 8" in text
    # 7-8: the total and the autumn's share of it, in round words beside the exact figures.
    assert "Over 1,000 requests since April 2023 (1,017), more than half of them (57%) this autumn." in text
    assert "1,017 requests since April 2023" in text
    assert "57% of all requests since April 2023 came between September and November 2023" in text


def test_the_report_page_gives_each_figure_one_precision_and_no_jargon(november_report, staff, client_for):
    response = client_for(staff).get(PAGE)

    text, html = text_of(response), response.content.decode()
    # The page says 89% and 57% wherever it says them; the exact values are a tooltip away.
    assert "89.2" not in text and "56.7" not in text
    assert 'title="89.2%"' in html and 'title="56.7%"' in html
    assert "window" not in text.lower()
    # Months are named, in the cards, the table and the chart.
    assert "2023-" not in text
    assert "April 2023 61" in text and "November 2023 175" in text


def test_the_russian_report_page_names_months_in_the_case_the_words_need(november_report, staff, client_for):
    text = text_of(client_for(staff).get(PAGE, HTTP_ACCEPT_LANGUAGE="ru"))

    assert "577 запросов с сентября по ноябрь 2023 года" in text
    assert "89% больше, чем за предыдущие 3 месяца" in text
    assert "Октябрь 2023 больше всего запросов (218)" in text
    assert "175 запросов в ноябре 2023 года, 3-е место из 8" in text
    assert "Апрель 2023 61" in text
    assert "2023-" not in text


def test_report_page_of_demo_data_says_which_figures_are_illustrative(november_report, staff, client_for):
    text = text_of(client_for(staff).get(PAGE))

    for month in ("April", "May", "July", "August"):
        assert re.search(rf"{month} 2023 \d+ illustrative", text), month
    for month in ("June", "October", "November"):
        assert re.search(rf"{month} 2023 \d+ stated in the article", text), month


def test_report_page_of_real_data_has_no_provenance_table(programme, staff, client_for):
    add_request(programme=programme, month=dt.date(2023, 4, 1), category="legal")
    report = report_request(programme=programme, month=dt.date(2023, 4, 1), send=False)
    report_generate(report_id=report.pk)

    text = text_of(client_for(staff).get(report.get_absolute_url()))

    assert "1 request in April" in text
    assert "illustrative" not in text


@pytest.mark.parametrize("persona", ["staff", "auditor"])
def test_json_export_linked_from_the_page_states_every_article_figure(request, november_report, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    page = client.get(PAGE).content.decode()
    assert f'href="{JSON_EXPORT}"' in page

    response = client.get(JSON_EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    figures = json.loads(response.content)
    assert_article_figures(figures)
    assert figures == november_report.body | {"profile": "internal"}


def test_report_for_all_programmes_includes_the_demo_provenance(demo_programme, staff, client_for):
    call_command("monthly_report", "2023-11", "--inline", stdout=io.StringIO())

    response = client_for(staff).get("/reports/all/2023-11/")

    assert response.status_code == 200
    text = text_of(response)
    assert "All programmes, November 2023" in text
    assert SENTENCE in text
    assert "illustrative" in text


# --- who may do what ---------------------------------------------------------------


def test_auditor_sees_the_report_but_no_generate_button(november_report, auditor, client_for):
    client = client_for(auditor)

    page = client.get(PAGE)
    listing = client.get("/reports/")

    assert page.status_code == 200 and listing.status_code == 200
    for response in (page, listing):
        assert 'action="/reports/generate/"' not in response.content.decode()
    assert "Regenerate" not in page.content.decode()


def test_auditor_cannot_generate_a_report(november_report, auditor, client_for):
    response = client_for(auditor).post("/reports/generate/", {"programme": "desertion-help", "month": "2023-11"})

    assert response.status_code == 403
    assert Report.objects.count() == 1


@pytest.mark.parametrize("url", ["/reports/", PAGE, "/reports/desertion-help/2023-11/v1/", JSON_EXPORT])
def test_coordinator_cannot_open_reports(november_report, coordinator, client_for, url):
    assert client_for(coordinator).get(url).status_code == 403


def test_coordinator_cannot_generate_a_report(demo_programme, coordinator, client_for):
    response = client_for(coordinator).post("/reports/generate/", {"programme": "desertion-help", "month": "2023-11"})

    assert response.status_code == 403
    assert not Report.objects.exists()


@pytest.mark.parametrize("method, url", [
    ("get", "/reports/"), ("get", PAGE), ("get", JSON_EXPORT), ("post", "/reports/generate/"),
])
def test_anonymous_visitor_is_sent_to_log_in(november_report, client, method, url):
    response = getattr(client, method)(url, {"programme": "desertion-help", "month": "2023-11"} if method == "post" else None)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert Report.objects.count() == 1


def test_staff_sees_the_generate_form_on_the_report_list(november_report, staff, client_for):
    response = client_for(staff).get("/reports/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'action="/reports/generate/"' in content
    assert 'href="/reports/desertion-help/2023-11/v1/"' in content


# --- generating --------------------------------------------------------------------


def test_staff_regenerating_queues_the_next_version_and_keeps_the_first(
    november_report, staff, client_for, django_capture_on_commit_callbacks
):
    client = client_for(staff)

    with django_capture_on_commit_callbacks() as enqueued:
        response = client.post("/reports/generate/", {"programme": "desertion-help", "month": "2023-11"})

    assert response.status_code == 302
    assert response["Location"] == "/reports/desertion-help/2023-11/v2/"
    assert len(enqueued) == 1  # sent to the worker only once the row is committed
    assert list(Report.objects.order_by("version").values_list("version", "state")) == [(1, "ready"), (2, "queued")]
    november_report.refresh_from_db()
    assert_article_figures(november_report.body)


def month_input(page: str) -> set[str]:
    """The attributes of a page's month field, but its value."""
    tag = re.search(r'<input [^>]*name="month"[^>]*>', page).group(0)
    return {attribute for attribute in re.findall(r'\b[a-z-]+(?:="[^"]*")?', tag[len("<input "):-1])
            if not attribute.startswith("value=")}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_generate_form_asks_for_a_month_as_every_other_form_does(programme, staff, client_for, language):
    client = client_for(staff)

    reports = client.get("/reports/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    counts = client.get("/requests/counts/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert month_input(reports) == month_input(counts)
    assert 'inputmode="numeric"' in month_input(reports)
    assert 'type="month"' not in month_input(reports)  # the browser's picker speaks the browser's language
    assert ('placeholder="YYYY-MM"' if language == "en" else 'placeholder="ГГГГ-ММ"') in month_input(reports)


@pytest.mark.parametrize(
    "month, message",
    [
        ("2023-13", "Enter a month as YYYY-MM"),
        ("23-11", "Enter a month as YYYY-MM"),
        # Digits of other scripts are digits to int(), but not a month as YYYY-MM.
        ("٢٠٢٣-١١", "Enter a month as YYYY-MM"),
        ("２０２３-１１", "Enter a month as YYYY-MM"),
        (format_month(add_months(THIS_MONTH, 1)), "is in the future"),
        ("2023-03", "2023-03 is before the first month of this scope (2023-04)"),
    ],
)
@pytest.mark.usefixtures("this_month")  # so that next month is in the future
def test_staff_generating_with_a_bad_month_gets_the_error_and_no_report(
    demo_programme, staff, client_for, month, message
):
    response = client_for(staff).post("/reports/generate/", {"programme": "desertion-help", "month": month})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Report.objects.exists()


def test_staff_generating_for_an_unknown_programme_gets_an_error_and_no_report(demo_programme, staff, client_for):
    response = client_for(staff).post("/reports/generate/", {"programme": "nope", "month": "2023-11"})

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_generate_refuses_get(demo_programme, staff, client_for):
    assert client_for(staff).get("/reports/generate/").status_code == 405
    assert not Report.objects.exists()


# --- missing reports -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/reports/nope/2023-11/",
        "/reports/desertion-help/2023-10/",
        "/reports/desertion-help/2023-11/v2/",
        "/reports/desertion-help/2023-13/",
        "/reports/all/2023-11/",
        "/reports/nope/2023-11/v1.json",
        "/reports/desertion-help/2023-11/v2.json",
        # Versions count from 1: version 0 is not "the latest".
        "/reports/desertion-help/2023-11/v0/",
        "/reports/desertion-help/2023-11/v0.json",
        "/reports/desertion-help/2023-11/v0.csv",
        "/reports/desertion-help/2023-11/v0/print/",
        "/reports/desertion-help/2023-11/v1/compare/v0/",
        "/reports/desertion-help/2023-11/v01/",
        # A month in digits of another script is not a month in a URL.
        "/reports/desertion-help/٢٠٢٣-١١/",
        "/reports/desertion-help/２０２３-１１/v1/",
        "/reports/desertion-help/2023-1١/v1.json",
    ],
)
def test_unknown_programme_month_or_version_is_not_found(november_report, staff, client_for, url):
    assert client_for(staff).get(url).status_code == 404


# --- states ------------------------------------------------------------------------


def test_pending_report_page_refreshes_itself_and_offers_no_export(demo_programme, staff, client_for):
    report_request(programme=demo_programme, month=NOVEMBER, send=False)
    client = client_for(staff)

    response = client.get(PAGE)

    assert response.status_code == 200
    content = response.content.decode()
    assert "data-report-pending" in content and "reports/report_state.js" in content
    assert "queued" in text_of(response)
    assert JSON_EXPORT not in content
    assert client.get(JSON_EXPORT).status_code == 404


def test_ready_report_page_does_not_refresh(november_report, staff, client_for):
    assert "report_state.js" not in client_for(staff).get(PAGE).content.decode()


def test_failed_report_page_shows_why(demo_programme, staff, client_for):
    # A report row for a month before the programme began: computing it fails.
    report = Report.objects.create(programme=demo_programme, month=dt.date(2023, 3, 1), version=1)
    report_generate(report_id=report.pk)

    response = client_for(staff).get("/reports/desertion-help/2023-03/")

    assert response.status_code == 200
    text = text_of(response)
    assert "This report could not be made." in text
    assert "2023-03 is before the first month of this scope (2023-04)" in text
    assert "Try again" in text
    assert "report_state.js" not in response.content.decode()


UNCHANGED = "The data under this report is unchanged since it was made."
MAY_HAVE_CHANGED = "The data under this report may have changed since it was made."
VERIFIED_CHANGED = "The data under this report has changed since it was made"
VERIFIED_UNCHANGED = "The data under this report is unchanged (fingerprint sha256:"


def test_report_page_says_the_data_may_have_changed_only_once_the_data_under_it_changes(
    november_report, demo_programme, other_programme, staff, client_for
):
    client = client_for(staff)
    assert UNCHANGED in text_of(client.get(PAGE))

    # Not under the report: a request after the report month, or of another programme.
    add_request(programme=demo_programme, month=dt.date(2023, 12, 1), category="desertion")
    add_request(programme=other_programme, month=NOVEMBER, category="desertion")
    page = text_of(client.get(PAGE))
    assert UNCHANGED in page and MAY_HAVE_CHANGED not in page

    add_request(programme=demo_programme, month=dt.date(2023, 6, 1), category="desertion")
    page = text_of(client.get(PAGE))
    assert MAY_HAVE_CHANGED in page and UNCHANGED not in page
    assert "Verify it to see what changed" in page
    assert MAY_HAVE_CHANGED in text_of(client.get(f"{PAGE}v1/print/"))


def test_twenty_staff_generating_the_same_report_at_once_get_versions_1_to_20(committed_db, programme, staff):
    # Each staff member has a browser of their own and a database connection of their
    # own (a thread each); the barrier lets all twenty posts go at the same moment.
    barrier = threading.Barrier(20)
    statuses, duplicate_keys = [], []

    def note_duplicate_keys(execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except IntegrityError as exc:
            duplicate_keys.append(exc)
            raise

    def generate():
        try:
            client = Client(raise_request_exception=False)
            client.force_login(staff)
            with connection.execute_wrapper(note_duplicate_keys):
                barrier.wait(timeout=30)
                response = client.post("/reports/generate/", {"programme": "help", "month": "2023-11"})
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=generate) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(statuses) == [302] * 20
    versions = Report.objects.filter(programme=programme, month=NOVEMBER).values_list("version", flat=True)
    assert sorted(versions) == list(range(1, 21))
    assert duplicate_keys == []


def test_checking_the_data_of_a_changed_report_says_it_changed(november_report, demo_programme, staff, client_for):
    client = client_for(staff)
    add_request(programme=demo_programme, month=dt.date(2023, 6, 1), category="desertion")

    assert VERIFIED_CHANGED in text_of(client.get(f"{PAGE}v1/verify/"))

    assert MAY_HAVE_CHANGED in text_of(client.get(PAGE))
    november_report.refresh_from_db()
    assert november_report.fingerprint == november_report.body["fingerprint"]  # the report itself is kept


def test_a_change_undone_looks_like_a_change_until_the_data_is_checked(demo_programme, staff, client_for,
                                                                      this_month):
    """The stamp moves with every write, so logging and undoing an entry makes the page
    unsure; checking finds the same fingerprint, and the page is sure again."""
    report = report_request(programme=demo_programme, month=this_month, send=False)
    report_generate(report_id=report.pk)
    page_url = f"/reports/desertion-help/{format_month(this_month)}/v1/"
    client = client_for(staff)
    entry = requests_log(spec=RequestSpec(programme=demo_programme, month=this_month, category="legal"), count=4,
                         author=staff)
    entry_undo(entry=entry, actor=staff)
    assert MAY_HAVE_CHANGED in text_of(client.get(page_url))

    assert VERIFIED_UNCHANGED in text_of(client.get(f"{page_url}verify/"))

    page = text_of(client.get(page_url))
    assert UNCHANGED in page and MAY_HAVE_CHANGED not in page


def test_a_report_made_before_data_stamps_existed_can_be_checked(november_report, staff, client_for):
    Report.objects.filter(pk=november_report.pk).update(data_version=None)
    client = client_for(staff)
    assert MAY_HAVE_CHANGED in text_of(client.get(PAGE))

    client.get(f"{PAGE}v1/verify/")

    assert UNCHANGED in text_of(client.get(PAGE))


def test_checking_the_data_of_a_report_that_is_not_ready_is_not_found(demo_programme, staff, client_for):
    report_request(programme=demo_programme, month=NOVEMBER, send=False)

    assert client_for(staff).get(f"{PAGE}v1/verify/").status_code == 404
