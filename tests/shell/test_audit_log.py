"""The audit log page for staff and auditors: filtered by month, action and account,
in readable words in both languages, paged, and exported as CSV at a cost that does
not grow with the log."""

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import translation

from intake import audit
from intake.audit_actions import Action
from intake.models import AuditEvent
from reports.audit_actions import ReportAction
from shell.audit_actions import ShellAction
from shell.pages import PAGE_NAMES
from shell.views import AUDIT_EVENTS_PER_PAGE
from tests.conftest import make_user, text_of

OCTOBER, NOVEMBER = dt.date(2023, 10, 1), dt.date(2023, 11, 1)
RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}


def log_rows(response) -> list[list[str]]:
    """The rows of the log's table: month, account, action, concerning."""
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), flags=re.S)[1]
    return [
        [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
         for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    ]


def event(actor, action, month=NOVEMBER, subject=""):
    return AuditEvent.objects.create(actor=actor, action=action, month=month, subject=subject)


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


@pytest.fixture
def auditor_client(auditor, client_for):
    client = client_for(auditor)
    AuditEvent.objects.filter(actor=auditor, action=Action.LOGIN).delete()
    return client


@pytest.fixture
def some_events(staff, auditor, db):
    event(staff, ReportAction.REPORT_REQUESTED, OCTOBER, "desertion-help 2023-10 v1")
    event(None, ReportAction.REPORT_GENERATED, OCTOBER, "desertion-help 2023-10 v1")
    event(auditor, ShellAction.ACCESS_REFUSED, NOVEMBER, "request_detail")
    event(staff, Action.LOGIN, NOVEMBER)


# --- readable in both languages ----------------------------------------------------


def test_every_action_has_a_russian_label():
    untranslated = []
    for code, label in audit.action_choices():
        with translation.override("ru"):
            russian = str(label)
        with translation.override("en"):
            english = str(label)
        if russian == english or re.search("[A-Za-z]", russian):
            untranslated.append(code)

    assert untranslated == []


def test_every_page_has_a_readable_name_in_both_languages():
    routes = {name for name in get_resolver().reverse_dict if isinstance(name, str)}

    assert routes - set(PAGE_NAMES) == set(), "a page the audit log would name by its code"
    for name, label in PAGE_NAMES.items():
        with translation.override("ru"):
            russian = str(label)
        with translation.override("en"):
            english = str(label)
        assert russian != english and re.search("[а-яё]", russian), name


def test_a_refused_access_names_the_page_in_words_not_its_code(some_events, auditor_client):
    english, russian = auditor_client.get("/audit/"), auditor_client.get("/audit/", **RU)

    assert ["November 2023", "auditor-1", "Access refused", "A request's page"] in log_rows(english)
    assert ["Ноябрь 2023", "auditor-1", "Отказ в доступе", "Страница запроса"] in log_rows(russian)
    assert "request_detail" not in english.content.decode() + russian.content.decode()


def test_a_report_s_exports_and_checks_are_named_by_their_kind(staff, auditor, auditor_client):
    event(staff, ReportAction.REPORT_EXPORTED, subject="desertion-help 2023-11 v1 print")
    event(auditor, ReportAction.REPORT_VERIFIED, subject="desertion-help 2023-11 v1 data")
    event(auditor, ReportAction.REPORT_VERIFIED, subject="all 2023-11 v2 file")

    english = [row[3] for row in log_rows(auditor_client.get("/audit/"))]
    russian = [row[3] for row in log_rows(auditor_client.get("/audit/", **RU))]

    assert english == ["All programmes, November 2023, version 2, checked against a JSON file",
                       "desertion-help, November 2023, version 1, checked against the data",
                       "desertion-help, November 2023, version 1, printable page"]
    assert russian == ["Все программы, ноябрь 2023 г., версия 2, сверка с файлом JSON",
                       "desertion-help, ноябрь 2023 г., версия 1, сверка с данными",
                       "desertion-help, ноябрь 2023 г., версия 1, версия для печати"]


def test_events_of_no_account_are_shown_as_such(some_events, auditor_client):
    assert ["October 2023", "— (command line, schedule or worker)", "Report generated",
            "desertion-help, October 2023, version 1"] in (
        log_rows(auditor_client.get("/audit/")))


def test_the_month_column_is_in_words_of_the_page_s_language_and_stays_yyyy_mm_for_scripts(some_events, auditor_client):
    english = auditor_client.get("/audit/", {"action": Action.LOGIN})
    russian = auditor_client.get("/audit/", {"action": Action.LOGIN}, **RU)
    script = csv_rows(auditor_client.get("/audit/export.csv", {"action": Action.LOGIN}, **RU))

    assert [row[0] for row in log_rows(english)] == ["November 2023"]
    assert [row[0] for row in log_rows(russian)] == ["Ноябрь 2023"]
    assert '<time datetime="2023-11">Ноябрь 2023</time>' in russian.content.decode()
    assert [row[0] for row in script] == ["Месяц", "2023-11"]


# --- filters -----------------------------------------------------------------------


def test_the_log_is_filtered_by_month(some_events, auditor_client):
    rows = log_rows(auditor_client.get("/audit/", {"month": "2023-10"}))

    assert [row[2] for row in rows] == ["Report generated", "Report requested"]


def test_the_log_is_filtered_by_action(some_events, auditor_client):
    rows = log_rows(auditor_client.get("/audit/", {"action": Action.LOGIN}))

    assert rows == [["November 2023", "staff-member", "Logged in", ""]]


def test_the_log_is_filtered_by_account_or_by_no_account(some_events, auditor_client):
    by_staff = log_rows(auditor_client.get("/audit/", {"account": "staff-member"}))
    by_nobody = log_rows(auditor_client.get("/audit/", {"account": "~"}))

    assert [row[2] for row in by_staff] == ["Logged in", "Report requested"]
    assert [row[2] for row in by_nobody] == ["Report generated"]


def test_filters_combine(some_events, auditor_client):
    rows = log_rows(auditor_client.get("/audit/", {"month": "2023-11", "account": "staff-member"}))

    assert [row[2] for row in rows] == ["Logged in"]


def test_the_filter_offers_actions_by_label_and_accounts_by_name(some_events, auditor_client):
    page = auditor_client.get("/audit/", **RU).content.decode()

    assert '<option value="report_generated">Формирование отчёта</option>' in page
    assert '<option value="staff-member">staff-member</option>' in page
    assert 'name="month"' in page and 'inputmode="numeric"' in page


@pytest.mark.parametrize("query, message", [
    ({"month": "2023-13"}, "Enter a month as YYYY-MM, e.g. 2023-11."),
    ({"action": "request_detail"}, "Select a valid choice."),
    ({"account": "nobody-of-that-name"}, "Select a valid choice."),
])
def test_a_bad_filter_is_refused_with_the_reason(some_events, auditor_client, query, message):
    response = auditor_client.get("/audit/", query)

    assert response.status_code == 400
    assert message in text_of(response)
    assert "<tbody>" not in response.content.decode()


# --- pages ------------------------------------------------------------------------


def test_the_log_is_paged_and_the_pages_keep_the_filter(staff, auditor_client):
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=staff, action=Action.LOGIN, month=NOVEMBER) for _ in range(AUDIT_EVENTS_PER_PAGE + 5)
    )
    event(staff, Action.LOGIN_FAILED)

    first = auditor_client.get("/audit/", {"action": Action.LOGIN})
    older = re.search(r'href="\?action=login&amp;before=(\d+)"', first.content.decode())
    second = auditor_client.get("/audit/", {"action": Action.LOGIN, "before": older[1]})

    assert len(log_rows(first)) == AUDIT_EVENTS_PER_PAGE
    assert len(log_rows(second)) == 5
    assert {row[2] for row in log_rows(first) + log_rows(second)} == {"Logged in"}


def test_the_page_costs_the_same_queries_for_a_few_events_and_many(staff, auditor, auditor_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert auditor_client.get("/audit/", {"month": "2023-11"}).status_code == 200
        return len(captured)

    event(auditor, ShellAction.ACCESS_REFUSED, subject="request_new")
    few = queries()
    for i in range(30):
        make_user(f"user-{i}", None)
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=staff if i % 2 else auditor, action=Action.LOGIN, month=NOVEMBER) for i in range(500)
    )

    assert queries() == few



def test_the_programmes_names_are_read_only_for_a_page_that_names_one(staff, programme, auditor_client):
    def programme_queries() -> tuple:
        table = connection.ops.quote_name(programme._meta.db_table)
        with CaptureQueriesContext(connection) as captured:
            response = auditor_client.get("/audit/")
        return response, len([query for query in captured if table in query["sql"]])

    event(staff, Action.LOGIN)
    logins, read_for_logins = programme_queries()
    event(staff, Action.REQUESTS_LOGGED, subject="help, 3")
    logged, read_for_logged = programme_queries()

    assert read_for_logins == 0 and read_for_logged == 1
    assert log_rows(logged)[0][3] == "Help, 3 requests"

# --- CSV --------------------------------------------------------------------------


def test_the_filtered_log_exports_as_csv_in_readable_words(some_events, auditor, auditor_client):
    response = auditor_client.get("/audit/export.csv", {"month": "2023-11"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="audit-log-2023-11.csv"' == response["Content-Disposition"]
    assert csv_rows(response) == [
        ["Month", "Account", "Action", "Concerning"],
        ["2023-11", "staff-member", "Logged in", ""],
        ["2023-11", "auditor-1", "Access refused", "A request's page"],
    ]
    assert AuditEvent.objects.filter(
        actor=auditor, action=ShellAction.AUDIT_LOG_EXPORTED, subject="month 2023-11"
    ).exists()


def test_the_csv_export_speaks_the_page_language(some_events, auditor_client):
    rows = csv_rows(auditor_client.get("/audit/export.csv", {"action": ReportAction.REPORT_GENERATED}, **RU))

    assert rows == [["Месяц", "Учётная запись", "Действие", "Объект"],
                    ["2023-10", "— (командная строка, расписание или фоновый обработчик)", "Формирование отчёта",
                     "desertion-help, октябрь 2023 г., версия 1"]]


def test_the_page_links_to_the_csv_of_the_same_filter(some_events, auditor_client):
    page = auditor_client.get("/audit/", {"month": "2023-10", "account": "~"}).content.decode()

    assert 'href="/audit/export.csv?month=2023-10&amp;account=~"' in page


def test_a_cell_a_spreadsheet_would_read_as_a_formula_is_kept_as_text(db, auditor_client):
    event(make_user("-1-1", None), Action.LOGIN)

    rows = csv_rows(auditor_client.get("/audit/export.csv", {"account": "-1-1"}))

    assert rows[1][1] == "'-1-1"


def test_the_csv_export_costs_the_same_queries_for_a_few_events_and_many(staff, auditor_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            csv_rows(auditor_client.get("/audit/export.csv"))
        return len(captured)

    event(staff, Action.LOGIN)
    few = queries()
    AuditEvent.objects.bulk_create(AuditEvent(actor=staff, action=Action.LOGIN, month=NOVEMBER) for _ in range(3000))

    assert queries() == few  # a large result is read in chunks from one query
