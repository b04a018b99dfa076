"""Names the app's users type (a programme's name, a reference figure's texts) exist in
English and in Russian, and each page shows the one of its language; an empty
Russian text falls back to the English one."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command

from intake import demo
from intake.models import Programme
from reports.demo import load_reference_figures
from reports.models import ReferenceFigure
from reports.services import report_generate, report_request
from tests.conftest import text_of

RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def russian_programme(programme) -> Programme:
    programme.name_ru = "Помощь"
    programme.save(update_fields=["name_ru"])
    return programme


@pytest.fixture
def court_figure(db) -> ReferenceFigure:
    return ReferenceFigure.objects.create(
        source="Court statistics", source_ru="Судебная статистика", period="2024", period_ru="2024 год",
        measure="verdicts", measure_ru="приговоров", value=12, out_of=48,
        citation="Annual report 2024", citation_ru="Годовой отчёт за 2024 год",
    )


def test_the_home_page_names_a_programme_in_the_page_language(russian_programme, coordinator, client_for):
    client = client_for(coordinator)

    assert "Помощь" in text_of(client.get("/", **RU))
    english = text_of(client.get("/", **EN))
    assert "Help" in english and "Помощь" not in english


def test_an_empty_russian_name_shows_the_english_one(programme, coordinator, client_for):
    assert programme.name_ru == ""

    page = text_of(client_for(coordinator).get("/", **RU))
    assert "Help" in page and "Помощь" not in page


def test_report_pages_and_the_report_list_name_the_programme_in_the_page_language(
    russian_programme, staff, client_for
):
    report = report_request(programme=russian_programme, month=dt.date(2023, 11, 1), send=False)
    report_generate(report_id=report.pk)
    client = client_for(staff)

    for url in ("/reports/", "/reports/help/2023-11/", "/"):
        russian, english = text_of(client.get(url, **RU)), text_of(client.get(url, **EN))
        assert re.search(r"Помощь,? \w+ 2023", russian) and "Help" not in russian, url
        assert re.search(r"Help,? November 2023", english) and "Помощь" not in english, url


def test_the_scope_choices_of_the_report_form_are_in_the_page_language(russian_programme, staff, client_for):
    page = client_for(staff).get("/reports/", **RU).content.decode()

    assert '<option value="help">Помощь</option>' in page


def test_reference_figures_are_shown_in_the_page_language(court_figure, staff, client_for):
    client = client_for(staff)

    russian = text_of(client.get("/reports/reference/", **RU))
    english = text_of(client.get("/reports/reference/", **EN))

    assert "Судебная статистика" in russian and "Годовой отчёт за 2024 год" in russian
    assert "2024 год" in russian and "12 приговоров" in russian
    assert "Court statistics" not in russian
    assert "Court statistics" in english and "12 verdicts" in english and "Судебная" not in english


def test_a_reference_figure_without_russian_texts_shows_the_english_ones(staff, client_for, db):
    ReferenceFigure.objects.create(source="Court statistics", period="2024", measure="verdicts", value=12,
                                   citation="Annual report 2024")

    russian = text_of(client_for(staff).get("/reports/reference/", **RU))

    assert "Court statistics" in russian and "12 verdicts" in russian and "Annual report 2024" in russian


def test_staff_give_a_reference_figure_its_russian_texts_in_the_form(staff, client_for):
    data = {"source": "Court statistics", "source_ru": "Судебная статистика", "measure": "verdicts",
            "measure_ru": "приговоров", "period": "2024", "period_ru": "2024 год", "value": "12", "value_high": "",
            "per": "period", "out_of": "48", "citation": "Annual report 2024", "citation_ru": "Годовой отчёт"}
    client = client_for(staff)
    form = client.get("/reports/reference/new/", **RU).content.decode()
    assert all(f'name="{field}_ru"' in form for field in ("source", "measure", "period", "citation"))

    assert client.post("/reports/reference/new/", data).status_code == 302

    figure = ReferenceFigure.objects.get()
    assert (figure.source_ru, figure.measure_ru, figure.period_ru, figure.citation_ru) == (
        "Судебная статистика", "приговоров", "2024 год", "Годовой отчёт")


def test_the_admin_edits_a_programme_s_russian_name(administrator, client, programme):
    client.force_login(administrator)

    assert 'name="name_ru"' in client.get(f"/admin/intake/programme/{programme.pk}/change/").content.decode()


def test_the_demo_data_has_russian_names_and_texts(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())

    assert Programme.objects.get(slug=demo.SLUG).name_ru
    for figure in ReferenceFigure.objects.all():
        assert figure.source_ru and figure.period_ru and figure.measure_ru and figure.citation_ru, figure
        assert not re.search("[A-Za-z]{4}", figure.measure_ru), figure.measure_ru


def test_the_demo_report_reads_in_russian_with_russian_names(db, settings, staff, client_for):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())

    russian = text_of(client_for(staff).get("/reports/desertion-help/2023-11/", **RU))

    assert re.search(r"Помощь в уходе из армии \(демо\), \w+ 2023", russian)
    assert "Медиазона" in russian
    assert "Mediazona" not in russian


def test_load_demo_gives_existing_demo_rows_their_missing_russian_texts(db, settings):
    demo.load_demo()
    load_reference_figures()
    Programme.objects.update(name_ru="")
    ReferenceFigure.objects.update(source_ru="", period_ru="", measure_ru="", citation_ru="")
    settings.DEBUG = True

    call_command("load_demo", stdout=io.StringIO())

    assert Programme.objects.get().name_ru
    assert not ReferenceFigure.objects.filter(source_ru="").exists()
    assert ReferenceFigure.objects.count() == 4
