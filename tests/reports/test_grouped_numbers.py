"""Thousands separators wherever a page shows a number (issue 27, point 8): "1,017" on
an English page, "1 017" (a no-break space) on a Russian one; never "1017". Years and
the fingerprint's hexadecimal digits are not quantities and keep their digits."""

import re

import pytest

from intake.services import RequestSpec, requests_import
from tests.conftest import text_of
from tests.reports.accepting import accept_month

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
