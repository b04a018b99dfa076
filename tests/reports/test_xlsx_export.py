"""Exports for Excel (issue 27, point 6): a report's figures as .xlsx at the CSV export's
address with .xlsx in its place (the same ?profile=), and the audit log; numbers are
numbers, "<10" and "[c]" text, months text, the header in the request's language."""

import csv
import io

from openpyxl import load_workbook

from intake.models import AuditEvent
from tests.conftest import make_user

from .test_published_outputs import SMALL_URL, URL, people, small_report  # noqa: F401 (fixtures)

RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}


def sheet_rows(response) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)]


def test_the_public_figures_open_in_excel_with_numbers_as_numbers_and_markers_as_text(small_report, people,  # noqa: F811
                                                                                      client_for):
    client = client_for(people["staff"])

    response = client.get(f"{SMALL_URL}.xlsx?profile=public")
    header, *rows = sheet_rows(response)
    by_key = {(row[4], row[2]): row[3] for row in rows}

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="report-help-2023-11-v1-public.xlsx"' in response["Content-Disposition"]
    assert header == ["section", "figure", "month", "value", "key", "why withheld"]  # published: with reasons
    assert by_key[("requests.this_month", "2023-11")] == "<10"
    assert by_key[("series", "2023-07")] == 25 and by_key[("series", "2023-10")] == 60
    assert by_key[("profile", "2023-11")] == "public"
    assert all(row[2] is None or isinstance(row[2], str) for row in rows)  # months as text, never numbers or dates
    # The same table as the CSV of the same profile, cell for cell.
    table = list(csv.reader(io.StringIO(client.get(f"{SMALL_URL}.csv?profile=public").content.decode())))
    assert [["" if cell is None else str(cell) for cell in row] for row in rows] == table[1:]


def test_the_header_and_labels_are_in_the_requests_language(small_report, people, client_for):  # noqa: F811
    header, *rows = sheet_rows(client_for(people["staff"]).get(f"{SMALL_URL}.xlsx", **RU))

    assert header == ["раздел", "показатель", "месяц", "значение", "ключ"]
    assert any(row[1] == "Запросы" and row[4] == "requests.this_month" for row in rows)


def test_the_report_page_links_the_excel_export_in_its_profile(small_report, people, client_for):  # noqa: F811
    page = client_for(people["staff"]).get(f"{SMALL_URL}/?profile=public").content.decode()

    assert f'href="{SMALL_URL}.xlsx?profile=public"' in page


def test_an_excel_export_is_noted_in_the_audit_log_and_refused_for_an_unknown_profile(small_report, people,  # noqa: F811
                                                                                      client_for):
    client = client_for(people["staff"])

    assert client.get(f"{SMALL_URL}.xlsx?profile=nobody").status_code == 400
    client.get(f"{SMALL_URL}.xlsx?profile=partner")

    assert list(AuditEvent.objects.filter(action="report_exported").values_list("subject", flat=True)) == [
        "help 2023-11 v1 xlsx partner"]


def test_the_audit_log_downloads_for_excel_in_the_pages_language_formulas_kept_as_text(db, client_for):
    auditor = make_user("auditor-x", "Auditor")
    AuditEvent.objects.create(actor=auditor, action="requests_imported", subject="=HYPERLINK(\"x\")",
                              month="2026-02-01")

    response = client_for(auditor).get("/audit/export.xlsx", **RU)
    header, *rows = sheet_rows(response)
    cells = load_workbook(io.BytesIO(response.content)).worksheets[0]

    assert 'filename="audit-log.xlsx"' in response["Content-Disposition"]
    assert header == ["Месяц", "Учётная запись", "Действие", "Объект"]
    assert ["Февраль 2026", "auditor-x", "Импорт запросов", "=HYPERLINK(\"x\")"] in rows
    assert all(cell.data_type != "f" for row in cells.iter_rows() for cell in row)
