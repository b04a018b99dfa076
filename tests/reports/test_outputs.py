"""CSV export, chart, printable page and version comparison, all from one figures object."""

import csv
import io

import pytest
from django.core.management import call_command

from intake.models import Category
from reports.models import Report
from reports.outputs import chart_bars, compare, to_csv
from tests.conftest import add_request

from .article import SERIES

URL = "/reports/desertion-help/2023-11/v1"


def test_csv_lists_every_month_of_the_series_then_the_figures(november_report):
    rows = list(csv.reader(io.StringIO(to_csv(november_report.figures))))

    assert rows[0] == ["month", "requests"]
    assert [tuple(row) for row in rows[1:9]] == [(month, str(n)) for month, n in SERIES]
    assert rows[9] == []
    figures = dict(rows[11:])
    assert rows[10] == ["figure", "value"]
    assert figures["window.current.requests"] == "577"
    assert figures["window.previous.requests"] == "305"
    assert figures["window.change_pct"] == "89.2"
    assert figures["since_start.highest"] == "2023-10: 218"
    assert figures["since_start.lowest"] == "2023-06: 54"
    assert figures["since_start.rank_of_month"] == "3"
    assert figures["since_start.requests"] == "1017"
    assert figures["since_start.current_window_share_pct"] == "56.7"
    assert figures["fingerprint"] == november_report.fingerprint


@pytest.mark.parametrize("user", ["staff", "auditor"])
def test_staff_and_auditors_download_the_csv_and_open_the_printable_page(november_report, user, request, client_for):
    client = client_for(request.getfixturevalue(user))

    export = client.get(f"{URL}.csv")
    printable = client.get(f"{URL}/print/")

    assert export.status_code == 200
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="report-desertion-help-2023-11-v1.csv"' in export["Content-Disposition"]
    assert export.content.decode().startswith("month,requests\n2023-04,61\n")
    assert printable.status_code == 200
    page = printable.content.decode()
    assert "577 requests between September and November" in page
    assert "<svg" in page and 'class="navbar' not in page


def test_a_coordinator_cannot_export(november_report, coordinator, client_for):
    client = client_for(coordinator)
    assert client.get(f"{URL}.csv").status_code == 403
    assert client.get(f"{URL}/print/").status_code == 403


def test_the_chart_has_one_bar_per_month_scaled_to_the_highest_and_marks_the_report_month(november_report):
    bars = chart_bars(november_report.figures)

    assert [(bar.month, bar.requests) for bar in bars] == SERIES
    tallest = max(bars, key=lambda bar: bar.height)
    assert tallest.month == "2023-10"
    june = next(bar for bar in bars if bar.month == "2023-06")
    assert june.height == pytest.approx(tallest.height * 54 / 218, abs=0.1)
    assert [bar.month for bar in bars if bar.highlight] == ["2023-11"]


def test_the_report_page_draws_the_chart_itself(november_report, staff, client_for):
    page = client_for(staff).get("/reports/desertion-help/2023-11/").content.decode()

    assert page.count('class="chart-bar') == 8
    assert "chart-bar-current" in page
    assert 'role="img"' in page


def test_comparing_versions_lists_exactly_the_figures_that_changed(november_report, demo_programme, staff, client_for):
    add_request(programme=demo_programme, month=november_report.month, category=Category.LEGAL)
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline", stdout=io.StringIO())
    second = Report.objects.get(version=2)

    differences = {d.figure: (d.before, d.after) for d in compare(november_report.figures, second.figures)}
    page = client_for(staff).get("/reports/desertion-help/2023-11/v2/compare/v1/").content.decode()

    assert differences["requests.this_month"] == ("175", "176")
    assert differences["window.current.requests"] == ("577", "578")
    assert differences["series.2023-11"] == ("175", "176")
    assert differences["by_category.legal"] == ("0", "1")
    assert "since_start.highest" not in differences
    assert "version" not in differences
    assert "2023-10" not in " ".join(differences)
    assert "requests.this_month" in page and "176" in page


def test_two_versions_of_the_same_data_compare_equal(november_report, staff, client_for):
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline", stdout=io.StringIO())

    assert compare(november_report.figures, Report.objects.get(version=2).figures) == []
    page = client_for(staff).get("/reports/desertion-help/2023-11/v2/compare/v1/").content.decode()
    assert "No figure differs" in page
