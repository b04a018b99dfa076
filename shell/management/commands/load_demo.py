from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intake import demo
from intake.models import MonthReview
from intake.months import format_month
from reports.demo import load_demo_report, load_reference_figures
from reports.models import Publication
from reports.publication import PublicationFailed, publish


class Command(BaseCommand):
    help = "Load the demo programme (the article's 2023 figures) and one demo account per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even with DEBUG off (never on a real deployment)."
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates accounts with published passwords; it runs only with DEBUG=1 "
                "(or --force, never on a real deployment)."
            )
        created = demo.load_demo()
        references = load_reference_figures()
        self.stdout.write(
            f"Demo programme {demo.SLUG!r}: {created['requests']} requests, {created['accounts']} accounts "
            f"and {references} reference figures created (nothing is created twice)."
        )
        report, made = load_demo_report()
        self.stdout.write(
            f"Report {report} ({report.get_state_display()}) {'made' if made else 'already there'}: "
            f"{report.get_absolute_url()}"
        )
        if report.failure:
            self.stdout.write(f"  It could not be made: {report.failure}")
        self._publish_if_accepted(report)
        self.stdout.write("Monthly requests:")
        for month, (count, source) in demo.MONTHS.items():
            self.stdout.write(f"  {format_month(month)}  {count:>4}  {demo.PROVENANCE_LABELS[source]}")
        self.stdout.write("Demo accounts (username / password / role):")
        for username, (role, password) in demo.ACCOUNTS.items():
            self.stdout.write(f"  {username:<12} {password:<24} {role}")

    def _publish_if_accepted(self, report) -> None:
        """An accepted demo month not published yet (accepted with no worker running) is
        published here, as the worker would, so that its public outputs work."""
        programme, month = report.programme, report.month
        accepted = MonthReview.objects.filter(programme=programme, month=month, state=MonthReview.State.ACCEPTED)
        if not accepted.exists() or Publication.objects.filter(programme=programme, month=month).exists():
            return
        try:
            publish(programme, month)
        except PublicationFailed as exc:
            self.stdout.write(f"  Accepted, but it could not be published: {exc}")
        else:
            self.stdout.write("  Accepted, and now published: its partner and public figures are served.")
