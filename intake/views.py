"""Coordinators' pages. Views that write are atomic: a change and its audit event are
saved together, or neither is."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseServerError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from reports.models import Report

from . import audit
from .access import programmes_for
from .counts import open_count, status_counts
from .forms import (
    CloseForm, FindForm, ImportForm, LogCountsForm, LogRequestForm, MoveForm, SeenForm, apply_errors, submitted,
)
from .imports import ImportRefused, read_csv
from .models import AuditEvent, ChangedElsewhere, Entry, HelpRequest
from .months import add_months, current_month
from .services import AlreadyUndone, entry_undo, entry_was_undone, requests_import, requests_log, requests_move

LATEST_REPORTS = 5
# A phone screen's worth of rows a few times over; more pages beat a slow page.
REQUESTS_PER_PAGE = 50
AUDIT_EVENTS_PER_PAGE = 100


def _get_request_for_user(request, reference: str, *, for_update: bool = False) -> HelpRequest:
    """A request of one of the user's programmes, or 404: another programme's
    requests do not exist as far as this user can tell. With `for_update`, its row
    is locked until the view's transaction ends."""
    if "\x00" in reference:
        # No reference has one, and PostgreSQL refuses the query (a 500) rather than find nothing.
        raise Http404("No such request.")
    requests = HelpRequest.objects.select_related("programme")
    if for_update:
        requests = requests.select_for_update(of=("self",))
    return get_object_or_404(requests, reference=reference, programme__in=programmes_for(request.user))


def _get_entry_for_user(request, pk: int) -> Entry:
    """An entry of one of the user's programmes; AlreadyUndone if it was one and has
    just been undone; otherwise 404."""
    programmes = programmes_for(request.user)
    entry = Entry.objects.filter(pk=pk, programme__in=programmes).first()
    if entry is None:
        if entry_was_undone(pk=pk, programmes=programmes):
            raise AlreadyUndone()
        raise Http404("No such entry.")
    return entry


def _recent_entries(user):
    entries = Entry.objects.filter(programme__in=programmes_for(user), month__gte=add_months(current_month(), -1))
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
        counts = status_counts(programmes=programmes, month=this_month)
        # Oldest month first, in the order of the index that serves it (helprequest_waiting).
        waiting = HelpRequest.objects.open().filter(programme__in=programmes).order_by("month", "programme", "pk")
        paginator = CountedPaginator(waiting, REQUESTS_PER_PAGE, count=open_count(programmes=programmes))
        context.update(
            programmes=[(programme, counts[programme.pk]) for programme in programmes],
            this_month=this_month,
            waiting=paginator.get_page(request.GET.get("page")),
            entries=_recent_entries(user),
            find_form=FindForm(),
        )
    return render(request, "intake/home.html", context)


@login_required
@permission_required("intake.add_helprequest", raise_exception=True)
@transaction.atomic
def request_new(request):
    form = LogRequestForm(submitted(request), programmes=programmes_for(request.user))
    if request.method == "POST" and form.is_valid():
        entry = requests_log(spec=form.spec(), author=request.user, kind=Entry.Kind.SINGLE)
        audit.record(request.user, audit.Action.REQUESTS_LOGGED, f"{entry.programme.slug}, 1")
        reference = entry.requests.get().reference
        messages.success(request, _("Request logged. Its reference is %(reference)s: note it for follow-up.")
                         % {"reference": reference})
        return redirect("request_detail", reference=reference)
    return render(request, "intake/form.html", {"form": form, "title": _("Log a request"), "submit": _("Log request")},
                  status=400 if form.errors else 200)


@login_required
@permission_required("intake.add_helprequest", raise_exception=True)
@transaction.atomic
def counts_new(request):
    form = LogCountsForm(submitted(request), programmes=programmes_for(request.user))
    if request.method == "POST" and form.is_valid():
        count = form.cleaned_data["count"]
        entry = requests_log(spec=form.spec(), count=count, author=request.user)
        audit.record(request.user, audit.Action.REQUESTS_LOGGED, f"{entry.programme.slug}, {count}")
        messages.success(request, ngettext("%(count)s request logged.", "%(count)s requests logged.", count)
                         % {"count": count})
        return redirect("home")
    return render(request, "intake/form.html", {"form": form, "title": _("Log counts"), "submit": _("Log requests")},
                  status=400 if form.errors else 200)


@login_required
@permission_required("intake.view_helprequest", raise_exception=True)
@require_GET
def request_find(request):
    form = FindForm(request.GET or None)
    if form.is_valid():
        found = HelpRequest.objects.filter(
            reference=form.cleaned_data["reference"], programme__in=programmes_for(request.user)
        ).first()
        if found:
            return redirect("request_detail", reference=found.reference)
        form.add_error("reference", _("No request with this reference in your programmes."))
    return render(request, "intake/form.html", {"form": form, "title": _("Find a request"), "submit": _("Find"),
                                                "method": "get"}, status=404 if form.errors else 200)


@login_required
@permission_required("intake.view_helprequest", raise_exception=True)
@require_GET
def request_detail(request, reference: str):
    help_request = _get_request_for_user(request, reference)
    return render(request, "intake/request_detail.html", {"help_request": help_request, "close_form": CloseForm()})


def _check_seen(request, help_request: HelpRequest) -> None:
    """Refuse a change unless the form says which status the person saw and the request
    is still in it: they decided on that status, not on one someone else has since set."""
    seen = SeenForm(request.POST)
    if not seen.is_valid():
        raise ValidationError(_("Nothing was changed: the form came from an out-of-date page. "
                                "Check the request as it is now and try again."))
    help_request.check_unchanged(seen.cleaned_data["seen"])


def _transition(request, reference: str, action):
    # Locked: of two changes at once, the second waits, then finds the status it saw gone.
    help_request = _get_request_for_user(request, reference, for_update=True)
    try:
        _check_seen(request, help_request)
        action(help_request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        audit.record(request.user, audit.Action.REQUEST_CHANGED, f"{help_request.programme.slug}, {help_request.status}")
        messages.success(request, _("The request is now %(status)s.") % {"status": help_request.get_status_display().lower()})
    return redirect("request_detail", reference=help_request.reference)


@login_required
@permission_required("intake.change_helprequest", raise_exception=True)
@require_POST
@transaction.atomic
def request_start(request, reference: str):
    return _transition(request, reference, lambda r: r.start())


@login_required
@permission_required("intake.change_helprequest", raise_exception=True)
@require_POST
@transaction.atomic
def request_reopen(request, reference: str):
    return _transition(request, reference, lambda r: r.reopen())


@login_required
@permission_required("intake.change_helprequest", raise_exception=True)
@require_POST
@transaction.atomic
def request_close(request, reference: str):
    help_request = _get_request_for_user(request, reference, for_update=True)
    try:
        _check_seen(request, help_request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render(request, "intake/request_detail.html", {"help_request": help_request, "close_form": CloseForm()},
                      status=409 if isinstance(exc, ChangedElsewhere) else 400)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            help_request.close(outcome=form.cleaned_data["outcome"], month=form.cleaned_data["month"])
        except ValidationError as exc:
            help_request.refresh_from_db()
            apply_errors(form, exc)
        else:
            audit.record(request.user, audit.Action.REQUEST_CHANGED, f"{help_request.programme.slug}, closed")
            messages.success(request, _("The request is closed."))
            return redirect("request_detail", reference=help_request.reference)
    return render(request, "intake/request_detail.html", {"help_request": help_request, "close_form": form}, status=400)


@login_required
@permission_required("intake.change_helprequest", raise_exception=True)
@transaction.atomic
def requests_move_view(request):
    form = MoveForm(submitted(request), programmes=programmes_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            moved = requests_move(form.move())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            audit.record(request.user, audit.Action.REQUESTS_MOVED, f"{form.cleaned_data['programme'].slug}, {moved}")
            messages.success(request, ngettext("%(count)s request moved.", "%(count)s requests moved.", moved)
                             % {"count": moved})
            return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "intake/form.html", {
        "form": form, "title": _("Move requests"), "submit": _("Move"),
        "intro": _("Moves the given number of requests of one month, category and status, the ones logged "
                   "first. If fewer match, nothing is moved."),
    }, status=status)


@login_required
@permission_required("intake.add_helprequest", raise_exception=True)
@require_POST
@transaction.atomic
def entry_undo_view(request, pk: int):
    try:
        entry = _get_entry_for_user(request, pk)
        if entry.author_id != request.user.pk and not request.user.has_perm("intake.act_in_all_programmes"):
            raise PermissionDenied(_("Only its author or staff can undo an entry."))
        deleted = entry_undo(entry=entry)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        audit.record(request.user, audit.Action.ENTRY_UNDONE, f"{entry.programme.slug}, {deleted}")
        messages.success(request, ngettext("Undone: %(count)s request removed.", "Undone: %(count)s requests removed.",
                                           deleted) % {"count": deleted})
    return redirect("home")


@login_required
@permission_required("intake.import_requests", raise_exception=True)
@transaction.atomic
def import_view(request):
    form = ImportForm(submitted(request), request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            groups = read_csv(form.cleaned_data["file"].read(), programmes=programmes_for(request.user))
        except ImportRefused as exc:
            errors = exc.errors
        else:
            requests_import(groups, author=request.user)
            total = sum(count for _spec, count in groups)
            audit.record(request.user, audit.Action.REQUESTS_IMPORTED, str(total))
            messages.success(request, ngettext("Imported %(count)s request.", "Imported %(count)s requests.", total)
                             % {"count": total})
            return redirect("home")
    status = 400 if (errors or form.errors) else 200
    return render(request, "intake/import.html", {"form": form, "errors": errors}, status=status)


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
    return render(request, "intake/audit_log.html", {"page": page})
