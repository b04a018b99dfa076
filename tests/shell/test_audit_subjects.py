"""The audit log's "Concerning" column in words (issue 27, point 8): programme names,
months, statuses, report versions, kinds and profiles by their names, counts with
thousands separators, in the page's language; a subject of a form not known is shown
as it is stored."""

import pytest

from intake.models import Programme
from tests.conftest import make_user

from .test_audit_log import event, log_rows

RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
# (action, subject as the services store it, what an English page says, what a Russian one says)
SUBJECTS = [
    ("requests_logged", "help, 15134", "Help desk, 15,134 requests", "Приёмная, 15 134 запроса"),
    ("request_changed", "help, in_progress", "Help desk, In progress", "Приёмная, В работе"),
    ("requests_imported", "1200 (command line)", "1,200 requests (command line)", "1 200 запросов (командная строка)"),
    ("report_exported", "help 2023-11 v2 xlsx public", "Help desk, November 2023, version 2, Excel, Public figures",
     "Приёмная, ноябрь 2023 г., версия 2, Excel, Открытые данные"),
    ("report_generated", "all 2023-11 v1", "All programmes, November 2023, version 1",
     "Все программы, ноябрь 2023 г., версия 1"),
    ("month_accepted", "help 2023-11 v3", "Help desk, November 2023, version 3", "Приёмная, ноябрь 2023 г., версия 3"),
    ("unlock_granted", "help 2023-11 7 d", "Help desk, November 2023, for 7 days", "Приёмная, ноябрь 2023 г., на 7 дней"),
    ("month_collapsed", "help 2023-11, 3", "Help desk, November 2023, 3 requests",
     "Приёмная, ноябрь 2023 г., 3 запроса"),
    ("audit_log_exported", "month 2023-11, action login", "month November 2023, action Logged in",
     "месяц ноябрь 2023 г., действие Вход"),
    ("reference_figure_added", "#12", "#12", "#12"),
]


@pytest.mark.parametrize("action, stored, english, russian", SUBJECTS, ids=[row[0] for row in SUBJECTS])
def test_the_concerning_column_says_what_an_event_concerned_in_words(db, client_for, action, stored, english,
                                                                     russian):
    Programme.objects.create(slug="help", name="Help desk", name_ru="Приёмная", first_month="2023-01-01")
    auditor = make_user("auditor-s", "Auditor")
    event(auditor, action, subject=stored)
    client = client_for(auditor)

    shown = {language: [row[3] for row in log_rows(client.get(f"/audit/?action={action}", **headers))]
             for language, headers in (("en", {}), ("ru", RU))}

    assert shown == {"en": [english], "ru": [russian]}
