"""Versions of a report: each page says which is the latest, the list folds them, and
two of them compare figure by figure in the reader's language."""

import io
import re
from html import unescape

import pytest
from django.core.management import call_command

from intake.models import Category
from reports.models import Report
from tests.conftest import add_request

PAGE = "/reports/desertion-help/2023-11"


def reading_of(response) -> str:
    """The page as a reader sees it: links run on with the words around them, other tags
    break words apart."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    html = re.sub(r"</?a\b[^>]*>", "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def make_version(scope: list[str] | None = None) -> Report:
    scope = ["--programme", "desertion-help"] if scope is None else scope
    call_command("monthly_report", "2023-11", *scope, "--inline",
                 stdout=io.StringIO())
    return Report.objects.order_by("-pk").first()


@pytest.fixture
def three_versions(demo_programme) -> list[Report]:
    return [make_version() for _ in range(3)]


def test_an_older_version_says_which_is_the_latest_and_links_to_it(three_versions, staff, client_for):
    client = client_for(staff)

    first = client.get(f"{PAGE}/v1/")
    latest = client.get(f"{PAGE}/v3/")

    assert "Version 1 of 3 — the latest is version 3." in reading_of(first)
    assert re.search(rf'<a href="{PAGE}/v3/"[^>]*>the latest is version 3</a>', first.content.decode())
    assert "Version 3 of 3: this is the latest version." in reading_of(latest)
    assert "the latest is" not in reading_of(latest)
    russian = reading_of(client.get(f"{PAGE}/v1/", HTTP_ACCEPT_LANGUAGE="ru"))
    assert "Версия 1 из 3 — последняя версия: 3." in russian


def test_a_single_version_says_it_is_the_latest(demo_programme, staff, client_for):
    make_version()

    assert "This is the latest version." in reading_of(client_for(staff).get(f"{PAGE}/"))


def test_an_older_version_names_a_latest_that_is_not_ready_yet(three_versions, staff, client_for):
    Report.objects.filter(version=3).update(state=Report.State.QUEUED)

    assert "Version 1 of 3 — the latest is version 3 (queued)." in reading_of(client_for(staff).get(f"{PAGE}/v1/"))


def test_the_printable_page_says_which_version_is_the_latest(three_versions, auditor, client_for):
    text = reading_of(client_for(auditor).get(f"{PAGE}/v2/print/"))

    assert "Version 2 of 3 — the latest is version 3." in text


def test_the_report_list_shows_one_row_per_report_with_its_versions_folded(three_versions, staff, client_for):
    make_version([])  # all programmes, November 2023

    response = client_for(staff).get("/reports/")

    html = response.content.decode()
    rows = re.findall(r"<tr\b.*?</tr>", html.split("<tbody>")[1], flags=re.S)
    assert len(rows) == 2
    demo_row = next(row for row in rows if "desertion-help" in row)
    assert f'href="{PAGE}/v3/"' in demo_row
    folded = re.search(r"<details\b.*?</details>", demo_row, flags=re.S).group(0)
    assert "2 earlier versions" in folded
    assert f'href="{PAGE}/v2/"' in folded and f'href="{PAGE}/v1/"' in folded
    assert "<details" not in next(row for row in rows if "/reports/all/" in row)


@pytest.fixture
def changed_versions(demo_programme) -> tuple[Report, Report]:
    first = make_version()
    add_request(programme=demo_programme, month=first.month, category=Category.LEGAL)
    return first, make_version()


def changed_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="[^"]*table-warning[^"]*" data-key="([^"]+)"', html)


def test_the_comparison_gives_labels_both_values_and_the_difference(changed_versions, staff, client_for):
    first, second = changed_versions

    response = client_for(staff).get(f"{PAGE}/v2/compare/v1/")

    text, html = reading_of(response), response.content.decode()
    assert "Requests November 2023 175 176 +1" in text
    assert "Requests in the recent months September–November 2023 577 578 +1" in text
    assert "Legal consultation November 2023 0 1 +1" in text
    assert "Change on the months before, % June–November 2023 89.2 89.5 +0.3" in text
    assert "requests.this_month" not in text  # machine keys stay in the markup, for scripts
    assert changed_rows(html) == [
        "requests.this_month", "requests.change_pct", "window.current.requests", "window.change_pct",
        "since_start.requests", "since_start.current_window_share_pct", "series", "by_category.legal",
        "by_status_end_of_month.open",
    ]
    # Unchanged figures are there too, not highlighted; a part where nothing changed is folded.
    assert re.search(r'<tr data-key="since_start.highest">', html)
    folded = {re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", summary))).strip(): " open" in attributes
              for attributes, summary in re.findall(r"<details([^>]*)>\s*<summary[^>]*>(.*?)</summary>", html, re.S)}
    assert folded["This month · changed: 2"] is True
    assert folded["Outcomes of requests closed this month · unchanged"] is False
    # Each fingerprint once, in a box that wraps.
    assert html.count(first.fingerprint) == 1 and html.count(second.fingerprint) == 1
    assert 'class="fingerprint' in html


def test_the_comparison_speaks_russian(changed_versions, staff, client_for):
    text = reading_of(client_for(staff).get(f"{PAGE}/v2/compare/v1/", HTTP_ACCEPT_LANGUAGE="ru"))

    assert "Запросы Ноябрь 2023 175 176 +1" in text
    assert "Юридическая консультация Ноябрь 2023 0 1 +1" in text
    assert "Изменение к предыдущим месяцам, % Июнь — ноябрь 2023 89,2 89,5 +0,3" in text
    assert "Requests" not in text


def test_two_versions_of_the_same_data_show_one_fingerprint(demo_programme, staff, client_for):
    first, second = make_version(), make_version()

    html = client_for(staff).get(f"{PAGE}/v2/compare/v1/").content.decode()

    assert first.fingerprint == second.fingerprint
    assert html.count(first.fingerprint) == 1
    assert changed_rows(html) == []
    assert "No figure differs" in html
