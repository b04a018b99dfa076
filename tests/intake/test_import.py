"""CSV import, for staff on the web and as `manage.py import_requests FILE.csv`: the
whole file or nothing, every bad row reported by line, and a file with a column not in
the format refused unread, its values neither stored, shown nor logged."""

import datetime as dt
import io
import logging
import re
import tracemalloc
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.management import CommandError, call_command

from intake.forms import ImportForm
from intake.imports import MAX_BYTES
from intake.models import Entry, HelpRequest
from intake.months import add_months, format_month
from intake.services import RequestSpec, requests_import
from tests.conftest import THIS_MONTH, text_of

HEADER = "month,programme,category,status,outcome,closed_month,count"
SECRET = "Ivan Petrovich +7 900"
NEXT_MONTH = format_month(add_months(THIS_MONTH, 1))


@dataclass
class Result:
    imported: bool
    message: str  # the page as a reader sees it, or the command's output or error


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(params=["web", "command"])
def import_file(request, programme, other_programme, tmp_path):
    """import_file(data): the file imported through one of the two interfaces."""
    if request.param == "web":
        browser = request.getfixturevalue("client_for")(request.getfixturevalue("staff"))

        def through_the_web(data: bytes) -> Result:
            preview = browser.post("/requests/import/", {"file": SimpleUploadedFile("requests.csv", data, "text/csv")})
            if preview.status_code == 400:
                return Result(False, text_of(preview))
            assert preview.status_code == 200 and "Nothing is written until you import it." in text_of(preview)
            response = browser.post("/requests/import/", {"preview": preview.context["key"]}, follow=True)
            assert response.redirect_chain and response.status_code == 200
            return Result(True, text_of(response))

        return through_the_web

    def through_the_command(data: bytes) -> Result:
        path = tmp_path / "requests.csv"
        path.write_bytes(data)
        out = io.StringIO()
        try:
            call_command("import_requests", str(path), stdout=out)
        except CommandError as exc:
            return Result(False, str(exc))
        return Result(True, out.getvalue())

    return through_the_command


def assert_nothing_written() -> None:
    assert not HelpRequest.objects.exists()
    assert not Entry.objects.exists()


# --- good files ----------------------------------------------------------------------


def test_a_good_file_is_imported_whole(import_file, programme, other_programme):
    result = import_file(csv_bytes(
        HEADER,
        "2023-10,help,desertion,new,,,12",
        "2023-10,help,desertion,closed,left_country,2023-11,3",
        "2023-09,other,legal,in_progress,,,2",
    ))

    assert result.imported, result.message
    assert "Imported 17 requests" in result.message
    rows = HelpRequest.objects.values_list("programme__slug", "month", "category", "status", "outcome", "closed_month")
    assert sorted((slug, m.isoformat(), c, s, o, cm and cm.isoformat()) for slug, m, c, s, o, cm in rows) == sorted(
        [("help", "2023-10-01", "desertion", "new", "", None)] * 12
        + [("help", "2023-10-01", "desertion", "closed", "left_country", "2023-11-01")] * 3
        + [("other", "2023-09-01", "legal", "in_progress", "", None)] * 2
    )
    # One entry for the whole import, dated by its earliest month.
    assert [(e.kind, e.month.isoformat(), e.size, e.requests.count()) for e in Entry.objects.all()] == [
        ("import", "2023-09-01", 17, 17)]


def test_a_header_in_another_order_is_read_by_name(import_file, programme):
    result = import_file(csv_bytes(
        "count,closed_month,outcome,status,category,programme,month",
        "4,2023-11,referred,closed,legal,help,2023-10",
    ))

    assert result.imported, result.message
    rows = HelpRequest.objects.values_list("category", "status", "outcome")
    assert list(rows) == [("legal", "closed", "referred")] * 4


def test_blank_lines_are_skipped(import_file, programme):
    result = import_file(csv_bytes(
        HEADER, "", "2023-10,help,desertion,new,,,2", "", ",,,,,,", "   ", "2023-11,help,legal,new,,,1", ""))

    assert result.imported, result.message
    assert HelpRequest.objects.count() == 3


def test_a_utf8_bom_is_accepted(import_file, programme):
    result = import_file(b"\xef\xbb\xbf" + csv_bytes(HEADER, "2023-10,help,desertion,new,,,2"))

    assert result.imported, result.message
    assert HelpRequest.objects.count() == 2


def test_windows_line_endings_and_spaces_around_values_are_accepted(import_file, programme):
    result = import_file(f"{HEADER}\r\n 2023-10 , help , desertion , new ,,, 2 \r\n".encode())

    assert result.imported, result.message
    assert HelpRequest.objects.count() == 2


# --- refused files: nothing written ----------------------------------------------------


def test_every_bad_row_is_reported_by_line_and_nothing_is_written(import_file, programme):
    result = import_file(csv_bytes(
        HEADER,
        "2023-10,help,desertion,new,,,12",
        "2023-10,help,smuggling,new,,,3",
        "2023-10,help,desertion,closed,,2023-11,2",
        "2023-11,help,legal,new,,,1",
    ))

    assert not result.imported
    assert "Nothing was imported." in result.message
    assert re.search(r"line 3: category must be one of", result.message, re.I), result.message
    assert re.search(r"line 4: A closed request needs an outcome\.", result.message, re.I), result.message
    assert not re.search(r"line [25]\b", result.message, re.I)
    assert_nothing_written()


@pytest.mark.parametrize(
    "row, problem",
    [
        pytest.param(f"{NEXT_MONTH},help,desertion,new,,,2", "The month received cannot be in the future.",
                     id="future-month"),
        pytest.param("2023-10,help,desertion,new,,,-2", "The count must be between 1 and 5,000.", id="negative-count"),
        pytest.param("2023-10,help,desertion,new,,,0", "The count must be between 1 and 5,000.", id="zero-count"),
        pytest.param("2023-10,help,desertion,new,,,5001", "The count must be between 1 and 5,000.", id="huge-count"),
        pytest.param("2023-10,help,desertion,new,,,two", "count must be written in digits, e.g. 12.",
                     id="count-not-a-number"),
        # int() reads all of these; a count is written in the digits 0-9 and nothing else.
        pytest.param("2023-10,help,desertion,new,,,٥", "count must be written in digits, e.g. 12.",
                     id="arabic-indic-count"),
        pytest.param("2023-10,help,desertion,new,,,1_0", "count must be written in digits, e.g. 12.",
                     id="underscore-count"),
        pytest.param("2023-10,help,desertion,new,,,+2", "count must be written in digits, e.g. 12.",
                     id="signed-count"),
        pytest.param("2023-10,help,desertion,new,,,2.0", "count must be written in digits, e.g. 12.",
                     id="decimal-count"),
        pytest.param("٢٠٢٣-١٠,help,desertion,new,,,2", "month must be a month as YYYY-MM, or a date in it",
                     id="arabic-indic-month"),
        pytest.param("2023-10,help,desertion,closed,left_country,２０２３-１１,2",
                     "closed_month must be a month as YYYY-MM, or a date in it", id="fullwidth-closed-month"),
        pytest.param("2023-10,help,smuggling,new,,,2", "category must be one of", id="unknown-category"),
        pytest.param("2023-10,help,desertion,new,left_country,,2", "Only a closed request has an outcome.",
                     id="outcome-on-open-request"),
        pytest.param("2023-10,help,desertion,closed,left_country,2023-09,2",
                     "The month closed cannot be before the month received.", id="closed-before-received"),
        pytest.param("2023-03,help,desertion,new,,,2", "The month received cannot be before the programme started",
                     id="month-before-programme"),
        pytest.param("10/2023,help,desertion,new,,,2", "month must be a month as YYYY-MM, or a date in it",
                     id="malformed-month"),
        pytest.param("2023-10,nowhere,desertion,new,,,2", "unknown programme", id="unknown-programme"),
        pytest.param("2023-10,help,desertion,new,,2", "expected 7 values, found 6.", id="missing-value"),
    ],
)
@pytest.mark.usefixtures("this_month")  # so that NEXT_MONTH is in the future
def test_a_bad_row_is_refused_with_its_line_and_reason(import_file, programme, row, problem):
    result = import_file(csv_bytes(HEADER, "2023-10,help,desertion,new,,,12", row))

    assert not result.imported
    assert re.search(r"line 3: " + re.escape(problem), result.message, re.I), result.message
    assert_nothing_written()


@pytest.mark.parametrize("column", ["name", "phone", "Telegram"])
def test_a_file_with_a_column_not_in_the_format_is_refused_unread(import_file, programme, caplog, column):
    caplog.set_level(logging.DEBUG)

    result = import_file(csv_bytes(
        f"{HEADER},{column}",
        f"2023-10,help,desertion,new,,,12,{SECRET}",
        f"2023-10,help,legal,new,,,1,{SECRET}",
    ))

    assert not result.imported
    assert "not in the format" in result.message
    assert "may hold personal data" in result.message
    assert SECRET not in result.message
    assert "Petrovich" not in result.message and "+7 900" not in result.message
    assert SECRET not in caplog.text
    assert_nothing_written()


def test_the_refused_column_value_is_not_in_the_page_bytes_either(client_for, staff, programme, caplog):
    caplog.set_level(logging.DEBUG)
    data = csv_bytes(f"{HEADER},name", f"2023-10,help,desertion,new,,,12,{SECRET}")

    response = client_for(staff).post("/requests/import/", {"file": SimpleUploadedFile("r.csv", data, "text/csv")})

    assert response.status_code == 400
    assert b"Petrovich" not in response.content
    # Logging was captured (the refusal is logged as a bad request), and holds no value.
    assert any("Bad Request" in record.getMessage() for record in caplog.records)
    assert "Petrovich" not in caplog.text


@pytest.mark.parametrize(
    "data, problem",
    [
        pytest.param(csv_bytes("month,programme,category,status,outcome,count", "2023-10,help,desertion,new,,2"),
                     "The header must name each of these columns once", id="missing-column"),
        pytest.param(csv_bytes(f"{HEADER},count", "2023-10,help,desertion,new,,,2,2"),
                     "The header must name each of these columns once", id="repeated-column"),
        pytest.param(csv_bytes(HEADER), "The file has no rows.", id="header-only"),
        pytest.param(csv_bytes(HEADER, "2023-10,help,desertion,new,,,2").replace(b"help", "помощь".encode("cp1251")),
                     "unknown programme, or one you may not import into.", id="windows-1251-read"),
        pytest.param("month,programme,category,status,outcome,closed_month,count\n2023-10,help,émigration,new,,,2\n"
                     .encode("latin-1"), "category must be one of", id="latin1-read-as-windows-1251"),
    ],
)
def test_a_malformed_file_is_refused_with_a_reason(import_file, programme, data, problem):
    result = import_file(data)

    assert not result.imported
    assert problem in result.message
    assert_nothing_written()


def test_an_empty_file_is_refused_on_the_web(client_for, staff, programme):
    response = client_for(staff).post("/requests/import/", {"file": SimpleUploadedFile("r.csv", b"", "text/csv")})

    assert response.status_code == 400
    assert "The submitted file is empty." in text_of(response)
    assert_nothing_written()


def test_an_empty_file_is_refused_by_the_command(programme, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    with pytest.raises(CommandError, match="The file is empty."):
        call_command("import_requests", str(path))

    assert_nothing_written()


def test_the_command_says_when_it_cannot_read_the_file(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_requests", str(tmp_path / "missing.csv"))


def test_a_file_over_the_row_limit_is_refused(import_file, programme):
    result = import_file(csv_bytes(HEADER, *["2023-10,help,desertion,new,,,1"] * 5001))

    assert not result.imported
    assert "The file has more than 5,000 rows." in result.message
    assert_nothing_written()


# --- limits: what a web worker can take within its timeout ------------------------------


@pytest.mark.parametrize(
    "rows, total",
    [
        # The file of the report: 1.3 KB, 40 rows of 5,000, which held a web worker past its timeout.
        pytest.param(["2023-10,help,desertion,new,,,5000"] * 40, "200,000", id="40-rows-of-5000"),
        pytest.param(["2023-10,help,desertion,new,,,5000"] * 10 + ["2023-11,help,legal,new,,,1"], "50,001",
                     id="one-over"),
    ],
)
def test_a_file_of_more_requests_than_one_import_takes_is_refused_before_anything_is_written(
    import_file, programme, rows, total
):
    data = csv_bytes(HEADER, *rows)

    result = import_file(data)

    assert not result.imported
    assert (f"The rows of the file add up to {total} requests; one import takes at most 50,000. Split the file "
            "into files of at most 50,000 requests and import them one after another.") in result.message
    assert_nothing_written()


def test_a_file_of_exactly_as_many_requests_as_one_import_takes_is_imported(programme, tmp_path):
    path = tmp_path / "requests.csv"
    path.write_bytes(csv_bytes(HEADER, *["2023-10,help,desertion,new,,,5000"] * 10))

    call_command("import_requests", str(path), stdout=io.StringIO())

    assert HelpRequest.objects.count() == 50_000
    assert HelpRequest.objects.values("reference").distinct().count() == 50_000


def test_the_import_service_refuses_more_requests_than_one_import_takes_and_writes_nothing(programme):
    spec = RequestSpec(programme=programme, month=dt.date(2023, 10, 1), category="legal")

    with pytest.raises(ValidationError, match="add up to 50,001 requests; one import takes at most 50,000"):
        requests_import([(spec, 5000)] * 10 + [(spec, 1)], author=None)

    assert_nothing_written()


def test_an_import_builds_its_requests_a_batch_at_a_time(programme, tmp_path):
    path = tmp_path / "requests.csv"
    path.write_bytes(csv_bytes(HEADER, *["2023-10,help,desertion,new,,,5000"] * 2))

    tracemalloc.start()
    try:
        call_command("import_requests", str(path), stdout=io.StringIO())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert HelpRequest.objects.count() == 10_000
    # 10,000 requests built at once take some 7 MB; a batch of them, well under one.
    assert peak < 4 * 1024 * 1024, f"{peak / 1024 / 1024:.1f} MB at the peak"


def test_a_value_too_long_for_the_csv_reader_is_refused_with_its_line(import_file, programme):
    result = import_file(csv_bytes(HEADER, "2023-10,help,desertion,new,,,2", f"2023-10,help,{'x' * 140_000},new,,,2"))

    assert not result.imported
    assert "line 3: a value is longer than 131,072 characters" in result.message.lower()
    assert "x" * 20 not in result.message
    assert_nothing_written()


def test_a_file_over_the_size_limit_is_refused_with_how_to_fix_it(import_file, programme):
    row = "2023-10,help,desertion,new,,,1\n"
    data = (HEADER + "\n" + row * (MAX_BYTES // len(row) + 1)).encode()
    assert len(data) > MAX_BYTES

    result = import_file(data)

    assert not result.imported
    assert "The file is larger than 2 MB; split it into smaller files and import each." in result.message
    assert_nothing_written()


def test_the_import_form_refuses_an_upload_over_the_size_limit_by_its_size_unread(db):
    content = io.BytesIO(b"x" * (MAX_BYTES + 1))
    upload = UploadedFile(content, name="requests.csv", content_type="text/csv", size=MAX_BYTES + 1)

    form = ImportForm({}, {"file": upload})

    assert not form.is_valid()
    assert form.errors["file"] == ["The file is larger than 2 MB; split it into smaller files and import each."]
    assert content.tell() == 0  # refused by the size the upload came with, not by reading it


def test_the_command_refuses_a_file_over_the_size_limit_without_reading_it_whole(programme, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as file:
        file.truncate(100 * 1024 * 1024)  # 100 MB, sparse: nothing on disk, all of it to read

    tracemalloc.start()
    try:
        with pytest.raises(CommandError, match="The file is larger than 2 MB; split it into smaller files"):
            call_command("import_requests", str(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 4 * 1024 * 1024, f"{peak / 1024 / 1024:.1f} MB at the peak"
    assert_nothing_written()


# --- who may import ----------------------------------------------------------------------


def test_the_import_page_offers_a_file_upload_to_staff(client_for, staff):
    response = client_for(staff).get("/requests/import/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page


def test_a_coordinator_may_not_import(client_for, coordinator, programme):
    upload = SimpleUploadedFile("r.csv", csv_bytes(HEADER, "2023-10,help,desertion,new,,,2"), "text/csv")

    response = client_for(coordinator).post("/requests/import/", {"file": upload})

    assert response.status_code == 403
    assert_nothing_written()


def test_posting_the_import_form_without_a_file_says_a_file_is_needed(staff, client_for):
    response = client_for(staff).post("/requests/import/", {})

    assert response.status_code == 400
    assert "Choose a CSV or Excel file to import." in response.content.decode()
