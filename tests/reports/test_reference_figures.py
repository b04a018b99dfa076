"""Figures published by other sources: kept by staff, shown beside a report, never mixed in."""

import io

import pytest
from django.core.management import call_command

from intake import audit
from intake.audit_actions import Action
from intake.models import AuditEvent
from reports.demo import load_reference_figures
from reports.figures import reference_derived
from reports.models import ReferenceFigure
from reports.services import reference_figure_delete, reference_figure_save

from .article import assert_article_figures


def test_derived_figures_of_the_article():
    assert reference_derived(value=3470, value_high=None, per="period", out_of=4121) == {"share_pct": 84.2}
    assert reference_derived(value=40, value_high=None, per="period", out_of=200) == {"share_pct": 20.0}
    assert reference_derived(value=3, value_high=5, per="day", out_of=None) == {"per_month": [90, 150]}
    assert reference_derived(value=22000, value_high=None, per="year", out_of=None) == {"per_day": [60, 60]}


def test_load_demo_loads_the_four_reference_figures_once(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())

    assert ReferenceFigure.objects.count() == 4
    assert set(ReferenceFigure.objects.values_list("value", flat=True)) == {22000, 40, 3, 3470}


def test_the_report_shows_reference_figures_beside_its_own_and_its_figures_stay_its_own(
    demo_programme, staff, client_for
):
    load_reference_figures()
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline", stdout=io.StringIO())

    page = client_for(staff).get("/reports/desertion-help/2023-11/").content.decode()
    export = client_for(staff).get("/reports/desertion-help/2023-11/v1.json").json()

    assert "Published figures from other sources" in page
    assert "84.2% of 4,121" in page
    assert "20.0% of 200" in page
    assert "90–150 a month" in page
    assert "≈ 60 a day" in page
    assert "Mediazona" in page
    assert_article_figures(export)  # 1,017 requests, not 1,017 + 22,000 + ...
    assert "Mediazona" not in str(export)


def test_staff_add_edit_and_delete_a_reference_figure(staff, client_for):
    client = client_for(staff)
    data = {"source": "Court statistics", "measure": "verdicts", "period": "2024", "value": "12",
            "value_high": "", "per": "period", "out_of": "48", "citation": "Annual report 2024"}

    assert client.post("/reports/reference/new/", data).status_code == 302
    figure = ReferenceFigure.objects.get()
    assert (figure.value, figure.out_of, figure.derived) == (12, 48, {"share_pct": 25.0})
    assert client.post(f"/reports/reference/{figure.pk}/", {**data, "value": "24"}).status_code == 302
    assert ReferenceFigure.objects.get().value == 24
    assert client.post(f"/reports/reference/{figure.pk}/delete/").status_code == 302
    assert not ReferenceFigure.objects.exists()
    assert list(AuditEvent.objects.exclude(action=Action.LOGIN).order_by("pk")
                .values_list("actor__username", "action", "subject")) == [
        ("staff-member", "reference_figure_added", f"#{figure.pk}"),
        ("staff-member", "reference_figure_changed", f"#{figure.pk}"),
        ("staff-member", "reference_figure_deleted", f"#{figure.pk}"),
    ]


def refuse_to_write(*args, **kwargs):
    raise RuntimeError("the audit log cannot be written")


def test_a_reference_figure_change_that_cannot_be_noted_is_not_made(staff, monkeypatch, db):
    figure = ReferenceFigure.objects.create(source="A court", period="2023", measure="cases", value=4, citation="c")
    monkeypatch.setattr(audit, "record", refuse_to_write)
    changed = ReferenceFigure(pk=figure.pk, source="A court", period="2023", measure="cases", value=5, citation="c")
    added = ReferenceFigure(source="Another court", period="2023", measure="cases", value=1, citation="c")

    for attempt in (lambda: reference_figure_save(figure=changed, actor=staff),
                    lambda: reference_figure_save(figure=added, actor=staff),
                    lambda: reference_figure_delete(figure=figure, actor=staff)):
        with pytest.raises(RuntimeError):
            attempt()

    assert list(ReferenceFigure.objects.values_list("source", "value")) == [("A court", 4)]


@pytest.mark.parametrize("bad", [{"value_high": "2"}, {"out_of": "1"}, {"value": "-1"}, {"source": ""},
                                 {"value": "٣"}, {"value": "1_0"}, {"value": "+3"}, {"out_of": "１２"}])
def test_an_impossible_reference_figure_is_refused_and_not_saved(staff, client_for, bad):
    data = {"source": "S", "measure": "m", "period": "p", "value": "3", "value_high": "", "per": "period",
            "out_of": "", "citation": "c", **bad}

    response = client_for(staff).post("/reports/reference/new/", data)

    assert response.status_code == 400
    assert not ReferenceFigure.objects.exists()


@pytest.mark.parametrize("value", ["٣", "1_0", "+3", "3.0", "３"])
def test_a_reference_figure_value_in_anything_but_ascii_digits_is_refused_with_how_to_write_it(
    staff, client_for, value
):
    data = {"source": "S", "measure": "m", "period": "p", "value": value, "value_high": "", "per": "period",
            "out_of": "", "citation": "c"}

    response = client_for(staff).post("/reports/reference/new/", data)

    assert response.status_code == 400
    assert "Enter the number in digits, e.g. 12." in response.content.decode()
    assert not ReferenceFigure.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_reference_figure_zero_is_not_found_rather_than_a_new_figure(staff, client_for, method):
    data = {"source": "S", "measure": "m", "period": "p", "value": "3", "value_high": "", "per": "period",
            "out_of": "", "citation": "c"}
    client = client_for(staff)

    response = client.get("/reports/reference/0/") if method == "get" else client.post("/reports/reference/0/", data)

    assert response.status_code == 404
    assert not ReferenceFigure.objects.exists()


def test_auditors_read_reference_figures_but_cannot_change_them(auditor, client_for, db):
    load_reference_figures()
    figure = ReferenceFigure.objects.first()
    client = client_for(auditor)

    assert client.get("/reports/reference/").status_code == 200
    assert client.get("/reports/reference/new/").status_code == 403
    assert client.post(f"/reports/reference/{figure.pk}/delete/").status_code == 403
    assert ReferenceFigure.objects.count() == 4


def test_coordinators_do_not_see_reference_figures(coordinator, client_for):
    assert client_for(coordinator).get("/reports/reference/").status_code == 403
