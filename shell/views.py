"""The site around the apps: the home page of each role, the audit log page, and the
pages for a refused access and a server error."""

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseServerError, StreamingHttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from api import problems as api_problems
from intake import audit
from intake.access import programmes_for
from intake.counts import open_count, open_groups, status_counts
from intake.forms import FindForm
from intake.models import Category, Entry, HelpRequest, MonthReview, Status
from intake.months import add_months, current_month, format_month
from intake.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx
from reports.models import Report
from reports.narrative import narrative
from reports.views import ReportNotFound

from .audit_actions import ShellAction
from .audit_subjects import Subjects
from .forms import NO_ACCOUNT_LABEL, AuditFilterForm

LATEST_REPORTS = 5
# A phone screen's worth of rows a few times over; more pages beat a slow page.
REQUESTS_PER_PAGE = 50
AUDIT_EVENTS_PER_PAGE = 100
# Groups of waiting requests (month × category × status) per page: a phone screen or two.
GROUPS_PER_PAGE = 25


def _recent_entries(user):
    entries = Entry.objects.in_programmes(programmes_for(user)).undoable_by(user)
    return entries.select_related("programme", "author").order_by("-pk")[:20]


class CountedPaginator(Paginator):
    """A paginator told how many items there are (from the counts table), so that
    paging never counts the rows it pages through."""

    def __init__(self, object_list, per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count


def months_waiting(user) -> dict:
    """The months waiting for this account, two queries at most whatever their number:
    for an auditor, those submitted and those whose unlock was asked for; for staff, those
    returned with a reason; for a coordinator, the returned months of their programmes."""
    reviews = MonthReview.objects.select_related("programme").order_by("month", "programme__name")
    waiting = {}
    if user.has_perm("intake.decide_month"):
        waiting["for_auditor"] = list(reviews.awaiting_auditor())
    if user.has_perm("intake.submit_month"):
        waiting["returned"] = list(reviews.filter(state=MonthReview.State.RETURNED))
    elif user.has_perm("intake.add_helprequest"):
        waiting["returned"] = list(reviews.filter(state=MonthReview.State.RETURNED,
                                                  programme__in=programmes_for(user)))
    return waiting


@login_required
@require_GET
def home(request):
    user = request.user
    context = {"latest_reports": [], **months_waiting(user)}
    if user.has_perm("reports.view_report"):
        latest = list(Report.objects.select_related("programme").order_by("-pk")[:LATEST_REPORTS])
        context["latest_reports"] = latest
        # The newest ready report's first sentence, so the first page says what the figures are.
        ready = next((report for report in latest if report.state == Report.State.READY), None)
        if ready is not None:
            context["headline"] = (ready, narrative(ready.document, get_language())[0])
    if user.has_perm("intake.view_helprequest"):
        programmes = list(programmes_for(user))
        this_month = current_month()
        last_month = add_months(this_month, -1)
        counts = status_counts(programmes=programmes, months=[this_month, last_month])
        show_requests = request.GET.get("show") == "requests"
        if show_requests:
            # Oldest month first, in the order of the index that serves it (helprequest_waiting).
            waiting = (
                HelpRequest.objects.open().in_programmes(programmes)
                .select_related("programme").order_by("month", "programme", "pk")
            )
            paginator = CountedPaginator(waiting, REQUESTS_PER_PAGE, count=open_count(programmes=programmes))
            context["waiting"] = paginator.get_page(request.GET.get("page"))
        else:
            by_pk = {programme.pk: programme for programme in programmes}
            groups = [(by_pk[pk], month, Category(category).label, category, Status(status).label, status, n)
                      for pk, month, category, status, n in open_groups(programmes=programmes)]
            context["waiting_groups"] = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            programmes=[(programme, counts[programme.pk][this_month], counts[programme.pk][last_month])
                        for programme in programmes],
            this_month=this_month,
            last_month=last_month,
            show_requests=show_requests,
            entries=_recent_entries(user),
            find_form=FindForm(),
        )
    return render(request, "shell/home.html", context)


def permission_denied(request, exception=None):
    """403, noted in the audit log with the page's name (not its address or data)."""
    match = request.resolver_match
    audit.record(request.user, ShellAction.ACCESS_REFUSED, match.view_name if match else "")
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    """404 in the site's layout; a missing report names the versions that exist and
    points to the list of reports."""
    if request.path.startswith("/api/"):
        return api_problems.not_found()
    context = {}
    if isinstance(exception, ReportNotFound):
        context = {"missing_report": True, "versions": exception.versions}
    return render(request, "404.html", context, status=404)


def server_error(request):
    """500, in the site's layout and the language the request asked for. It is rendered
    without the request, so nothing reads the account, the session or the database,
    which may be what failed. Under /api/, a problem document instead."""
    if request.path.startswith("/api/"):
        return api_problems.server_error()
    return HttpResponseServerError(loader.render_to_string("500.html"))


def _month_in_words(month) -> str:
    return date_format(month, "F Y")


# How many different subjects an export keeps said at a time (a page has a hundred rows).
SAID_KEPT = 1000


def _audit_rows(events, month=lambda month: month):
    """(month, account, action, concerning) of each event, in words of the active language;
    the month as `month` writes it (a date for the page to format, by default). Each
    month, and each subject of an action, is said once: a page's events are mostly the
    same few."""
    subjects = Subjects()
    action_names = {code: str(name) for code, name in audit.action_choices()}
    no_account = str(NO_ACCOUNT_LABEL)
    months, said = {}, {}
    for event in events:
        if event.month not in months:
            months[event.month] = month(event.month)
        key = (event.action, event.subject)
        if key not in said:
            if len(said) >= SAID_KEPT:
                said.clear()
            said[key] = subjects(event.action, event.subject, action_names=action_names)
        yield (
            months[event.month],
            event.actor.username if event.actor else no_account,
            action_names.get(event.action, event.action),
            said[key],
        )


def _page_month(month) -> tuple[str, str]:
    """A month as the page's rows give it: YYYY-MM for the machine, and in words."""
    return format_month(month), _month_in_words(month)


@login_required
@permission_required("intake.view_auditevent", raise_exception=True)
@require_GET
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "shell/audit_log.html", {"form": form}, status=400)
    page = audit_page(form.events(), before=_event_id(request.GET.get("before")),
                      after=_event_id(request.GET.get("after")))
    query = form.query()
    return render(request, "shell/audit_log.html", {
        "form": form, "page": page,
        "rows": [(*month, *rest) for month, *rest in _audit_rows(page.events, month=_page_month)],
        "query": f"{query}&" if query else "", "csv_query": query,
    })


def _event_id(value: str | None) -> int | None:
    """An event id from a page link (?before= or ?after=); None for anything else."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


@dataclass
class AuditPage:
    """A page of the log, newest first: the events, and the ids the links to newer
    and older pages start from (None when there are none)."""

    events: list
    newer: int | None
    older: int | None


def audit_page(events, *, before: int | None = None, after: int | None = None) -> AuditPage:
    """The events just older than event `before`, or just newer than `after`, or the
    newest: AUDIT_EVENTS_PER_PAGE of them, read through the index on ids (or on the
    filtered column and ids) with one row more to know whether more follow, and one
    EXISTS for the other side (none on the newest page). The log is never counted: at
    a million events a COUNT costs more than the page."""
    size = AUDIT_EVENTS_PER_PAGE
    if after is not None:
        rows = list(events.filter(pk__gt=after).order_by("pk")[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        more_older = bool(rows) and events.filter(pk__lt=rows[-1].pk).exists()
    else:
        rows = list((events.filter(pk__lt=before) if before is not None else events).order_by("-pk")[: size + 1])
        more_older = len(rows) > size
        rows = rows[:size]
        # The newest page has none newer; under a filter, looking would pass over every
        # newer event of other months, actions or accounts.
        more_newer = before is not None and bool(rows) and events.filter(pk__gt=rows[0].pk).exists()
    if not rows and (before is not None or after is not None):
        return audit_page(events)  # a link past either end: the newest events
    return AuditPage(rows, rows[0].pk if more_newer else None, rows[-1].pk if more_older else None)


@login_required
@permission_required("intake.view_auditevent", raise_exception=True)
@require_GET
def audit_log_csv(request):
    """The filtered log as CSV, in the page's language; noted, since it leaves the app."""
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "shell/audit_log.html", {"form": form}, status=400)
    audit.record(request.user, ShellAction.AUDIT_LOG_EXPORTED, form.describe())
    language = get_language()
    header = [str(_("Month")), str(_("Account")), str(_("Action")), str(_("Concerning"))]

    def lines():
        # Written after the view returns: in the language of the request, whatever
        # the thread's language is by then.
        with translation.override(language):
            yield _csv_line(header)
            for row in _audit_rows(form.events().iterator(chunk_size=2000), month=format_month):
                yield _csv_line(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = "-".join(["audit-log", *(value for _name, value in form.filters())])
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@login_required
@permission_required("intake.view_auditevent", raise_exception=True)
@require_GET
def audit_log_xlsx(request):
    """The filtered log as an Excel workbook, in the page's language; noted, since it leaves the app."""
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "shell/audit_log.html", {"form": form}, status=400)
    audit.record(request.user, ShellAction.AUDIT_LOG_EXPORTED, form.describe())
    header = [_("Month"), _("Account"), _("Action"), _("Concerning")]
    rows = _audit_rows(form.events().iterator(chunk_size=2000), month=_month_in_words)
    response = HttpResponse(write_xlsx(_("Audit log"), header, rows), content_type=XLSX_CONTENT_TYPE)
    name = "-".join(["audit-log", *(value for _name, value in form.filters())])
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _csv_line(cells) -> str:
    out = io.StringIO()
    # A cell that starts like a formula is read by spreadsheets as one: keep it text.
    csv.writer(out, lineterminator="\n").writerow(
        f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell for cell in cells
    )
    return out.getvalue()


def locked_out(request, original_response=None, credentials=None, *, code=False):
    """The page a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE): 429, saying
    for how long, never a 500. With code=True, for wrong second-factor codes
    (shell.two_factor)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"minutes": minutes, "failures": settings.AXES_FAILURE_LIMIT, "code": code}
    return render(request, "registration/locked_out.html", context, status=429)
