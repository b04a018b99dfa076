"""Celery tasks: thin interfaces that take ids and call one service."""

from celery import shared_task

from . import services


@shared_task(name="reports.generate")
def generate_report(report_id: int) -> None:
    services.report_generate(report_id=report_id)


@shared_task(name="reports.generate_last_month")
def generate_last_month() -> None:
    services.reports_for_last_month()


@shared_task(name="reports.resend_stuck")
def resend_stuck() -> None:
    services.reports_resend_stuck()
