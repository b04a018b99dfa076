"""Error pages in the site's layout and the visitor's language. A request the server
cannot answer (the database restarting, say) gets a 500 page made without the database;
and a connection left stale by a restart is replaced before it fails a request."""

import datetime as dt
from urllib.request import urlopen

import pytest
from django.db import connection

from tests.gunicorn import gunicorn

RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}


def test_without_the_database_a_russian_visitor_gets_the_500_page_in_the_layout_and_in_russian(
    logged_in, unreachable_database
):
    unreachable_database()

    response = logged_in.get("/", **RU)

    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="ru">' in page
    assert "bootstrap/css/bootstrap.min.css" in page and 'class="navbar-brand"' in page  # the site's layout
    assert "Учёт запросов" in page
    assert "Что-то пошло не так" in page
    assert "Server Error" not in page and "went wrong" not in page


def test_without_the_database_an_english_visitor_gets_the_500_page_in_english(logged_in, unreachable_database):
    unreachable_database()

    response = logged_in.get("/reports/")

    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="en">' in page and 'class="navbar-brand"' in page
    assert "Something went wrong" in page
    assert "Server Error (500)" not in page
    assert "Log out" not in page  # nothing on it depends on the account or the session


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only a database server can restart under a connection")
def test_a_kept_connection_killed_by_a_restart_is_replaced_before_it_fails_a_request(committed_db, tmp_path):
    database = connection.settings_dict
    name = "intake-health-check-test"
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"
    with gunicorn(tmp_path / "gunicorn.log", DATABASE_URL=f"{url}?application_name={name}",
                  DATABASE_CONN_MAX_AGE="600") as port:
        assert urlopen(f"http://127.0.0.1:{port}/login/").status == 200  # it writes the session: connected
        with connection.cursor() as cursor:
            # The server ends the app's connection, as a restart does.
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                           [name])
            assert cursor.fetchall() == [(True,)]

            response = urlopen(f"http://127.0.0.1:{port}/login/")

            assert response.status == 200
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [name])
            assert cursor.fetchone() == (1,)  # a new connection, kept for the next request


def test_a_missing_page_is_in_the_layout_and_in_russian(coordinator, client_for):
    # (A reference that finds nothing has its own page: tests/intake/test_collapse.py.)
    response = client_for(coordinator).get("/no-such-page/", **RU)

    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="ru">' in page and 'class="navbar-brand"' in page
    assert "Страница не найдена" in page
    assert "Not Found" not in page


@pytest.mark.parametrize("language, heading, helpful", [
    ("en", "Page not found", "There is no report of this scope and month"),
    ("ru", "Страница не найдена", "Отчёта за этот месяц"),
])
def test_a_missing_report_gets_the_friendly_page_with_a_link_to_the_reports(
    staff, client_for, language, heading, helpful
):
    response = client_for(staff).get("/reports/all/2019-01/", HTTP_ACCEPT_LANGUAGE=language)

    page = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in page and 'class="navbar-brand"' in page
    assert heading in page and helpful in page
    assert 'href="/reports/"' in page.split("<main", 1)[1]  # the list of reports, in the page itself
    assert "Not Found" not in page


def test_a_missing_version_of_an_existing_report_says_which_versions_exist(demo_programme, staff, client_for):
    from reports.services import report_generate, report_request

    report = report_request(programme=demo_programme, month=dt.date(2023, 11, 1), send=False)
    report_generate(report_id=report.pk)

    response = client_for(staff).get("/reports/desertion-help/2023-11/v7/")

    assert response.status_code == 404
    assert "There is no report of this scope and month" not in response.content.decode()
    assert 'href="/reports/desertion-help/2023-11/v1/"' in response.content.decode()


@pytest.mark.parametrize("language, message", [
    ("en", "could not read what your browser sent"),
    ("ru", "не удалось прочитать то, что отправил браузер"),
])
def test_a_post_too_large_to_read_gets_the_400_page_in_the_layout(auditor, client_for, language, message):
    from django.conf import settings

    too_large = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client_for(auditor).post("/reports/verify/", {"text": too_large}, HTTP_ACCEPT_LANGUAGE=language)

    page = response.content.decode()
    assert response.status_code == 400
    assert f'<html lang="{language}">' in page and 'class="navbar-brand"' in page
    assert message in page
    assert "Bad Request" not in page
