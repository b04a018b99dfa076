"""What Excel writes is imported (issue 27, points 6 and 7): a Windows-1251 file with a
Russian header, months that Excel wrote as dates, an .xlsx workbook; and the preview
names the categories, statuses, outcomes and months instead of showing their codes."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from intake.models import HelpRequest
from tests.conftest import text_of
from tests.intake.test_import import HEADER, import_file  # noqa: F401 (a fixture)

RUSSIAN_HEADER = "Месяц обращения;Программа;Категория;Статус;Исход;Месяц закрытия;Количество"


def imported() -> list[tuple]:
    return sorted(HelpRequest.objects.values_list("programme__slug", "month", "category", "status", "outcome",
                                                  "closed_month"))


def test_a_windows_1251_file_with_a_russian_header_and_russian_names_is_read(import_file, programme):  # noqa: F811
    data = "\r\n".join([RUSSIAN_HEADER, "2025-10;help;Юридическая консультация;Закрыт;Передан в другую организацию;2025-11;3",
                        "2025-10;Help;legal;новый;;;2", ""]).encode("cp1251")

    result = import_file(data)

    assert result.imported, result.message
    assert imported() == [("help", dt.date(2025, 10, 1), "legal", "closed", "referred", dt.date(2025, 11, 1))] * 3 + [
        ("help", dt.date(2025, 10, 1), "legal", "new", "", None)] * 2


@pytest.mark.parametrize("written", ["01.12.2025", "2025-12-01", "12/1/2025", "1/12/2025", "2025-12-01 00:00:00",
                                     "12.2025", "15.12.2025"])
def test_a_month_excel_wrote_as_a_date_is_that_month(import_file, programme, written):  # noqa: F811
    data = f"{HEADER}\n{written},help,legal,closed,referred,{written},4\n".encode()

    result = import_file(data)

    assert result.imported, result.message
    assert imported() == [("help", dt.date(2025, 12, 1), "legal", "closed", "referred", dt.date(2025, 12, 1))] * 4


def test_a_date_that_may_be_either_of_two_months_is_refused_with_how_to_write_it(import_file, programme):  # noqa: F811
    result = import_file(f"{HEADER}\n3/4/2025,help,legal,new,,,4\n".encode())

    assert not result.imported
    assert "3/4/2025 could be a date in either of two months" in result.message
    assert "write the month as YYYY-MM" in result.message
    assert not HelpRequest.objects.exists()


def workbook(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_workbook_is_imported_with_its_dates_and_numbers(import_file, programme):  # noqa: F811
    data = workbook(HEADER.split(","), [dt.datetime(2025, 10, 1), "help", "legal", "closed", "referred",
                                        dt.datetime(2025, 11, 1), 3],
                    ["2025-10", "help", "desertion", "new", None, None, 2.0])

    result = import_file(data)

    assert result.imported, result.message
    assert imported() == [("help", dt.date(2025, 10, 1), "desertion", "new", "", None)] * 2 + [
        ("help", dt.date(2025, 10, 1), "legal", "closed", "referred", dt.date(2025, 11, 1))] * 3


def test_a_workbook_with_a_bad_row_names_its_row_as_excel_numbers_it(import_file, programme):  # noqa: F811
    result = import_file(workbook(HEADER.split(","), ["2025-10", "help", "legal", "new", None, None, 1],
                                  ["2025-10", "help", "cooking", "new", None, None, 1]))

    assert not result.imported
    assert "line 3" in result.message.lower() and "category must be one of" in result.message


def test_a_damaged_workbook_is_refused_saying_how_to_save_it(import_file, programme):  # noqa: F811
    result = import_file(workbook(HEADER.split(","))[:600])

    assert not result.imported
    assert "cannot be read as an Excel workbook" in result.message


def test_the_preview_names_categories_statuses_and_outcomes_in_the_pages_language(client_for, staff, programme):
    data = f"{HEADER}\n2025-10,help,legal,closed,referred,2025-11,3\n".encode()
    client = client_for(staff)

    page = client.post("/requests/import/", {"file": SimpleUploadedFile("r.csv", data, "text/csv")})
    english = text_of(page)
    russian = text_of(client.post("/requests/import/", {"file": SimpleUploadedFile("r.csv", data, "text/csv")},
                                  HTTP_ACCEPT_LANGUAGE="ru"))

    # Months in words, a month alone in a cell with its capital; the machine value in <time>.
    assert "Help October 2025 Legal consultation Closed Referred elsewhere November 2025 3" in english
    assert "Help Октябрь 2025 Юридическая консультация Закрыт Передан в другую организацию Ноябрь 2025 3" in russian
    html = page.content.decode()
    assert '<time datetime="2025-10">October 2025</time>' in html
    assert '<time datetime="2025-11">November 2025</time>' in html
    assert " legal " not in english and " referred " not in english
