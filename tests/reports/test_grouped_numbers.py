"""Thousands separators wherever a page shows a number (issue 27, point 8): "1,017" on
an English page, "1 017" (a no-break space) on a Russian one; never "1017". Years and
the fingerprint's hexadecimal digits are not quantities and keep their digits."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intake.models import Entry
from intake.services import RequestSpec, requests_import
from tests.conftest import text_of
from tests.reports.accepting import accept_month, make_report

REPORT = "/reports/desertion-help/2023-11/v1/"
PAGES = [REPORT, f"{REPORT}?profile=public", f"{REPORT}print/", "/review/desertion-help/2023-11/",
         "/requests/month/desertion-help/2023-11/", "/"]
# A run of four or more digits standing alone: a number shown without its separators.
UNGROUPED = re.compile(r"(?<![\w.,\xa0])[0-9]{4,}(?![\w])")


def ungrouped(text: str) -> list[str]:
    return [n for n in UNGROUPED.findall(text) if not 1990 <= int(n) <= 2100]  # years


@pytest.mark.parametrize("language, grouped", [("en", "1,017"), ("ru", "1\xa0017")])
def test_no_page_shows_a_number_of_thousands_without_its_separator(this_month, november_report, staff, auditor,
                                                                    client_for, language, grouped):
    accept_month(november_report.programme, november_report.month, staff=staff, auditor=auditor)
    client = client_for(staff)

    pages = {url: client.get(url, HTTP_ACCEPT_LANGUAGE=language) for url in PAGES}

    assert {url: response.status_code for url, response in pages.items()} == dict.fromkeys(PAGES, 200)
    found = {url: ungrouped(text_of(response)) for url, response in pages.items()}
    assert found == dict.fromkeys(PAGES, [])
    assert grouped in pages[REPORT].content.decode()


@pytest.mark.parametrize("language, grouped", [("en", "1,234"), ("ru", "1\xa0234")])
def test_the_month_grid_and_the_home_page_group_a_large_count(this_month, programme, coordinator, client_for,
                                                              language, grouped):
    requests_import([(RequestSpec(programme=programme, month=this_month, category="legal"), 1234)], author=None)
    client = client_for(coordinator)

    pages = {url: client.get(url, HTTP_ACCEPT_LANGUAGE=language)
             for url in (f"/requests/month/help/{this_month:%Y-%m}/", "/")}

    assert {url: ungrouped(text_of(response)) for url, response in pages.items()} == dict.fromkeys(pages, [])
    assert all(grouped in response.content.decode() for response in pages.values())


def test_a_report_of_a_month_of_thousands_groups_them_in_its_chart_and_tables(this_month, programme, staff,
                                                                              client_for):
    january = dt.date(2026, 1, 1)
    requests_import([(RequestSpec(programme=programme, month=january, category="legal"), 2345)], author=None)
    make_report(programme, january)

    page = client_for(staff).get("/reports/help/2026-01/v1/")

    assert ungrouped(text_of(page)) == []
    assert ">2,345</text>" in page.content.decode()  # the chart's label above the month's bar


def test_the_messages_after_an_import_and_its_undo_group_the_count(this_month, programme, staff, client_for):
    client = client_for(staff)
    data = b"month,programme,category,status,outcome,closed_month,count\n2026-02,help,legal,new,,,1234\n"
    preview = client.post("/requests/import/", {"file": SimpleUploadedFile("r.csv", data, "text/csv")},
                          HTTP_ACCEPT_LANGUAGE="ru")

    imported = client.post("/requests/import/", {"preview": preview.context["key"]}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="ru")
    undone = client.post(f"/requests/entries/{Entry.objects.get().pk}/undo/", follow=True)

    assert "Он добавит 1 234 запроса." in text_of(preview)
    assert "Импортировано 1 234 запроса." in text_of(imported)
    assert "Undone: 1,234 requests removed." in text_of(undone)
