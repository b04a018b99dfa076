"""The public pages of the log: open to anyone, no login (they hold only published,
disclosure-controlled documents and the log's hashes). Text answers are one line
saying what is wrong when something is missing or asked for wrongly."""

import json

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from intake.models import Programme
from intake.months import month_in_sentence, parse_month
from reports.disclosure import NotPublishable
from reports.publication import served_publication
from reports.views import PROFILE_NAMES, UnknownProfile, _get_ready_report, _profile

from .models import Checkpoint, LogEntry, SigningKey
from .services import consistency as consistency_proof
from .services import current_key, inclusion
from .signing import file_name, signature_of

CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "txt": "text/plain; charset=utf-8"}


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)


@require_GET
def publication_list(request):
    entries = []
    for entry in LogEntry.objects.select_related("key").defer("content").order_by("-index"):
        try:
            comment = json.loads(entry.trusted_comment)
        except ValueError:
            comment = {}
        entries.append({"entry": entry, "comment": comment if isinstance(comment, dict) else {}})
    _name_documents(entries)
    return render(request, "publications/publication_list.html", {
        "entries": entries, "checkpoint": Checkpoint.objects.order_by("-size").first(),
        "keys": SigningKey.objects.order_by("-pk")})


def _name_documents(entries: list[dict]) -> None:
    """Each document's programme, month and kind of figures as a reader says them, in the
    page's language, from its trusted comment's codes (kept as they are when unknown);
    the programmes in one query."""
    slugs = {item["comment"].get("scope") for item in entries}
    names = {p.slug: p.localized("name") for p in Programme.objects.filter(slug__in=[s for s in slugs if isinstance(s, str)])}
    for item in entries:
        comment = item["comment"]
        scope, month, profile = comment.get("scope"), comment.get("month"), comment.get("profile")
        try:
            month_text = month_in_sentence(parse_month(str(month)))
        except ValueError:
            month_text = month
        item["names"] = {"scope": names.get(scope, scope), "month": month_text,
                         "profile": PROFILE_NAMES.get(profile, profile) if isinstance(profile, str) else profile}


@require_GET
def key_pub(request):
    key = current_key()
    if key is None:
        return _text(_("There is no publication key yet: nothing has been published.") + "\n", 404)
    return _text(key.file_text)


@require_GET
def key_by_id(request, key_id: str):
    return _text(get_object_or_404(SigningKey, key_id=key_id).file_text)


@require_GET
def checkpoint(request):
    latest = Checkpoint.objects.order_by("-size").first()
    if latest is None:
        return _text(_("The log has no checkpoint yet: nothing has been published.") + "\n", 404)
    return _text(latest.note)


def _problem(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_GET
def proof(request, index: int):
    size = request.GET.get("size")
    if size is not None and not size.isdigit():
        return _problem(_("size must be a whole number: the tree size of your checkpoint."), 400)
    try:
        return JsonResponse(inclusion(index, int(size) if size else None))
    except LookupError as exc:
        return _problem(str(exc), 404)


@require_GET
def consistency(request, old: int, new: int):
    try:
        return JsonResponse(consistency_proof(old, new))
    except LookupError as exc:
        return _problem(str(exc), 404)


def _entry(index: int, name: str) -> LogEntry:
    entry = LogEntry.objects.filter(index=index, name=name).first()
    if entry is None:
        raise Http404(_("The log has no such entry."))
    return entry


@require_GET
def entry_file(request, index: int, name: str):
    entry = _entry(index, name)
    response = HttpResponse(bytes(entry.content),
                            content_type=CONTENT_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def entry_signature(request, index: int, name: str):
    entry = _entry(index, name)
    response = _text(entry.signature)
    response["Content-Disposition"] = f'attachment; filename="{name}.minisig"'
    return response


@require_GET
def entry_co_signature(request, index: int, name: str):
    entry = _entry(index, name)
    if not entry.co_signature:
        raise Http404(_("This entry has no co-signature."))
    response = _text(entry.co_signature)
    response["Content-Disposition"] = f'attachment; filename="{name}.new.minisig"'
    return response




@login_required
@permission_required("reports.export_report", raise_exception=True)
@require_GET
def export_signature(request, scope: str, month, version: int, kind: str):
    """The signature of a report's partner or public JSON or CSV export, at the export's
    URL with .minisig appended (same ?profile=; the reader's language picks the file as
    the export does): the text stored when it was published, never made per request."""
    report = _get_ready_report(scope, month, version)
    try:
        profile = _profile(request)
    except UnknownProfile as exc:
        return _text(f"{exc}\n", 400)
    if profile == "internal":
        return _text(_("Internal figures are never published, so they are not signed: ask for ?profile=partner or "
                       "?profile=public.") + "\n", 404)
    try:
        publication = served_publication(report, profile, files=True)
    except NotPublishable as exc:
        return _text(_("This file is not published, so it has no signature: %(reason)s") % {"reason": exc} + "\n",
                     404)
    signed = signature_of(publication, kind, get_language())
    if signed is None:
        return _text(_("This file was published before publications were signed: it has no signature.") + "\n", 404)
    response = _text(signed.entry.signature)
    response["Content-Disposition"] = f'attachment; filename="{file_name(publication, kind)}.minisig"'
    return response
