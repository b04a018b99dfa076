"""Month sign-off pages: the queue of months awaiting someone, and the review page of a
programme's month (its grid, its report, its entries and the steps this account may
take). Every step is a service of signoff/services.py, which saves it with its audit
event."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from intake.counts import data_version, month_counts
from intake.forms import apply_errors, submitted
from intake.models import UNLOCK_DAYS, Category, Entry, MonthReview, Programme, Status
from intake.months import add_months, current_month, month_range
from intake.retention import collapsible_count, month_collapse
from reports.disclosure import NotPublishable, published_document
from reports.finality import report_finality
from reports.models import PublicationAttempt, Report
from reports.narrative import period
from reports.outputs import side_by_side
from reports.publication import month_publication, served_publication, waiting_version
from reports.templatetags.published import figure

from .forms import ReviewActionForm
from .services import (
    review_accept,
    review_actions,
    review_grant_unlock,
    review_reopen,
    review_request_unlock,
    review_return,
    review_submit,
)

ENTRIES_PER_PAGE = 50
# How many ended months of each programme the queue lists with their states.
RECENT_MONTHS = 12
# Who may take each step: the rest of the rule is the month's state (signoff/services.py).
PERMISSION = {
    "submit": "intake.submit_month", "reopen": "intake.submit_month", "request_unlock": "intake.submit_month",
    "accept": "intake.decide_month", "return": "intake.decide_month", "grant_unlock": "intake.decide_month",
}


@login_required
@permission_required("intake.view_monthreview", raise_exception=True)
@require_GET
def review_queue(request):
    reviews = MonthReview.objects.select_related("programme")
    now = timezone.now()
    last = add_months(current_month(), -1)
    programmes = list(Programme.objects.filter(first_month__lte=last))
    first = max(add_months(last, 1 - RECENT_MONTHS), min((p.first_month for p in programmes), default=last))
    states = {(review.programme_id, review.month): review
              for review in reviews.filter(month__gte=first, month__lte=last)}
    recent = [
        (programme, [(month, states.get((programme.pk, month))) for month in reversed(month_range(
            max(first, programme.first_month), last))])
        for programme in programmes
    ]
    return render(request, "signoff/review_queue.html", {
        "awaiting": reviews.awaiting_auditor().order_by("month", "programme__name"),
        "returned": reviews.filter(state=MonthReview.State.RETURNED).order_by("month", "programme__name"),
        "unlocked": reviews.unlocked(now).order_by("month", "programme__name"),
        "recent": recent,
    })


def _get_month(slug: str, month: dt.date) -> Programme:
    """The programme of a month that can be reviewed: from its first month to this one."""
    return _reviewable(get_object_or_404(Programme, slug=slug), month)


def _reviewable(programme: Programme, month: dt.date) -> Programme:
    if not programme.first_month <= month <= current_month():
        raise Http404("No such month of this programme.")
    return programme


def _get_review(slug: str, month: dt.date) -> MonthReview:
    """The review of a month that can be reviewed, with its programme, in one query when
    the month has one; else an unsaved open one (MonthReview.objects.of)."""
    review = MonthReview.objects.select_related("programme").filter(programme__slug=slug, month=month).first()
    if review is None:
        return MonthReview(programme=_get_month(slug, month), month=month)
    _reviewable(review.programme, month)
    return review


def _take(request, programme: Programme, month: dt.date, data: dict) -> str:
    """Take the step posted, as the account posting it; the message to show."""
    action, user = data["action"], request.user
    if not user.has_perm(PERMISSION[action]):
        raise PermissionDenied(_("Your role cannot take this step."))
    where = {"programme": programme, "month": month, "actor": user}
    if action == "submit":
        review = review_submit(**where, version=data["version"])
        return _("Submitted for review on version %(version)s of the report. The month is locked until an auditor "
                 "accepts or returns it.") % {"version": review.report_version}
    if action == "accept":
        review_accept(**where)
        return _("Accepted. The month is locked, and its reports are final.")
    if action == "return":
        review_return(**where, reason=data["reason"])
        return _("Returned to staff with the reason given.")
    if action == "reopen":
        review_reopen(**where)
        return _("Reopened: the month can be corrected, then submitted again.")
    if action == "request_unlock":
        review_request_unlock(**where, reason=data["reason"])
        return _("Unlock asked for. An auditor can grant it on this page.")
    review = review_grant_unlock(**where, days=data["days"] or UNLOCK_DAYS)
    return _("Unlocked until the end of %(day)s; then the month locks again by itself.") % {
        "day": date_format(review.unlocked_through, "j E Y")}


@login_required
@permission_required("intake.view_monthreview", raise_exception=True)
def review_month(request, programme: str, month: dt.date):
    review = _get_review(programme, month)
    programme = review.programme
    form = ReviewActionForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            done = _take(request, programme, month, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            review = MonthReview.objects.of(programme, month)  # as the step refused left it
        else:
            messages.success(request, done)
            return redirect("review_month", programme=programme.slug, month=month)
    return render(request, "signoff/review_month.html", _month_context(request, review, form),
                  status=400 if form.errors else 200)


def _month_context(request, review: MonthReview, form: ReviewActionForm) -> dict:
    programme, month = review.programme, review.month
    # Every ready version, newest first, with its document: a few kilobytes each.
    ready = list(Report.objects.for_scope(programme).filter(month=month, state=Report.State.READY)
                 .select_related("programme").order_by("-version"))
    versions = [report.version for report in ready]
    shown = review.report_version if review.report_version in versions else (versions[0] if versions else None)
    report = next((report for report in ready if report.version == shown), None)
    internal = published_document(report, "internal") if report else None
    compared, not_published, preview = [], None, review.state != MonthReview.State.ACCEPTED
    published = month_publication(programme, month)
    if report:
        try:
            # Before acceptance, auditors check what would be published: a preview that
            # stays on this page (exports and the API still refuse the month). Once
            # accepted, the page shows what was published, as stored: most often the
            # month's latest publication, read already.
            if preview:
                public = _public_document(report, preview=True)
            elif published is not None and published.report_id == report.pk:
                public = published.document
            else:
                public = served_publication(report, "public").document
        except NotPublishable as exc:
            not_published = str(exc)
        else:
            compared = _compared(internal, public)
    grid = month_counts(programme, month)
    entries = Entry.objects.filter(programme=programme, month=month).order_by("pk")
    return {
        "programme": programme, "month": month, "review": review, "form": form,
        "actions": review_actions(review, request.user),
        "refused": review.acceptance_refused(request.user)
        if review.state == MonthReview.State.SUBMITTED and request.user.has_perm("intake.decide_month") else None,
        "versions": versions, "report": report, "document": internal,
        "side_by_side": compared, "not_published": not_published, "preview": preview,
        "finality": report_finality(report, review=review) if report else None,
        "publication": PublicationAttempt.objects.filter(programme=programme, month=month).first(),
        "waiting": waiting_version(versions[0] if versions else None, published),
        "statuses": Status.choices,
        "grid": [(Category(category).label, [row[status] for status in Status.values], sum(row.values()))
                 for category, row in grid.items()],
        "totals": [sum(row[status] for row in grid.values()) for status in Status.values],
        "total": sum(n for row in grid.values() for n in row.values()),
        "entries": Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page")),
        "return_reasons": MonthReview.ReturnReason.choices,
        "unlock_reasons": MonthReview.UnlockReason.choices,
        "unlock_days": UNLOCK_DAYS,
        "can_generate": request.user.has_perm("reports.generate_report"),
        "collapsible": collapsible_count(programme=programme, month=month)
        if review.state == MonthReview.State.ACCEPTED and request.user.has_perm("intake.submit_month") else 0,
        "error_summary": _error_summary(form),
        "posted": form.data.get("action", "") if form.errors else "",
    }


def _compared(internal: dict, public: dict) -> list[tuple]:
    """The rows of the side-by-side table as the page writes them (dozens of figures,
    each made into words here rather than by filters in the template): whether the
    figure differs, its key, label and period, and both values in words."""
    language, not_stated = get_language(), _("not stated")
    return [
        (item.differs, item.row.key, item.row.label, period(item.row.month, language), figure(item.internal),
         not_stated if item.public is None and item.internal is not None else figure(item.public))
        for item in side_by_side(internal, public)
    ]


PREVIEW_SECONDS = 3600  # as long as the other rows of the general cache


def _public_document(report: Report, *, preview: bool) -> dict:
    """published_document(report, "public"), kept in the cache under the report and
    the stamp of the data under it: recomputing it reads every count of every month
    since the programme started (a quarter of a second at three years), and the page
    is opened again and again while a month is reviewed. A change to the data moves
    the stamp, so a stale document is never shown. Refusals are not kept."""
    stamp = data_version(programme=report.programme, until=report.month)
    key = f"review-public:{report.pk}:{report.fingerprint}:{stamp}:{int(preview)}"
    document = cache.get(key)
    if document is None:
        document = published_document(report, "public", preview=preview)
        cache.set(key, document, PREVIEW_SECONDS)
    return document


def _error_summary(form: ReviewActionForm) -> list[tuple[str, str]]:
    """The form's errors, each with the id of the field it is about (or of the
    actions), for the summary at the top of the page."""
    action = form.data.get("action", "")
    anchors = {"reason": f"{action}-reason", "version": "submit-version", "days": "grant_unlock-days"}
    return [(anchors.get(field, "actions"), error) for field, errors in form.errors.items() for error in errors]


@login_required
@permission_required("intake.submit_month", raise_exception=True)
def collapse_month(request, programme: str, month: dt.date):
    """GET: how many requests closed in the accepted month would be deleted, kept as
    counts only, and a button; POST: collapse them (intake/retention.py)."""
    programme = _get_month(programme, month)
    review = MonthReview.objects.of(programme, month)
    if request.method == "POST":
        try:
            collapsed = month_collapse(programme=programme, month=month, actor=request.user)
        except ValidationError as exc:
            return render(request, "signoff/collapse_month.html", {
                "programme": programme, "month": month, "review": review, "count": 0, "refused": exc.messages},
                status=400)
        messages.success(request, ngettext("Collapsed: %(count)s request is now kept as counts only.",
                                           "Collapsed: %(count)s requests are now kept as counts only.",
                                           collapsed) % {"count": collapsed})
        return redirect("review_month", programme=programme.slug, month=month)
    try:
        review.check_can_collapse()
        refused = []
    except ValidationError as exc:
        refused = exc.messages
    return render(request, "signoff/collapse_month.html", {
        "programme": programme, "month": month, "review": review, "refused": refused,
        "count": 0 if refused else collapsible_count(programme=programme, month=month)})
