"""Reports made by a real Celery worker on the configured broker."""

import json

import pytest
from django.core.management import call_command

from reports.models import Report
from tests.conftest import wait_for

from .article import assert_article_figures


def test_report_generated_from_the_web_page_by_the_worker_states_every_article_figure(
    celery_worker, demo_programme, staff, client_for
):
    client = client_for(staff)

    response = client.post("/reports/generate/", {"programme": "desertion-help", "month": "2023-11"})

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/reports/desertion-help/2023-11/v1/"
    report = wait_for(report.pk)
    assert report.state == Report.State.READY, report.failure
    assert report.version == 1
    assert_article_figures(report.body)
    assert report.fingerprint == report.body["fingerprint"]


def test_monthly_report_command_prints_the_json_the_worker_made(celery_worker, demo_programme, capsys):
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--timeout", "60")

    printed = json.loads(capsys.readouterr().out)
    assert_article_figures(printed)
    report = Report.objects.get()
    assert report.body == printed
    assert report.started_at is not None


def test_monthly_report_inline_runs_the_task_without_a_worker(demo_programme, capsys):
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline")

    printed = json.loads(capsys.readouterr().out)
    assert_article_figures(printed)
    assert Report.objects.get().state == Report.State.READY


def test_regenerating_makes_the_next_version_and_keeps_the_first(demo_programme, capsys):
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline")
    call_command("monthly_report", "2023-11", "--programme", "desertion-help", "--inline")

    versions = list(Report.objects.order_by("version").values_list("version", "state"))
    assert versions == [(1, "ready"), (2, "ready")]


@pytest.mark.parametrize(
    "args, message",
    [
        (["2023-13"], "YYYY-MM"),
        (["٢٠٢٣-١١", "--programme", "desertion-help"], "YYYY-MM"),
        (["2023-11", "--programme", "nope"], "No programme 'nope'"),
        (["2023-03", "--programme", "desertion-help"], "before the first month"),
        (["2999-01", "--programme", "desertion-help"], "in the future"),
    ],
)
def test_monthly_report_command_refuses_bad_arguments_clearly(demo_programme, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("monthly_report", *args, "--inline")
    assert not Report.objects.exists()
