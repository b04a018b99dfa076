"""Month names inside Russian sentences take the case the sentence needs, in lower
case, with "г." after the year ("в марте 2026 г.", "за февраль 2026 г."); headings
and table cells keep the standalone form ("Март 2026"). English is unchanged."""

import datetime as dt
import io
import re

import pytest
from django.utils import translation

from intake.models import MonthReview
from intake.months import month_in_sentence
from intake.services import RequestSpec, requests_log
from tests.conftest import THIS_MONTH, add_request, make_user, text_of
from tests.reports.accepting import make_report

pytestmark = pytest.mark.usefixtures("this_month")
RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
FEBRUARY = dt.date(2026, 2, 1)
# A capitalised month name after a word or a comma: a nominative standing mid-sentence.
MID_SENTENCE = re.compile(r"[а-яё,(] +(Январ|Феврал|Март|Апрел|Ма[йя]|Июн|Июл|Август|Сентябр|Октябр|Ноябр|Декабр)")


def mid_sentence_months(response) -> list[str]:
    """Capitalised month names inside a sentence of the page (text nodes only, and not
    the title or headings: a table cell or a heading naming the month alone is fine)."""
    html = re.sub(r"<(script|style|title|h[1-6])\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    texts = re.findall(r">([^<]+)<", html)
    # And no sentence ends "г..": the abbreviation's point ends it.
    return [m.group(0) for text in texts for m in MID_SENTENCE.finditer(text)] + [
        text for text in texts if "г.." in text]


@pytest.mark.parametrize(("case", "expected"), [
    ("nominative", ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
                    "октябрь", "ноябрь", "декабрь"]),
    ("genitive", ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                  "октября", "ноября", "декабря"]),
    ("prepositional", ["январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре",
                       "октябре", "ноябре", "декабре"]),
])
def test_every_month_has_its_russian_form_in_a_sentence(case, expected):
    with translation.override("ru"):
        names = [month_in_sentence(dt.date(2025, m, 1), case) for m in range(1, 13)]
    assert names == [f"{name} 2025 г." for name in expected]


def test_english_keeps_the_month_as_it_is_whatever_the_case():
    with translation.override("en"):
        assert {month_in_sentence(FEBRUARY, case) for case in ("nominative", "genitive", "prepositional")} == {
            "February 2026"}


def test_the_month_page_in_russian_says_in_which_month_and_since_which(coordinator_client, programme):
    add_request(programme=programme, month=THIS_MONTH, category="legal")

    response = coordinator_client.get(f"/requests/month/help/{THIS_MONTH:%Y-%m}/", **RU)

    page = text_of(response)
    assert "Help: Март 2026" in page  # the heading keeps the standalone form
    assert ("Запросы, поступившие в марте 2026 г., по категориям и статусам; изменение итога с февраля 2026 г. "
            in page + " ")
    assert mid_sentence_months(response) == []


@pytest.fixture
def staff_client(db, client_for):
    return client_for(make_user("staff-2", "Staff"))


def accepted(programme, month=FEBRUARY):
    return MonthReview.objects.create(programme=programme, month=month, state=MonthReview.State.ACCEPTED,
                                      report_version=1, accepted_in=THIS_MONTH)


def test_a_form_refused_for_a_locked_month_names_it_in_russian_grammar(staff_client, programme):
    accepted(programme)

    response = staff_client.post("/requests/counts/", {
        "programme": "help", "month": "2026-02", "category": "legal", "status": "new", "count": "3"}, **RU)

    assert ("Данные программы «Help» за февраль 2026 г. приняты и закрыты для изменений. Сотрудники могут попросить "
            "аудитора открыть месяц на странице проверки.") in text_of(response)
    assert mid_sentence_months(response) == []


def test_a_change_reaching_into_a_locked_month_says_so_in_russian_grammar(staff_client, programme):
    accepted(programme)

    response = staff_client.post("/requests/counts/", {
        "programme": "help", "month": "2026-01", "category": "legal", "status": "new", "count": "3"}, **RU)

    assert "Это изменило бы показатели за февраль 2026 г.: в них учтены все месяцы до него." in text_of(response)
    assert mid_sentence_months(response) == []


def test_the_import_page_and_its_preview_in_russian(staff_client, programme):
    data = b"month;programme;category;status;outcome;closed_month;count\n2026-02;help;legal;new;;;2\n"
    upload = io.BytesIO(data)
    upload.name = "counts.csv"
    preview = staff_client.post("/requests/import/", {"file": upload}, **RU)
    assert mid_sentence_months(preview) == []
    accepted(programme)
    upload = io.BytesIO(data)
    upload.name = "counts.csv"

    refused = staff_client.post("/requests/import/", {"file": upload}, **RU)

    assert "Строка 2: Данные программы «Help» за февраль 2026 г. приняты" in text_of(refused)
    assert mid_sentence_months(refused) == []


def test_the_undo_page_in_russian(coordinator_client, coordinator, programme):
    entry = requests_log(spec=RequestSpec(programme=programme, month=THIS_MONTH, category="legal"), count=2,
                         author=coordinator)

    response = coordinator_client.get(f"/requests/entries/{entry.pk}/undo/", **RU)

    assert "Март 2026" in text_of(response)
    assert mid_sentence_months(response) == []


def test_the_review_page_in_russian(staff_client, programme):
    accepted(programme)

    response = staff_client.get("/review/help/2026-02/", **RU)

    page = text_of(response)
    assert "г.." not in page
    assert "Принят аудитором в марте 2026 г. по версии 1 отчёта." in page
    assert "Запросы, поступившие в феврале 2026 г." in page
    assert mid_sentence_months(response) == []


def test_the_review_steps_refused_in_russian_name_the_month_in_its_case(staff_client, programme):
    programme.name_ru = "Помощь"
    programme.save()
    add_request(programme=programme, month=FEBRUARY, category="legal")

    response = staff_client.post("/review/help/2026-02/", {"action": "submit"}, **RU)

    assert "Готового отчёта программы «Помощь» за февраль 2026 г. пока нет" in text_of(response)
    assert mid_sentence_months(response) == []


def test_a_column_outside_the_format_is_named_in_russian_quotes(staff_client, programme):
    upload = io.BytesIO(b"month,programme,category,status,outcome,closed_month,count,name\n")
    upload.name = "people.csv"

    response = staff_client.post("/requests/import/", {"file": upload}, **RU)

    assert "В файле есть столбцы не из формата: «name»." in text_of(response)


def test_the_month_and_undo_pages_name_the_programme_in_russian(client_for, demo_programme):
    coordinator = make_user("coord-ru", "Coordinator", programmes=[demo_programme])
    client = client_for(coordinator)
    entry = requests_log(spec=RequestSpec(programme=demo_programme, month=THIS_MONTH, category="legal"), count=1,
                         author=coordinator)

    month_page = text_of(client.get(f"/requests/month/{demo_programme.slug}/{THIS_MONTH:%Y-%m}/", **RU))
    undo_page = text_of(client.get(f"/requests/entries/{entry.pk}/undo/", **RU))

    assert "Помощь в уходе из армии (демо): Март 2026" in month_page
    assert "Помощь в уходе из армии (демо) · Количество · Март 2026" in undo_page
    assert "Помощь в уходе из армии (демо) Март 2026 Юридическая консультация Новый 1" in undo_page


def test_a_month_after_a_comma_or_inside_a_sentence_is_in_lower_case(staff_client, programme):
    # Issue 27, point 8: "Help, Февраль 2026" read as a capital in the middle of a phrase.
    add_request(programme=programme, month=FEBRUARY, category="legal")
    make_report(programme, FEBRUARY)
    accepted(programme)
    MonthReview.objects.create(programme=programme, month=dt.date(2026, 1, 1), state=MonthReview.State.SUBMITTED,
                               report_version=1)

    pages = {url: staff_client.get(url, **RU) for url in (
        "/", "/reports/", "/review/", "/review/help/2026-02/", "/review/help/2026-02/collapse/",
        "/review/help/2026-01/collapse/", "/reports/help/2026-02/v1/")}

    assert "Help, февраль 2026 г. · версия 1" in text_of(pages["/"])
    assert "Help, январь 2026 г." in text_of(pages["/review/"])
    assert "Проверка: Help, февраль 2026 г." in text_of(pages["/review/help/2026-02/"])
    assert "Свести к числам: Help, февраль 2026 г." in text_of(pages["/review/help/2026-02/collapse/"])
    assert "Назад к проверке месяца: февраль 2026 г." in text_of(pages["/review/help/2026-02/collapse/"])
    assert ("Свести к числам можно только запросы принятого месяца; январь 2026 г. программы «Help» не принят."
            in text_of(pages["/review/help/2026-01/collapse/"]))
    assert {url: mid_sentence_months(response) for url, response in pages.items()} == {url: [] for url in pages}
    assert {url: response.status_code for url, response in pages.items()} == {url: 200 for url in pages}
