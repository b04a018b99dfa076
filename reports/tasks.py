"""Celery tasks: thin interfaces that take ids and call one service."""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from intake.models import Programme
from intake.months import parse_month

from . import publication, services

log = logging.getLogger(__name__)

# While a live worker makes the report, or the database is out of reach, the report is
# tried again every few seconds for as long as a run may last (the hard time limit).
# The last attempt marks it failed with the reason; past that, the sweep takes over.
RETRY_SECONDS = 5
MAX_RETRIES = settings.CELERY_TASK_TIME_LIMIT // RETRY_SECONDS


@shared_task(name=services.GENERATE_TASK, bind=True, max_retries=MAX_RETRIES)
def generate_report(self, report_id: int) -> None:
    last_attempt = self.request.retries >= self.max_retries
    try:
        services.report_generate(report_id=report_id, last_attempt=last_attempt)
    except (services.ReportBusy, *services.CONNECTION_ERRORS) as exc:
        if last_attempt:
            log.warning("Report %s: gave up after %s attempts (%r); the sweep sends it again if need be.",
                        report_id, self.request.retries + 1, exc)
            return
        raise self.retry(exc=exc, countdown=RETRY_SECONDS) from exc


@shared_task(name=publication.PUBLISH_TASK)
def publish_month(programme_id: int, month: str) -> None:
    """Publish an accepted month (sent when the acceptance commits); a failure is kept
    on the month's review page, with its reason."""
    try:
        publication.publish(Programme.objects.get(pk=programme_id), parse_month(month))
    except publication.PublicationFailed as exc:
        log.warning("Programme %s %s not published: %s", programme_id, month, exc)


@shared_task(name="reports.generate_last_month")
def generate_last_month() -> None:
    services.reports_for_last_month()


@shared_task(name="reports.resend_stuck")
def resend_stuck() -> None:
    services.reports_resend_stuck()


@worker_ready.connect
def resend_stuck_when_a_worker_starts(sender, **kwargs) -> None:
    # A worker killed mid-report leaves it running, and the broker may hold its
    # message for an hour: a worker that starts looks for such reports at once.
    resend_stuck.delay()
