"""The report document: built in one place, shown by every output as docs/report-json.md
documents it, key order included, on every database."""

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

from django.core.management import call_command

from intake.counts import count_rows
from intake.models import Category
from reports.document import in_contract_order, report_document
from reports.models import Report
from reports.outputs import to_csv
from reports.services import report_generate, report_request
from tests.conftest import add_request

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "report-json.md"
NOVEMBER = dt.date(2023, 11, 1)


def documented_example() -> str:
    """The JSON that docs/report-json.md says `monthly_report 2023-11` prints."""
    block = re.search(r"which prints:\n\n```json\n(.*?\n)```", CONTRACT.read_text(encoding="utf-8"), re.S)
    assert block, "docs/report-json.md has no example after 'which prints:'"
    return block.group(1)


def in_order(text: str | bytes) -> list:
    """Parsed JSON with every object as its list of (key, value) pairs, so that
    comparing two of them compares the key order at every level too."""
    return json.loads(text, object_pairs_hook=list)


def made_by_the_service(programme) -> Report:
    report = report_request(programme=programme, month=NOVEMBER, send=False)
    report_generate(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == Report.State.READY, report.failure
    return report


def test_json_export_of_the_november_2023_demo_report_is_the_documented_example(
    demo_programme, staff, client_for
):
    made_by_the_service(demo_programme)

    response = client_for(staff).get("/reports/desertion-help/2023-11/v1.json")

    assert response.status_code == 200
    # The export says which profile it carries (reports/disclosure.py), right after the version.
    assert in_order(response.content) == with_profile(in_order(documented_example()))


def with_profile(pairs: list, profile: str = "internal") -> list:
    """The documented example's keys, with "profile" after "version" as every export has it."""
    after = [key for key, _ in pairs].index("version") + 1
    return [*pairs[:after], ("profile", profile), *pairs[after:]]


def test_monthly_report_prints_the_documented_example_character_for_character(demo_programme):
    out = io.StringIO()

    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline", stdout=out)

    assert out.getvalue() == documented_example()


def test_report_document_is_built_in_the_documented_order(demo_programme):
    rows = count_rows(programme=demo_programme, until=NOVEMBER)

    document = report_document(
        programme=demo_programme, month=NOVEMBER, version=1, window=3, rows=rows, first_month=dt.date(2023, 4, 1)
    )

    assert in_order(json.dumps(document)) == in_order(documented_example())


def test_csv_export_lists_the_figures_in_the_documented_order(demo_programme, staff, client_for):
    made_by_the_service(demo_programme)

    response = client_for(staff).get("/reports/desertion-help/2023-11/v1.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    keys = list(dict.fromkeys(row[4] for row in rows[1:]))
    assert keys[:5] == ["scope.programme", "month", "version", "profile", "requests.this_month"]
    assert keys[-1] == "fingerprint" and keys.index("series") < keys.index("by_category.desertion")
    assert response.content.decode() == to_csv(dict(with_profile(list(json.loads(documented_example()).items()))))


def test_comparison_lists_the_differences_in_the_documented_order(demo_programme, staff, client_for):
    made_by_the_service(demo_programme)
    add_request(programme=demo_programme, month=NOVEMBER, category=Category.LEGAL)
    made_by_the_service(demo_programme)

    page = client_for(staff).get("/reports/desertion-help/2023-11/v2/compare/v1/").content.decode()

    shown = re.findall(r'<tr class="[^"]*table-warning[^"]*" data-key="([a-z_.0-9-]+)"', page)
    assert shown == [
        "requests.this_month", "requests.change_pct", "window.current.requests", "window.change_pct",
        "since_start.requests", "since_start.current_window_share_pct", "series", "by_category.legal",
        "by_status_end_of_month.open",
    ]


def test_a_document_read_back_in_another_key_order_is_put_back_in_the_documented_order():
    example = json.loads(documented_example())

    def reversed_keys(value):
        if isinstance(value, dict):
            return {key: reversed_keys(value[key]) for key in reversed(value)}
        if isinstance(value, list):
            return [reversed_keys(item) for item in value]
        return value

    shuffled = reversed_keys(example)
    assert list(shuffled) != list(example)

    assert in_order(json.dumps(in_contract_order(shuffled))) == in_order(documented_example())


def test_keys_the_contract_does_not_name_are_kept_after_the_documented_ones():
    document = {"fingerprint": "sha256:0", "future_key": {"b": 1, "a": 2}, "month": "2023-11"}

    assert list(in_contract_order(document).items()) == [
        ("month", "2023-11"), ("fingerprint", "sha256:0"), ("future_key", {"b": 1, "a": 2}),
    ]
