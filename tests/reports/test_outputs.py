"""CSV export, chart, printable page and version comparison, all from one figures object."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from intake.models import Category
from intake.months import add_months
from reports.figures import report_figures
from reports.models import Report
from reports.outputs import DIGIT_WIDTH, MONTH_ROOM, YEAR_ROOM, chart, comparison, to_csv
from tests.conftest import add_request

from .article import SERIES

URL = "/reports/desertion-help/2023-11/v1"


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_is_one_tidy_table_with_a_row_per_figure(november_report):
    with translation.override("en"):
        header, *rows = csv_rows(to_csv(november_report.body))

    assert header == ["section", "figure", "month", "value", "key"]
    assert all(len(row) == 5 for row in rows)
    by_key = {(row[4], row[2]): row for row in rows}
    assert by_key[("window.current.requests", "2023-09/2023-11")] == [
        "Recent months and the months before", "Requests in the recent months", "2023-09/2023-11", "577",
        "window.current.requests",
    ]
    assert by_key[("window.previous.requests", "2023-06/2023-08")][3] == "305"
    assert by_key[("window.change_pct", "2023-06/2023-11")][3] == "89.2"
    assert by_key[("since_start.highest", "2023-10")][1:4] == ["Highest month", "2023-10", "218"]
    assert by_key[("since_start.lowest", "2023-06")][3] == "54"
    assert by_key[("since_start.rank_of_month", "2023-11")][3] == "3"
    assert by_key[("since_start.requests", "2023-04/2023-11")][3] == "1017"
    assert by_key[("since_start.current_window_share_pct", "2023-04/2023-11")][3] == "56.7"
    assert by_key[("by_category.desertion", "2023-11")][:2] == ["This month by category", "Desertion (leave a unit)"]
    assert by_key[("fingerprint", "2023-11")][3] == november_report.fingerprint
    series = [(row[2], int(row[3])) for row in rows if row[4] == "series"]
    assert series == SERIES
    assert len(by_key) == len(rows)  # key and month name each row once


def test_csv_headers_and_labels_are_in_the_chosen_language(november_report, staff, client_for):
    response = client_for(staff).get(f"{URL}.csv", HTTP_ACCEPT_LANGUAGE="ru")

    header, *rows = csv_rows(response.content.decode())
    assert header == ["раздел", "показатель", "месяц", "значение", "ключ"]
    by_key = {(row[4], row[2]): row for row in rows}
    assert by_key[("requests.this_month", "2023-11")][1:4] == ["Запросы", "2023-11", "175"]
    assert by_key[("by_category.desertion", "2023-11")][1] == "Оставление части (СОЧ)"


@pytest.mark.parametrize("user", ["staff", "auditor"])
def test_staff_and_auditors_download_the_csv_and_open_the_printable_page(november_report, user, request, client_for):
    client = client_for(request.getfixturevalue(user))

    export = client.get(f"{URL}.csv")
    printable = client.get(f"{URL}/print/")

    assert export.status_code == 200
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="report-desertion-help-2023-11-v1.csv"' in export["Content-Disposition"]
    assert export.content.decode().startswith("section,figure,month,value,key\n")
    assert printable.status_code == 200
    page = printable.content.decode()
    assert "577 requests between September and November" in page
    assert "<svg" in page and 'class="navbar' not in page


def test_a_coordinator_cannot_export(november_report, coordinator, client_for):
    client = client_for(coordinator)
    assert client.get(f"{URL}.csv").status_code == 403
    assert client.get(f"{URL}/print/").status_code == 403


def test_the_chart_has_one_bar_per_month_scaled_to_the_highest_and_marks_the_report_month(november_report):
    bars = chart(november_report.body).bars

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


def test_comparing_versions_marks_exactly_the_figures_that_changed(november_report, demo_programme):
    add_request(programme=demo_programme, month=november_report.month, category=Category.LEGAL)
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline", stdout=io.StringIO())
    second = Report.objects.get(version=2)

    rows = comparison(november_report.body, second.body)
    changed = {(c.row.key, c.row.month): (c.before, c.after, c.difference) for c in rows if c.changed}

    assert changed[("requests.this_month", "2023-11")] == (175, 176, 1)
    assert changed[("window.current.requests", "2023-09/2023-11")] == (577, 578, 1)
    assert changed[("window.change_pct", "2023-06/2023-11")] == (89.2, 89.5, 0.3)
    assert changed[("series", "2023-11")] == (175, 176, 1)
    assert changed[("by_category.legal", "2023-11")] == (0, 1, 1)
    assert not any(key in ("since_start.highest", "version", "fingerprint") for key, _ in changed)
    assert len(rows) == len(comparison(november_report.body, november_report.body))


def test_a_month_that_stops_being_the_highest_shows_in_both_versions():
    before = report_figures(counts={dt.date(2023, 1, 1): 5, dt.date(2023, 2, 1): 3}, month=dt.date(2023, 2, 1),
                            first_month=dt.date(2023, 1, 1))
    after = report_figures(counts={dt.date(2023, 1, 1): 5, dt.date(2023, 2, 1): 6}, month=dt.date(2023, 2, 1),
                           first_month=dt.date(2023, 1, 1))

    highest = [(c.row.month, c.before, c.after) for c in comparison(before, after) if c.row.key == "since_start.highest"]

    assert highest == [("2023-01", 5, None), ("2023-02", None, 6)]


def test_two_versions_of_the_same_data_compare_equal(november_report):
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline", stdout=io.StringIO())

    assert not any(c.changed for c in comparison(november_report.body, Report.objects.get(version=2).body))


def long_series(months: int, first=dt.date(2019, 1, 1)) -> dict:
    """A report of `months` months, with many ties (most months 0 or 7)."""
    counts = {add_months(first, i): (7 if i % 5 == 0 else 0) + (1200 if i == months - 3 else 0) for i in range(months)}
    return report_figures(counts=counts, month=add_months(first, months - 1), first_month=first)


@pytest.mark.parametrize("months", [1, 2, 8, 12, 24, 43, 60, 120, 240])
def test_the_chart_shows_only_labels_that_do_not_touch(months):
    drawn = chart(long_series(months))

    def positions(shown):
        return [bar.label_x for bar in drawn.bars if shown(bar)]

    month_labels = positions(lambda bar: bar.show_month)
    assert all(b - a >= MONTH_ROOM for a, b in zip(month_labels, month_labels[1:]))
    years = [bar.x for bar in drawn.bars if bar.show_year]
    assert all(b - a >= YEAR_ROOM for a, b in zip(years, years[1:]))
    assert len(years) >= len({bar.date.year for bar in drawn.bars}) - 1  # a year without room: the first one only
    values = [(bar.label_x, len(str(bar.requests)) * DIGIT_WIDTH) for bar in drawn.bars if bar.show_value]
    assert all(b[0] - a[0] >= (a[1] + b[1]) / 2 for a, b in zip(values, values[1:]))
    # Every label is inside the drawing.
    assert all(0 < x - MONTH_ROOM / 2 and x + MONTH_ROOM / 2 < drawn.width for x in month_labels)
    assert [bar.month for bar in drawn.bars if bar.highlight] == [long_series(months)["month"]]


def test_a_long_series_is_drawn_at_a_readable_size_and_scrolls():
    short, long = chart(long_series(8)), chart(long_series(60))

    assert not short.wide and short.width == 640
    assert long.wide and long.width > 640
    slot = long.bars[1].label_x - long.bars[0].label_x
    assert slot >= 12
    # Every 3rd month is named, from January, with the year under each January.
    assert [bar.date.month for bar in long.bars if bar.show_month][:4] == [1, 4, 7, 10]
    assert [bar.date for bar in long.bars if bar.show_year][:2] == [dt.date(2019, 1, 1), dt.date(2020, 1, 1)]


def test_the_report_page_names_the_months_of_its_chart(november_report, staff, client_for):
    page = client_for(staff).get("/reports/desertion-help/2023-11/").content.decode()

    assert re.findall(r'class="chart-month">([^<]+)<', page) == ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]
    assert re.findall(r'class="chart-year">([^<]+)<', page) == ["2023"]
    assert "<title>October 2023: 218</title>" in page
    russian = client_for(staff).get("/reports/desertion-help/2023-11/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert re.findall(r'class="chart-month">([^<]+)<', russian)[:3] == ["Апр", "Май", "Июн"]
    assert "Запросы по месяцам с апреля по ноябрь 2023\u00a0года" in russian
