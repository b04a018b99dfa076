"""What month sign-off (intake/review.py) needs from reports: the check of the report
version a month is submitted and accepted on, and whether a report is final."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from intake.models import MonthReview, Programme
from intake.months import month_in_sentence

from .models import Report
from .services import report_compute, report_data_unchanged

# Keys of a report document that differ between versions of the same figures: the
# version itself, and the fingerprint, which also covers requests received up to the
# month but changed after it (closed in a later month), which no figure of the month
# counts.
NOT_FIGURES = ("version", "fingerprint")


def same_figures(document: dict, other: dict) -> bool:
    """Whether two report documents state the same figures."""
    return ({key: value for key, value in document.items() if key not in NOT_FIGURES}
            == {key: value for key, value in other.items() if key not in NOT_FIGURES})


def review_report_check(programme: Programme, month: dt.date) -> Callable[[int | None], int]:
    """The check_report of intake's review services for a programme's month: the
    version asked for (None: the latest ready one) must be a ready report whose figures
    are those of the data now; ValidationError saying what to do otherwise."""

    def check(version: int | None) -> int:
        names = {"month": month_in_sentence(month), "programme": programme.slug, "version": version}
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


@dataclass(frozen=True)
class Finality:
    """A report of an accepted month: the month it was accepted in, the version
    accepted, and whether this report states the same figures."""

    accepted_in: dt.date
    version: int
    same_figures: bool


def report_finality(report: Report) -> Finality | None:
    """Finality of a ready report of a programme whose month is accepted; None for any
    other report (months are signed off per programme: a report of all programmes is
    never final). One query, two for a version other than the one accepted."""
    if report.programme_id is None or report.state != Report.State.READY:
        return None
    review = MonthReview.objects.filter(programme_id=report.programme_id, month=report.month,
                                        state=MonthReview.State.ACCEPTED).first()
    if review is None:
        return None
    same = review.report_version == report.version
    if not same:
        accepted = Report.objects.filter(programme_id=report.programme_id, month=report.month,
                                         version=review.report_version, state=Report.State.READY).first()
        same = accepted is not None and same_figures(accepted.document, report.document)
    return Finality(accepted_in=review.accepted_in, version=review.report_version, same_figures=same)
