import json
import time

from django.core.management.base import BaseCommand, CommandError

from intake.models import Programme
from intake.months import parse_month
from reports.models import Report
from reports.services import ReportError, report_request
from reports.tasks import generate_report

POLL_SECONDS = 0.25


class Command(BaseCommand):
    help = (
        "Generate the report of a month through the Celery worker and print its JSON "
        "(--inline: run the same task code in this process, without a broker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("month", help="The report month, as YYYY-MM.")
        parser.add_argument("--programme", metavar="SLUG", help="One programme (default: all programmes).")
        parser.add_argument("--inline", action="store_true", help="Run the task in this process, no broker.")
        parser.add_argument(
            "--timeout", type=float, default=300, help="Seconds to wait for the worker (default 300)."
        )

    def handle(self, *args, month: str, programme: str | None, inline: bool, timeout: float, **options):
        try:
            report_month = parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        scope = None
        if programme:
            scope = Programme.objects.filter(slug=programme).first()
            if scope is None:
                known = ", ".join(Programme.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"No programme {programme!r} (known: {known}).")
        try:
            report = report_request(programme=scope, month=report_month, send=not inline)
        except ReportError as exc:
            raise CommandError(str(exc)) from None
        if inline:
            generate_report.apply(args=[report.pk])
        report = self._wait(report.pk, timeout)
        if report.state == Report.State.FAILED:
            raise CommandError(f"Report {report} failed: {report.failure}")
        self.stdout.write(json.dumps(report.document, ensure_ascii=False, indent=2))

    def _wait(self, report_id: int, timeout: float) -> Report:
        deadline = time.monotonic() + timeout
        while True:
            report = Report.objects.select_related("programme").get(pk=report_id)
            if not report.is_pending:
                return report
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Report {report} is still {report.state} after {timeout:g} s: is a Celery worker "
                    "running (celery -A config worker)? The report stays queued and the worker will make it."
                )
            time.sleep(POLL_SECONDS)
