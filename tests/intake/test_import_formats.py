"""What Excel saves is imported: commas, semicolons or tabs; UTF-8 with or without a
BOM, or Windows-1251. The web import shows a preview and writes nothing before it is
confirmed; a template can be downloaded."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intake.models import Entry, HelpRequest, MonthReview
from intake.services import entry_undo
from tests.conftest import text_of
from tests.intake.test_import import HEADER, import_file  # noqa: F401 (a fixture)

ROWS = ["2023-10,help,desertion,new,,,12", "2023-09,other,legal,closed,referred,2023-10,3"]


def as_excel(delimiter: str, encoding: str) -> bytes:
    lines = [line.replace(",", delimiter) for line in [HEADER, *ROWS]]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
def test_excels_delimiters_and_encodings_are_read(import_file, delimiter, encoding):  # noqa: F811
    result = import_file(as_excel(delimiter, encoding))

    assert result.imported, result.message
    assert HelpRequest.objects.count() == 15
    assert Entry.objects.get().size == 15


def test_a_file_in_neither_encoding_is_refused_naming_them(import_file):  # noqa: F811
    data = as_excel(",", "utf-8").replace(b"desertion", b"desert\x98on")

    result = import_file(data)

    assert not result.imported
    assert "neither UTF-8 nor Windows-1251" in result.message
    assert not HelpRequest.objects.exists()


def test_a_column_not_in_the_format_is_named_and_its_values_unread(import_file):  # noqa: F811
    result = import_file(f"{HEADER};phone\n2023-10;help;legal;new;;;1;+7 900\n".replace(",", ";").encode())

    assert not result.imported
    assert "columns that are not in the format: “phone”" in result.message
    assert "+7 900" not in result.message


def test_the_preview_shows_totals_and_writes_nothing_until_confirmed_once(client_for, staff, programme,
                                                                         other_programme):
    client = client_for(staff)
    upload = SimpleUploadedFile("r.csv", as_excel(";", "utf-8-sig"), "text/csv")

    preview = client.post("/requests/import/", {"file": upload})

    text = text_of(preview)
    assert "The file has 2 rows. It would add 15 requests." in text
    assert "Help October 2023 12" in text and "Other September 2023 3" in text
    assert not HelpRequest.objects.exists()
    key = preview.context["key"]
    client.post("/requests/import/", {"preview": key})
    again = client.post("/requests/import/", {"preview": key}, follow=True)
    assert HelpRequest.objects.count() == 15
    entry = Entry.objects.get()
    assert again.status_code == 409
    assert "This file was already imported" in text_of(again) and "Nothing was imported now." in text_of(again)
    assert f'href="/requests/entries/{entry.pk}/undo/"' in again.content.decode()


def test_a_second_confirmation_is_answered_in_russian_on_a_russian_page(client_for, staff, programme):
    client = client_for(staff)
    data = f"{HEADER}\n2023-10,help,legal,new,,,21\n".encode()
    key = client.post("/requests/import/", {"file": SimpleUploadedFile("r.csv", data, "text/csv")}).context["key"]
    client.post("/requests/import/", {"preview": key})

    again = text_of(client.post("/requests/import/", {"preview": key}, HTTP_ACCEPT_LANGUAGE="ru"))

    assert "Этот файл уже импортирован" in again and "Сейчас ничего не импортировано." in again
    assert "Импорт — одна запись из 21 запроса." in again


def test_a_preview_whose_import_failed_stays_for_another_try(this_month, client_for, staff, programme):
    client = client_for(staff)
    data = f"{HEADER}\n2026-02,help,legal,new,,,4\n".encode()
    key = client.post("/requests/import/", {"file": SimpleUploadedFile("r.csv", data, "text/csv")}).context["key"]
    review = MonthReview.objects.create(programme=programme, month=dt.date(2026, 2, 1), report_version=1,
                                        state=MonthReview.State.SUBMITTED)

    refused = client.post("/requests/import/", {"preview": key})

    assert refused.status_code == 400 and "Line 2: February 2026 of Help is submitted" in text_of(refused)
    assert not HelpRequest.objects.exists()
    review.delete()  # the month is open again
    retried = client.post("/requests/import/", {"preview": key}, follow=True)
    assert "Imported 4 requests." in text_of(retried)
    assert HelpRequest.objects.count() == 4


def test_confirming_a_preview_whose_import_was_undone_says_so(this_month, client_for, staff, programme):
    client = client_for(staff)
    data = f"{HEADER}\n2026-03,help,legal,new,,,2\n".encode()
    key = client.post("/requests/import/", {"file": SimpleUploadedFile("r.csv", data, "text/csv")}).context["key"]
    client.post("/requests/import/", {"preview": key})
    entry_undo(entry=Entry.objects.get(), actor=None)

    again = client.post("/requests/import/", {"preview": key})

    assert again.status_code == 409
    assert "Its entry has been undone since." in text_of(again)
    assert not HelpRequest.objects.exists()


def test_a_preview_is_only_for_the_account_that_uploaded(client_for, new_client_for, staff, programme,
                                                         other_programme):
    from tests.conftest import make_user

    preview = new_client_for(staff).post("/requests/import/", {
        "file": SimpleUploadedFile("r.csv", as_excel(",", "utf-8"), "text/csv")})
    colleague = make_user("staff-2", "Staff")

    new_client_for(colleague).post("/requests/import/", {"preview": preview.context["key"]})

    assert not HelpRequest.objects.exists()


def test_the_template_downloads_as_a_file_the_import_accepts(client_for, staff, programme, import_file):  # noqa: F811
    response = client_for(staff).get("/requests/import/template.csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ",".join(rows[0]) == HEADER
    assert import_file(response.content).imported
