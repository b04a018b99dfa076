"""Verification for auditors, second half: a JSON export, uploaded, pasted or given to
`manage.py verify_report`, matches a stored version exactly, or the app names the
figures that differ; anything that is not a report export is refused with a reason."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from intake.models import AuditEvent
from reports.audit_actions import ReportAction
from reports.models import Report
from reports.verification import MAX_EXPORT_BYTES
from tests.conftest import table_rows as shared_table_rows
from tests.conftest import text_of

VERIFY = "/reports/verify/"
DEMO_FINGERPRINT = "sha256:e818870f4c5b1ac4729f5487b97b10cab4f3a62df18974c930a03a47a9b6b97b"
JSON_EXPORT = "/reports/desertion-help/2023-11/v1.json"


def difference_rows(response) -> list[list[str]]:
    return shared_table_rows(response, "data-differences")


@pytest.fixture
def auditor_client(auditor, client_for):
    return client_for(auditor)


@pytest.fixture
def export(november_report, auditor_client) -> bytes:
    """The JSON export of the November report, as the JSON button downloads it."""
    return auditor_client.get(JSON_EXPORT).content


def upload(client, content: bytes, name: str = "report-desertion-help-2023-11-v1.json", **extra):
    return client.post(VERIFY, {"file": SimpleUploadedFile(name, content, "application/json")}, **extra)


def tampered(export: bytes, change) -> bytes:
    document = json.loads(export)
    change(document)
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


# --- the page --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff", "auditor"])
def test_the_verify_page_offers_an_upload_and_a_text_box(request, client_for, persona, db):
    response = client_for(request.getfixturevalue(persona)).get(VERIFY)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="file"' in html and 'name="file"' in html and "<textarea" in html and 'name="text"' in html
    assert 'enctype="multipart/form-data"' in html


def test_an_uploaded_export_matches_its_stored_version_exactly(export, auditor, auditor_client):
    response = upload(auditor_client, export)

    assert response.status_code == 200
    assert "matches Desertion help (demo), November 2023 · version 1 exactly" in text_of(response)
    assert 'href="/reports/desertion-help/2023-11/v1/"' in response.content.decode()
    assert AuditEvent.objects.filter(
        actor=auditor, action=ReportAction.REPORT_VERIFIED, subject="desertion-help 2023-11 v1 file"
    ).exists()


def test_a_pasted_export_matches_too_whatever_the_order_of_its_keys(export, auditor_client):
    document = json.loads(export)
    reordered = json.dumps(dict(reversed(list(document.items()))))

    response = auditor_client.post(VERIFY, {"text": reordered})

    assert response.status_code == 200
    assert "exactly" in text_of(response)


def test_the_figures_that_differ_are_listed_with_both_values(export, auditor_client):
    def change(document):
        document["window"]["current"]["requests"] = 578
        document["series"][6]["requests"] = 219  # 2023-10
        document["since_start"]["highest"] = [{"month": "2023-09", "requests": 218}]
        document["fingerprint"] = "sha256:" + "0" * 64
        document["note"] = "added"
        del document["by_category"]["other"]

    response = upload(auditor_client, tampered(export, change))

    assert response.status_code == 200
    text = text_of(response)
    assert "does not match Desertion help (demo), November 2023 · version 1" in text
    assert "7 figures differ" in text
    assert difference_rows(response) == [
        ["Recent months and the months before: Requests in the recent months", "578", "577"],
        ["Since the first month: Highest month, October 2023", "(missing)", "218"],
        ["Requests by month: Requests, October 2023", "219", "218"],
        ["This month by category: Other", "(missing)", "0"],
        ["Report: Fingerprint", f'"sha256:{"0" * 64}"', f'"{DEMO_FINGERPRINT}"'],
        ["Since the first month: Highest month, September 2023", "218", "(missing)"],
        ["note", '"added"', "(missing)"],  # a key no report has: named as the file names it
    ]


def test_a_number_written_differently_is_a_difference(export, auditor_client):
    def change(document):
        document["requests"]["this_month"] = 175.0

    rows = difference_rows(upload(auditor_client, tampered(export, change)))
    russian = difference_rows(upload(auditor_client, tampered(export, change), HTTP_ACCEPT_LANGUAGE="ru"))

    assert rows == [["This month: Requests", "175.0", "175"]]
    assert russian == [["Этот месяц: Запросы", "175,0", "175"]]  # every digit kept, in the page's language


def test_the_numbers_that_differ_are_grouped_as_the_pages_language_writes_them(export, auditor_client):
    def change(document):
        document["requests"]["this_month"] = 15134
        document["window"]["change_pct"] = 1089.25

    rows = difference_rows(upload(auditor_client, tampered(export, change)))
    russian = difference_rows(upload(auditor_client, tampered(export, change), HTTP_ACCEPT_LANGUAGE="ru"))

    assert [row[1:] for row in rows] == [["15,134", "175"], ["1,089.25", "89.2"]]
    assert [row[1:] for row in russian] == [["15 134", "175"], ["1 089,25", "89,2"]]  # the cells read with spaces folded


def test_an_export_of_another_version_is_compared_with_that_version(export, november_report, auditor_client):
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline", stdout=io.StringIO())
    second = auditor_client.get("/reports/desertion-help/2023-11/v2.json").content

    response = upload(auditor_client, second)

    assert "matches Desertion help (demo), November 2023 · version 2 exactly" in text_of(response)


@pytest.mark.parametrize("content, message", [
    (b"", "Choose a JSON export file, or paste its text."),
    (b"not json at all", "This is not JSON: the first problem is at line 1, column 1."),
    (b'{"month": "2023-11",\n "version": 1,,}', "This is not JSON: the first problem is at line 2, column 15."),
    (b"\xff\xfe{}", "The file is not UTF-8 text"),
    (b"[1, 2, 3]", "This is JSON, but not a report export"),
    (b'{"version": ' + b"1" * 5000 + b"}", "This is not a report export: a number in it has more than 4300 digits."),
    (b'{"version": NaN}', "This is not JSON: NaN is not a JSON value."),
    (b"[" * 100_000, "This is JSON, but not a report export: it is nested far deeper than one."),
    (b'{"month": "2023-11", "version": 1}', "it has no \u201cscope\u201d"),
    (b'{"scope": {"programme": "desertion-help"}, "version": 1}', "it has no \u201cmonth\u201d"),
    (b'{"scope": {"programme": "desertion-help"}, "month": "2023-11"}', "it has no \u201cversion\u201d"),
    (b'{"scope": "desertion-help", "month": "2023-11", "version": 1}', "its \u201cscope\u201d is not"),
    (b'{"scope": {"programme": "desertion-help"}, "month": "November", "version": 1}',
     "The export\u2019s month \u201cNovember\u201d is not a month written as YYYY-MM."),
    (b'{"scope": {"programme": "desertion-help"}, "month": "2023-11", "version": "1"}',
     "The export\u2019s version \u201c\"1\"\u201d is not a version number"),
    (b'{"scope": {"programme": "nowhere"}, "month": "2023-11", "version": 1}',
     "There is no programme \u201cnowhere\u201d here"),
    (b'{"scope": {"programme": "nul\\u0000here"}, "month": "2023-11", "version": 1}',
     "There is no programme \u201cnul\x00here\u201d here"),
    (b'{"scope": {"programme": null}, "month": "' + b"9" * 1000 + b'", "version": 1}',
     "The export\u2019s month \u201c" + "9" * 40 + "\u2026\u201d is not a month"),
    (b'{"scope": {"programme": "desertion-help"}, "month": "2023-10", "version": 1}',
     "No report of Desertion help (demo) for October 2023 has been made here."),
    (b'{"scope": {"programme": "desertion-help"}, "month": "2023-11", "version": 4}',
     "There is no version 4 of the report of Desertion help (demo) for November 2023; the versions made are: "
     "1."),
    (b'{"scope": {"programme": null}, "month": "2023-11", "version": 1}',
     "No report of all programmes for November 2023 has been made here."),
])
def test_what_is_not_a_report_export_is_refused_with_the_reason(november_report, auditor_client, content, message):
    response = upload(auditor_client, content) if content else auditor_client.post(VERIFY, {})

    assert response.status_code == 400
    assert message in text_of(response)
    assert not AuditEvent.objects.filter(action=ReportAction.REPORT_VERIFIED).exists()


def test_a_report_not_made_is_named_by_its_programme_and_month_in_russian(november_report, auditor_client):
    response = upload(auditor_client, b'{"scope": {"programme": "desertion-help"}, "month": "2023-10", "version": 1}',
                      HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 400
    assert ("Отчёт программы «Помощь в уходе из армии (демо)» за октябрь 2023 г. здесь не формировался."
            in text_of(response))


def test_a_version_that_is_not_ready_has_nothing_to_compare(demo_programme, auditor_client):
    Report.objects.create(programme=demo_programme, month=dt.date(2023, 11, 1), version=1)

    response = auditor_client.post(
        VERIFY, {"text": '{"scope": {"programme": "desertion-help"}, "month": "2023-11", "version": 1}'})

    assert response.status_code == 400
    assert "is queued: it has no figures to compare yet." in text_of(response)


def test_a_file_and_a_text_at_once_are_refused(export, auditor_client):
    response = auditor_client.post(VERIFY, {"file": SimpleUploadedFile("a.json", export), "text": export.decode()})

    assert response.status_code == 400
    assert "Choose a file or paste the text, not both." in text_of(response)


def test_a_file_over_the_limit_is_refused_unread(november_report, auditor_client):
    response = upload(auditor_client, b" " * (MAX_EXPORT_BYTES + 1))

    assert response.status_code == 400
    assert "larger than 512 KB" in text_of(response)


def test_a_pasted_text_over_the_limit_is_refused(november_report, auditor_client):
    response = auditor_client.post(VERIFY, {"text": '{"month": "' + "x" * MAX_EXPORT_BYTES + '"}'})

    assert response.status_code == 400
    assert "larger than 512 KB" in text_of(response)


def test_the_verify_page_speaks_russian(export, auditor_client):
    refused = auditor_client.post(VERIFY, {"text": "[]"}, HTTP_ACCEPT_LANGUAGE="ru")
    matched = upload(auditor_client, export, HTTP_ACCEPT_LANGUAGE="ru")

    assert "Это JSON, но не выгрузка отчёта" in text_of(refused)
    assert re.search(r"в точности совпадает с отчётом «Помощь в уходе из армии \(демо\), ноябрь 2023 г\. · версия 1»",
                     text_of(matched))


# --- the command -------------------------------------------------------------------


def verify_report(path) -> tuple[int, str, str]:
    """`manage.py verify_report PATH`: (exit status, stdout, stderr). manage.py turns a
    CommandError into its message on stderr and exit status `returncode`."""
    out = io.StringIO()
    try:
        call_command("verify_report", str(path), stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), ""


def test_verify_report_exits_0_when_the_file_matches(export, tmp_path):
    path = tmp_path / "report.json"
    path.write_bytes(export)

    status, out, _err = verify_report(path)

    assert status == 0
    assert out.strip() == "Matches desertion-help 2023-11 v1 exactly."
    assert AuditEvent.objects.filter(actor=None, subject="desertion-help 2023-11 v1 file").exists()


def test_verify_report_exits_1_listing_the_figures_that_differ(export, tmp_path):
    path = tmp_path / "report.json"
    path.write_bytes(tampered(export, lambda document: document["requests"].update(this_month=176)))

    status, out, err = verify_report(path)

    assert status == 1
    assert "requests.this_month: in the file 176, stored 175" in out
    assert "does not match desertion-help 2023-11 v1: 1 figure differs" in err


@pytest.mark.parametrize("content, reason", [
    (b"{", "This is not JSON"),
    (b'{"scope": {"programme": "desertion-help"}, "month": "2023-11", "version": 9}', "There is no version 9"),
])
def test_verify_report_exits_1_with_the_reason_for_what_it_cannot_check(november_report, tmp_path, content, reason):
    path = tmp_path / "report.json"
    path.write_bytes(content)

    status, _out, err = verify_report(path)

    assert status == 1
    assert reason in err


def test_verify_report_says_when_the_file_is_missing(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("verify_report", str(tmp_path / "nowhere.json"))


def test_the_report_page_and_its_verify_page_link_to_the_export_check(november_report, auditor_client):
    for url in ("/reports/desertion-help/2023-11/v1/", "/reports/desertion-help/2023-11/v1/verify/"):
        assert f'href="{VERIFY}"' in auditor_client.get(url).content.decode(), url
