"""Whether a report is final (its programme's month is accepted on it, or on a version
stating the same figures), and what "the same figures" means."""

import datetime as dt
from dataclasses import dataclass

from intake.models import MonthReview

from .models import Report

# Keys of a report document that differ between versions of the same figures: the
# version itself, and the fingerprint, which also covers requests received up to the
# month but changed after it (closed in a later month), which no figure of the month
# counts.
NOT_FIGURES = ("version", "fingerprint")


def same_figures(document: dict, other: dict) -> bool:
    """Whether two report documents state the same figures."""
    return ({key: value for key, value in document.items() if key not in NOT_FIGURES}
            == {key: value for key, value in other.items() if key not in NOT_FIGURES})


@dataclass(frozen=True)
class Finality:
    """A report of an accepted month: the month it was accepted in, the version
    accepted, and whether this report states the same figures."""

    accepted_in: dt.date
    version: int
    same_figures: bool


def report_finality(report: Report, *, review: MonthReview | None = None) -> Finality | None:
    """Finality of a ready report of a programme whose month is accepted; None for any
    other report (months are signed off per programme: a report of all programmes is
    never final). One query, two for a version other than the one accepted; one fewer
    given the review of the report's month (MonthReview.objects.of), read already."""
    if report.programme_id is None or report.state != Report.State.READY:
        return None
    if review is None:
        review = MonthReview.objects.filter(programme_id=report.programme_id, month=report.month,
                                            state=MonthReview.State.ACCEPTED).first()
    elif (review.programme_id, review.month) != (report.programme_id, report.month):
        raise ValueError("The review given is not of the report's month.")
    if review is None or review.state != MonthReview.State.ACCEPTED:
        return None
    same = review.report_version == report.version
    if not same:
        accepted = Report.objects.filter(programme_id=report.programme_id, month=report.month,
                                         version=review.report_version, state=Report.State.READY).first()
        same = accepted is not None and same_figures(accepted.document, report.document)
    return Finality(accepted_in=review.accepted_in, version=review.report_version, same_figures=same)
