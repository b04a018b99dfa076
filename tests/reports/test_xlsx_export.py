"""Exports for Excel (issue 27, point 6): a report's figures as .xlsx at the CSV export's
address with .xlsx in its place (the same ?profile=), and the audit log; numbers are
numbers, "<10" and "[c]" text, the header in the request's language. A workbook is for
people: months, the programme, the profile and seasons in words of the request's language
(the CSV, for scripts, keeps codes and YYYY-MM)."""

import csv
import io
import re

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
    assert by_key[("requests.this_month", "November 2023")] == "<10"
    assert by_key[("series", "July 2023")] == 25 and by_key[("series", "October 2023")] == 60
    assert all(row[2] is None or isinstance(row[2], str) for row in rows)  # months as text, never numbers or dates
    # The same figures as the CSV of the same profile, row for row: the CSV is for scripts
    # (codes, months as YYYY-MM), the workbook for people (words).
    table = list(csv.reader(io.StringIO(client.get(f"{SMALL_URL}.csv?profile=public").content.decode())))
    assert [row[4] for row in rows] == [row[4] for row in table[1:]]
    assert [row[3] for row in rows if isinstance(row[3], int | float)] == [
        float(row[3]) if "." in row[3] else int(row[3]) for row in table[1:] if re.fullmatch(r"-?[0-9.]+", row[3])]


def test_a_russian_sheet_says_its_codes_and_months_in_words_and_the_csv_keeps_them_for_scripts(
        small_report, people, client_for):  # noqa: F811
    client = client_for(people["staff"])

    header, *rows = sheet_rows(client.get(f"{SMALL_URL}.xlsx?profile=public", **RU))
    script = list(csv.reader(io.StringIO(client.get(f"{SMALL_URL}.csv?profile=public", **RU).content.decode())))

    value = {row[4]: (row[2], row[3]) for row in rows}
    assert value["scope.programme"] == ("Ноябрь 2023", "Help")
    assert value["month"] == ("Ноябрь 2023", "Ноябрь 2023")
    assert value["profile"] == ("Ноябрь 2023", "Открытые данные")
    assert value["window.current.season"] == ("Сентябрь — ноябрь 2023", "Осень")
    assert value["window.previous.season"] == ("Июнь — август 2023", "Лето")
    assert ("Запросы по месяцам", "Запросы", "Июль 2023", 25) in [tuple(row[:4]) for row in rows]
    codes = {"help", "public", "autumn", "summer"}
    assert not [row for row in rows if codes & {row[3]} or re.fullmatch(r"[0-9]{4}-[0-9]{2}.*", row[2] or "")]
    by_key = {row[4]: row[2:4] for row in script[1:]}
    assert by_key["scope.programme"] == ["2023-11", "help"] and by_key["window.current.season"] == [
        "2023-09/2023-11", "autumn"]
    assert by_key["profile"] == ["2023-11", "public"]


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
