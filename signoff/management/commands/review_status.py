"""List every month of each programme with its review state, for scripts."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from intake.models import MonthReview, Programme
from intake.months import current_month, format_month, month_range

COLUMNS = ("programme", "month", "state", "report", "unlock_asked", "unlocked_until")


class Command(BaseCommand):
    help = (
        "Every month of each programme, from its first month to this one, with its review state "
        "(open, submitted, accepted, returned), the report version it rests on, an unlock asked for "
        "and the end of a granted unlock still running; '-' where there is none."
    )

    def add_arguments(self, parser):
        parser.add_argument("--programme", metavar="SLUG", help="Only this programme.")

    def handle(self, *args, programme: str | None = None, **options):
        programmes = Programme.objects.order_by("slug")
        if programme is not None:
            programmes = programmes.filter(slug=programme)
            if not programmes:
                known = ", ".join(Programme.objects.order_by("slug").values_list("slug", flat=True))
                raise CommandError(f"No programme {programme!r}. Programmes: {known}.")
        reviews = {(review.programme_id, review.month): review
                   for review in MonthReview.objects.filter(programme__in=programmes)}
        now, last = timezone.now(), current_month()
        self.stdout.write("  ".join(COLUMNS))
        for each in programmes:
            for month in month_range(each.first_month, last):
                review = reviews.get((each.pk, month)) or MonthReview(programme=each, month=month)
                unlocked = review.unlocked_until.isoformat() if review.is_unlocked(now) else "-"
                self.stdout.write("  ".join([
                    each.slug, format_month(month), review.state,
                    f"v{review.report_version}" if review.report_version else "-",
                    review.unlock_reason or "-", unlocked,
                ]))
