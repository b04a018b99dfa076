"""The interface in Russian: translated pages, messages, plural forms and numbers."""

import pytest

from intake.models import Category, Entry, HelpRequest
from intake.services import requests_add
from tests.conftest import add_request

RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}


def test_the_login_page_speaks_russian_to_a_russian_browser(client, db):
    page = client.get("/login/", **RU).content.decode()

    assert '<html lang="ru">' in page
    assert "Войти" in page
    assert "Log in" not in page


@pytest.mark.parametrize("count, words", [(1, "1 запрос"), (3, "3 запроса"), (5, "5 запросов"), (21, "21 запрос"),
                                          (12, "12 запросов")])
def test_russian_plural_forms_on_the_home_page(this_month, programme, coordinator, client_for, count, words):
    entry = Entry.objects.create(programme=programme, month=this_month, kind=Entry.Kind.COUNT, author=coordinator)
    requests_add(
        HelpRequest(programme=programme, month=entry.month, category=Category.LEGAL, entry=entry,
                    reference=f"AAAA-{i:04d}")
        for i in range(count)
    )

    page = " ".join(client_for(coordinator).get("/", **RU).content.decode().split())

    assert f"Количество: {words} </span>" in page


def test_form_errors_are_in_russian(this_month, programme, coordinator, client_for):
    month = this_month.strftime("%Y-%m")

    response = client_for(coordinator).post(
        "/requests/counts/", {"programme": "help", "month": month, "category": "legal", "status": "new",
                              "count": "0"}, **RU)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Введите число от 1 до 5\xa0000." in page
    assert not HelpRequest.objects.exists()


def test_report_dates_use_the_genitive_month_in_russian(this_month, november_report, staff, client_for):
    page = client_for(staff).get("/reports/desertion-help/2023-11/", **RU).content.decode()

    genitive = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
                "ноября", "декабря"][this_month.month - 1]
    assert genitive in page
    assert "577 запросов с сентября по ноябрь" in page


def test_a_limit_in_a_message_is_written_the_russian_way(db, settings):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from intake.services import check_count

    with translation.override("ru"), pytest.raises(ValidationError) as refused:
        check_count(5001)

    assert refused.value.messages == ["Количество должно быть от 1 до 5\xa0000."]


def test_count_columns_are_plural_in_russian_while_a_single_status_is_singular(this_month, programme, coordinator,
                                                                               client_for):
    request = add_request(programme=programme, month=this_month, category=Category.LEGAL)
    client = client_for(coordinator)

    home = " ".join(client.get("/", **RU).content.decode().split())
    detail = client.get(f"/requests/{request.reference}/", **RU).content.decode()

    assert '<th scope="col" class="text-end">Новые</th>' in home
    assert '<th scope="col" class="text-end">Закрытые</th>' in home
    assert "Новый" in detail


def test_a_count_not_in_digits_is_refused_in_russian(programme, coordinator, client_for):
    response = client_for(coordinator).post(
        "/requests/counts/", {"programme": "help", "month": "2023-10", "category": "legal", "status": "new",
                              "count": "٥"}, **RU)

    assert response.status_code == 400
    assert "Введите количество цифрами, например 12." in response.content.decode()
    assert not HelpRequest.objects.exists()


def test_a_report_whose_data_may_have_changed_says_so_in_russian(november_report, demo_programme, staff, client_for):
    import datetime as dt

    add_request(programme=demo_programme, month=dt.date(2023, 6, 1), category=Category.DESERTION)

    page = client_for(staff).get("/reports/desertion-help/2023-11/", **RU).content.decode()

    assert "Проверьте его, чтобы увидеть, что изменилось" in page
    assert "Verify it to see what changed" not in page
