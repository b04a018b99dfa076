"""What month sign-off needs from reports: the check of the report version a month is
submitted and accepted on."""

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from intake.models import Programme
from intake.months import month_in_sentence
from reports.finality import same_figures
from reports.models import Report
from reports.services import report_compute, report_data_unchanged

# check(version or None) -> the version checked: that it is a ready report of the month
# whose figures are those of the data now (None: the latest ready one). ValidationError,
# with a message for staff, otherwise.
ReportCheck = Callable[[int | None], int]


def review_report_check(programme: Programme, month: dt.date) -> ReportCheck:
    """The check of the report a programme's month is submitted and accepted on: the
    version asked for (None: the latest ready one) must be a ready report whose figures
    are those of the data now; ValidationError saying what to do otherwise."""

    def check(version: int | None) -> int:
        names = {"month": month_in_sentence(month), "programme": programme.localized("name"), "version": version}
        ready = Report.objects.for_scope(programme).filter(month=month, state=Report.State.READY).select_related(
            "programme")
        report = ready.filter(version=version).first() if version else ready.order_by("-version").first()
        if report is None and version:
            raise ValidationError({"version": _("Version %(version)s of the report of %(month)s is not ready. "
                                                "Choose a ready version.") % names})
        if report is None:
            raise ValidationError(_("There is no ready report of %(month)s for %(programme)s yet: generate one, "
                                    "then submit the month.") % names)
        # The stamp says in one small query that nothing changed; if it moved, the
        # figures are made again from the data now and compared.
        if not report_data_unchanged(report) and not same_figures(report_compute(report=report)[0], report.document):
            names["version"] = report.version
            raise ValidationError(_("The data has changed since version %(version)s of the report was made: "
                                    "generate a new version, then submit the month on it.") % names)
        return report.version

    return check
