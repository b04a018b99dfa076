"""Coordinators' pages. Views that write are atomic and call a service, which saves the
change and its audit event together."""

import csv
import secrets
from collections import Counter
from collections.abc import Iterable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from .access import programmes_for
from .forms import (
    CloseForm,
    FindForm,
    ImportForm,
    LogCountsForm,
    LogRequestForm,
    MoveForm,
    SeenForm,
    apply_errors,
    submitted,
)
from .imports import COLUMNS, ImportRefused, read_csv
from .locks import hold_programmes
from .models import Category, ChangedElsewhere, Entry, HelpRequest, Outcome, Programme, Status
from .months import current_month, format_month
from .services import (
    AlreadyUndone,
    entry_undo,
    entry_was_undone,
    request_close,
    request_reopen,
    request_start,
    requests_import,
    requests_log,
    requests_move,
)


def _get_request_for_user(request, reference: str, *, for_update: bool = False) -> HelpRequest:
    """A request of one of the user's programmes, or 404: another programme's
    requests do not exist as far as this user can tell. With `for_update`, its row
    is locked until the view's transaction ends."""
    if "\x00" in reference:
        # No reference has one, and PostgreSQL refuses the query (a 500) rather than find nothing.
        raise Http404("No such request.")
    requests = HelpRequest.objects.select_related("programme").in_programmes(programmes_for(request.user))
    if for_update:
        # The programme's write lock first, then the row (the lock order, intake/locks.py).
        programme_id = requests.filter(reference=reference).values_list("programme_id", flat=True).first()
        if programme_id is None:
            raise Http404("No such request.")
        hold_programmes([programme_id])
        requests = requests.select_for_update(of=("self",))
    return get_object_or_404(requests, reference=reference)


def _get_entry_for_user(request, pk: int) -> Entry:
    """An entry of one of the user's programmes; AlreadyUndone if it was one and has
    just been undone; otherwise 404."""
    programmes = programmes_for(request.user)
    entry = Entry.objects.in_programmes(programmes).filter(pk=pk).first()
    if entry is None:
        if entry_was_undone(pk=pk, programmes=programmes):
            raise AlreadyUndone()
        raise Http404("No such entry.")
    return entry


@login_required
@permission_required("intake.add_helprequest", raise_exception=True)
@transaction.atomic
def request_new(request):
    form = LogRequestForm(submitted(request), programmes=programmes_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            entry = requests_log(spec=form.spec(), author=request.user, kind=Entry.Kind.SINGLE)
        except ValidationError as exc:  # the month was locked after the form was checked
            apply_errors(form, exc)
            return render(request, "intake/form.html", {"form": form, "title": _("Log a request"),
                                                        "submit": _("Log request")}, status=400)
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
    form = LogCountsForm(submitted(request), programmes=programmes_for(request.user), initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        count = form.cleaned_data["count"]
        spec = form.spec()
        try:
            requests_log(spec=spec, count=count, author=request.user)
        except ValidationError as exc:  # the month was locked after the form was checked
            apply_errors(form, exc)
            return render(request, "intake/form.html", {"form": form, "title": _("Log counts"),
                                                        "submit": _("Log requests")}, status=400)
        messages.success(request, ngettext(
            "%(count)s request logged: %(category)s, %(status)s.", "%(count)s requests logged: %(category)s, %(status)s.",
            count) % {"count": _grouped(count), "category": spec.category_label(), "status": spec.status_label()})
        return redirect(month_url(spec.programme, spec.month, [(spec.category, spec.status)]))
    return render(request, "intake/form.html", {"form": form, "title": _("Log counts"), "submit": _("Log requests")},
                  status=400 if form.errors else 200)


@login_required
@permission_required("intake.view_helprequest", raise_exception=True)
@require_GET
def request_find(request):
    form = FindForm(request.GET or None)
    if form.is_valid():
        found = HelpRequest.objects.in_programmes(programmes_for(request.user)).filter(
            reference=form.cleaned_data["reference"]
        ).first()
        if found:
            return redirect("request_detail", reference=found.reference)
        form.add_error("reference", _("No request with this reference in your programmes."))
    return render(request, "intake/form.html", {"form": form, "title": _("Find a request"), "submit": _("Find"),
                                                "method": "get", "intro": not_found_explanation() if form.errors else ""},
                  status=404 if form.errors else 200)


def not_found_explanation() -> str:
    """Why a reference may find nothing, said of every reference alike: it neither
    confirms nor denies that a request ever had it."""
    return _("Requests closed in a month that has been accepted are kept only as counts after a while: their "
             "references can no longer be found.")


@login_required
@permission_required("intake.view_helprequest", raise_exception=True)
@require_GET
def request_detail(request, reference: str):
    try:
        help_request = _get_request_for_user(request, reference)
    except Http404:
        return render(request, "intake/request_not_found.html", {"explanation": not_found_explanation()},
                      status=404)
    return render(request, "intake/request_detail.html", {"help_request": help_request, "close_form": CloseForm()})


def _seen(request) -> str:
    """The status the person saw when they chose the change: it is made only if the
    request is still in it, as they decided on that status, not on one someone else has
    since set."""
    seen = SeenForm(request.POST)
    if not seen.is_valid():
        raise ValidationError(_("Nothing was changed: the form came from an out-of-date page. "
                                "Check the request as it is now and try again."))
    return seen.cleaned_data["seen"]


def _transition(request, reference: str, change):
    # Locked: of two changes at once, the second waits, then finds the status it saw gone.
    help_request = _get_request_for_user(request, reference, for_update=True)
    try:
        change(help_request=help_request, seen=_seen(request), actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The request is now %(status)s.") % {"status": help_request.get_status_display().lower()})
    return redirect("request_detail", reference=help_request.reference)


@login_required
@permission_required("intake.change_helprequest", raise_exception=True)
@require_POST
@transaction.atomic
def request_start_view(request, reference: str):
    return _transition(request, reference, request_start)


@login_required
@permission_required("intake.change_helprequest", raise_exception=True)
@require_POST
@transaction.atomic
def request_reopen_view(request, reference: str):
    return _transition(request, reference, request_reopen)


@login_required
@permission_required("intake.change_helprequest", raise_exception=True)
@require_POST
@transaction.atomic
def request_close_view(request, reference: str):
    help_request = _get_request_for_user(request, reference, for_update=True)
    try:
        seen = _seen(request)
        # Before the form: whoever acted on a status that is gone hears that, not what the form lacks.
        help_request.check_unchanged(seen)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render(request, "intake/request_detail.html", {"help_request": help_request, "close_form": CloseForm()},
                      status=409 if isinstance(exc, ChangedElsewhere) else 400)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            request_close(help_request=help_request, seen=seen, outcome=form.cleaned_data["outcome"],
                          month=form.cleaned_data["month"], actor=request.user)
        except ValidationError as exc:
            help_request.refresh_from_db()
            apply_errors(form, exc)
        else:
            messages.success(request, _("The request is closed."))
            return redirect("request_detail", reference=help_request.reference)
    return render(request, "intake/request_detail.html", {"help_request": help_request, "close_form": form}, status=400)


@login_required
@permission_required("intake.change_helprequest", raise_exception=True)
@transaction.atomic
def requests_move_view(request):
    form = MoveForm(submitted(request), programmes=programmes_for(request.user), initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            moved = requests_move(form.move(), actor=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            move = form.move()
            messages.success(request, ngettext(
                "%(count)s request moved from %(from)s to %(to)s: %(category)s.",
                "%(count)s requests moved from %(from)s to %(to)s: %(category)s.", moved,
            ) % {"count": _grouped(moved), "from": Status(move.from_status).label.lower(),
                 "to": Status(move.to_status).label.lower(), "category": Category(move.category).label.lower()})
            return redirect(month_url(move.programme, move.month,
                                      [(move.category, move.from_status), (move.category, move.to_status)]))
    status = 400 if form.errors else 200
    return render(request, "intake/form.html", {
        "form": form, "title": _("Move requests"), "submit": _("Move"),
        "intro": _("Moves the given number of requests of one month, category and status, the ones logged "
                   "first. If fewer match, nothing is moved."),
    }, status=status)


@login_required
@permission_required("intake.add_helprequest", raise_exception=True)
@transaction.atomic
def entry_undo_view(request, pk: int):
    """GET: what undoing the entry would remove or put back, and a button; POST: undo it."""
    try:
        entry = _get_entry_for_user(request, pk)
        entry.check_undo_by(request.user)
        entry.check_undo()
        if request.method != "POST":
            contents = entry.undo_contents()
            worked_on = sum(row["n"] for row in contents if row.get("changed"))
            return render(request, "intake/undo.html", {"entry": entry, "contents": contents, "worked_on": worked_on})
        back = _undo_returns_to(entry)
        deleted = entry_undo(entry=entry, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("home")
    if entry.kind == Entry.Kind.MOVE:
        messages.success(request, ngettext("Undone: %(count)s request put back where it was.",
                                           "Undone: %(count)s requests put back where they were.", deleted)
                         % {"count": _grouped(deleted)})
    else:
        messages.success(request, ngettext("Undone: %(count)s request removed.", "Undone: %(count)s requests removed.",
                                           deleted) % {"count": _grouped(deleted)})
    return redirect(back)


def _undo_returns_to(entry: Entry) -> str:
    """The month page the undone entry changed: that of its requests' month."""
    if entry.kind == Entry.Kind.MOVE:
        first = entry.moved.select_related("request").first()
        if first is None:
            return reverse("home")
        cells = {(row.request.category, s) for row in [first] for s in (row.from_status, row.to_status)}
        return month_url(entry.programme, first.request.month, cells)
    # Requests logged or imported: the month page of the entry's (earliest) month, with the
    # cells they leave marked; an import spanning programmes has no one page: home.
    rows = set(entry.requests.values_list("programme_id", "month", "category", "status"))
    if {programme_id for programme_id, *_rest in rows} != {entry.programme_id}:
        return reverse("home")
    return month_url(entry.programme, entry.month,
                     {(category, status) for _p, month, category, status in rows if month == entry.month})


# How long an uploaded file waits for its preview to be confirmed.
IMPORT_PREVIEW_SECONDS = 60 * 60
# Rows of a file shown in its preview; the totals cover them all.
PREVIEW_ROWS = 50


@login_required
@permission_required("intake.import_requests", raise_exception=True)
@transaction.atomic
def import_view(request):
    """Upload a file, see what it would import, then confirm: nothing is written before."""
    if request.method == "POST" and "preview" in request.POST:
        return _import_confirmed(request)
    form = ImportForm(submitted(request), request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        data = form.contents()
        try:
            groups = read_csv(data, programmes=programmes_for(request.user))
        except ImportRefused as exc:
            errors = exc.errors
        else:
            key = secrets.token_urlsafe(24)
            # The file waits server-side for the confirmation, tied to this account; no
            # personal data can be in it (a column outside the format is refused unread).
            cache.set(_preview_key(key), (request.user.pk, data), IMPORT_PREVIEW_SECONDS)
            return render(request, "intake/import_preview.html", _preview_context(groups, key))
    status = 400 if (errors or form.errors) else 200
    return render(request, "intake/import.html", {"form": form, "errors": errors}, status=status)


def _preview_key(key: str) -> str:
    return f"intake:import-preview:{key}"


def _imported_key(key: str) -> str:
    """Where a confirmed preview's entry is kept, for a later confirmation of it: a key of
    its own, so that the preview's key, once deleted, never holds a row again."""
    return f"intake:import-done:{key}"


def _preview_context(groups, key: str) -> dict:
    totals: Counter = Counter()
    for spec, count in groups:
        totals[spec.programme.localized("name"), spec.month] += count
    return {"key": key, "rows": [(_named(spec), count) for spec, count in groups[:PREVIEW_ROWS]],
            "more": max(len(groups) - PREVIEW_ROWS, 0),
            "row_count": len(groups), "totals": sorted(totals.items()), "total": sum(totals.values())}


def _named(spec) -> dict:
    """A row of the preview in the page's words: the programme's name, and the names of the
    category, status and outcome rather than their codes."""
    return {"programme": spec.programme.localized("name"), "month": spec.month, "closed_month": spec.closed_month,
            "category": Category(spec.category).label, "status": Status(spec.status).label,
            "outcome": Outcome(spec.outcome).label if spec.outcome else ""}


class _AlreadyClaimed(Exception):
    """Another confirmation of the same preview took it first."""


def _import_confirmed(request):
    key = request.POST["preview"]
    stored = cache.get(_preview_key(key)) if len(key) < 100 else None
    if stored is None or stored[0] != request.user.pk:
        return _preview_gone(request, key)
    try:
        with transaction.atomic():
            # The claim: the preview is a row of the database cache (CACHES), deleted in the
            # transaction of the import, so the two commit together. Of two confirmations at
            # once, the second DELETE waits for the first's transaction and then finds no
            # row; if the import fails, the delete is rolled back with it and the preview
            # stays for another try.
            if not cache.delete(_preview_key(key)):
                raise _AlreadyClaimed
            # Read again: the importer's programmes may have changed since the preview.
            groups = read_csv(stored[1], programmes=programmes_for(request.user))
            entry, = requests_import(groups, author=request.user)
            cache.set(_imported_key(key), (request.user.pk, entry.pk), IMPORT_PREVIEW_SECONDS)
    except _AlreadyClaimed:
        return _preview_gone(request, key)
    except ImportRefused as exc:
        return render(request, "intake/import.html", {"form": ImportForm(), "errors": exc.errors}, status=400)
    except ValidationError as exc:  # a month was locked after the preview
        return render(request, "intake/import.html", {"form": ImportForm(), "errors": [(None, m) for m in exc.messages]},
                      status=400)
    total = sum(count for _spec, count in groups)
    messages.success(request, ngettext("Imported %(count)s request.", "Imported %(count)s requests.", total)
                     % {"count": _grouped(total)})
    programmes = {spec.programme for spec, _count in groups}
    if len(programmes) == 1:
        spec = groups[0][0]
        return redirect(month_url(spec.programme, min(s.month for s, _count in groups)))
    return redirect("home")


def _preview_gone(request, key: str):
    """The preview is not there to confirm: imported already (409, with its entry, for the
    account that imported it), or expired, or never this account's."""
    imported = cache.get(_imported_key(key)) if len(key) < 100 else None
    if imported is None or imported[0] != request.user.pk:
        messages.error(request, _("This import was already done, or its preview has expired; nothing was imported "
                                  "now. Check the home page, and upload the file again if it is not there."))
        return redirect("requests_import")
    return _already_imported(request, imported[1])


def _already_imported(request, entry_pk: int):
    """409: the preview was confirmed before (another window, a second click); its entry,
    if it has not been undone since."""
    entry = Entry.objects.in_programmes(programmes_for(request.user)).filter(pk=entry_pk).first()
    return render(request, "intake/import_done.html", {"entry": entry}, status=409)


@login_required
@permission_required("intake.import_requests", raise_exception=True)
@require_GET
def import_template(request):
    """A CSV file with the format's header and one example row, to fill in."""
    programme = programmes_for(request.user).first()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="requests-template.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow([format_month(current_month()), programme.slug if programme else "programme", "legal", "new", "",
                     "", "1"])
    return response


def _grouped(n: int) -> str:
    """A count in a message as pages show numbers: 15,134 (15 134 in Russian)."""
    return number_format(n, force_grouping=True)


def _get_programme_for_user(request, slug: str) -> Programme:
    return get_object_or_404(programmes_for(request.user), slug=slug)


def month_url(programme: Programme, month, changed: Iterable[tuple[str, str]] = ()) -> str:
    """The month page of a programme, with the cells (category, status) an action just changed."""
    url = reverse("month_page", kwargs={"slug": programme.slug, "month": month})
    cells = sorted({f"{category}:{status}" for category, status in changed})
    return f"{url}?{urlencode({'changed': cells}, doseq=True)}" if cells else url
