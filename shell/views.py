"""The site around the apps: the home page of each role, the audit log page, and the
pages for a refused access and a server error."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_GET

from intake import audit
from intake.access import programmes_for
from intake.counts import open_count, open_groups, status_counts
from intake.forms import FindForm
from intake.models import AuditEvent, Category, Entry, HelpRequest, Status
from intake.months import add_months, current_month
from reports.models import Report

LATEST_REPORTS = 5
# A phone screen's worth of rows a few times over; more pages beat a slow page.
REQUESTS_PER_PAGE = 50
AUDIT_EVENTS_PER_PAGE = 100
# Groups of waiting requests (month × category × status) per page: a phone screen or two.
GROUPS_PER_PAGE = 25


def _recent_entries(user):
    entries = Entry.objects.in_programmes(programmes_for(user)).recent()
    if not user.has_perm("intake.act_in_all_programmes"):
        entries = entries.filter(author=user)
    return entries.select_related("programme", "author").order_by("-pk")[:20]


class CountedPaginator(Paginator):
    """A paginator told how many items there are (from the counts table), so that
    paging never counts the rows it pages through."""

    def __init__(self, object_list, per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count


@login_required
@require_GET
def home(request):
    user = request.user
    context = {"latest_reports": []}
    if user.has_perm("reports.view_report"):
        context["latest_reports"] = Report.objects.select_related("programme").order_by("-created_at")[:LATEST_REPORTS]
    if user.has_perm("intake.view_helprequest"):
        programmes = list(programmes_for(user))
        this_month = current_month()
        last_month = add_months(this_month, -1)
        counts = status_counts(programmes=programmes, month=this_month, months=[this_month, last_month])
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
    audit.record(request.user, audit.Action.ACCESS_REFUSED, match.view_name if match else "")
    return render(request, "403.html", status=403)


def server_error(request):
    """500, in the site's layout and the language the request asked for. It is rendered
    without the request, so nothing reads the account, the session or the database,
    which may be what failed."""
    return HttpResponseServerError(loader.render_to_string("500.html"))


@login_required
@permission_required("intake.view_auditevent", raise_exception=True)
@require_GET
def audit_log(request):
    events = AuditEvent.objects.select_related("actor")
    page = Paginator(events, AUDIT_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "shell/audit_log.html", {"page": page})
