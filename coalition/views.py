"""The coalition page and its exports, and the staff pages of peers. Every change is
made by a service (coalition/services.py); views read, call one and render."""

import csv
import datetime as dt
import io

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intake.months import add_months, current_month, format_month
from reports.models import ReferenceFigure

from .forms import PeerForm
from .models import Peer, PeerAttempt, PeerDocument
from .services import peer_add, peer_remove
from .sources import coalition_table

VIEW_PERMISSION = "coalition.view_peerdocument"


def _may_see(view):
    """Staff and auditors; anyone when settings.COALITION_PUBLIC."""

    def wrapped(request, *args, **kwargs):
        if not settings.COALITION_PUBLIC:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(VIEW_PERMISSION):
                raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_GET
@_may_see
def coalition_latest(request):
    """The latest month with a verified peer document, or last month."""
    latest = PeerDocument.objects.aggregate(latest=Max("month"))["latest"] or add_months(current_month(), -1)
    return redirect("coalition_page", month=latest)


def _peers_for_staff(request):
    if not request.user.has_perm("coalition.view_peer"):
        return None
    return Peer.objects.annotate(
        document_count=Count("documents", distinct=True),
        last_verified=Max("documents__fetched_month"),
        alarm_count=Count("attempts", filter=Q(attempts__kind__in=PeerAttempt.ALARMS), distinct=True),
    ).order_by("name")


@require_GET
@_may_see
def coalition_page(request, month: dt.date):
    table = coalition_table(month)
    return render(request, "coalition/page.html", {
        **table, "previous_month": add_months(month, -1), "next_month": add_months(month, 1),
        "peers": _peers_for_staff(request),
        "reference_figures": ReferenceFigure.objects.all(),
    })


def _source_fields(source) -> dict:
    return {"organisation": source.organisation, "own": source.own, "scope": source.scope,
            "version": source.version, "key_id": source.key_id, "log_index": source.log_index,
            "file": source.name, "signature": source.signature,
            "verified": "signed here" if source.own else f"verified, fetched {source.verified}"}


@require_GET
@_may_see
def coalition_json(request, month: dt.date):
    table = coalition_table(month)
    sources = table["sources"]
    document = {
        "month": format_month(month),
        "caveat": _("Counts of different organisations are never added up: the same person may ask several "
                    "organisations, and a count of requests measures an organisation's reach, not desertions."),
        "sources": [_source_fields(s) for s in sources],
        "months": [{"month": row.label, "requests": dict(zip(range(len(sources)), row.values)),
                    "combined": row.range.as_dict() if row.range else None} for row in table["rows"]],
        "window": {half.label: {"first": (table["window_span"].get(half.label) or {}).get("first"),
                                "last": (table["window_span"].get(half.label) or {}).get("last"),
                                "requests": dict(zip(range(len(sources)), half.values)),
                                "combined": half.range.as_dict() if half.range else None}
                   for half in table["windows"]},
    }
    for row in document["months"]:
        row["requests"] = [row["requests"][i] for i in range(len(sources))]
    for half in document["window"].values():
        half["requests"] = [half["requests"][i] for i in range(len(sources))]
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="coalition-{format_month(month)}.json"'
    return response


@require_GET
@_may_see
def coalition_csv(request, month: dt.date):
    table = coalition_table(month)
    sources = table["sources"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "row", *[f"{s.organisation} ({s.scope})" for s in sources],
                     "combined_at_least", "combined_at_most"])
    for label, values in (("key_id", [s.key_id for s in sources]), ("log_index", [s.log_index for s in sources]),
                          ("file", [s.name for s in sources]), ("version", [s.version for s in sources]),
                          ("signature", [s.signature.splitlines()[1] if s.signature.count("\n") > 1 else ""
                                         for s in sources]),
                          ("trusted_comment", [s.signature.splitlines()[2].removeprefix("trusted comment: ")
                                               if s.signature.count("\n") > 2 else "" for s in sources])):
        writer.writerow(["source", label, *values, "", ""])
    for section, rows in (("month", table["rows"]), ("window", table["windows"])):
        for row in rows:
            writer.writerow([section, row.label, *["" if v is None else v for v in row.values],
                             row.range.low if row.range else "",
                             "" if row.range is None or row.range.high is None else row.range.high])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coalition-{format_month(month)}.csv"'
    return response


@login_required
@permission_required("coalition.view_peer", raise_exception=True)
@require_GET
def peer_list(request):
    return render(request, "coalition/peer_list.html", {
        "peers": _peers_for_staff(request),
        "alarms": PeerAttempt.objects.select_related("peer")[:50],
    })


@login_required
@permission_required("coalition.add_peer", raise_exception=True)
def peer_new(request):
    form = PeerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        peer_add(name=form.cleaned_data["name"], key_text=form.cleaned_data["key"], url=form.cleaned_data["url"],
                 actor=request.user)
        return redirect("peer_list")
    return render(request, "coalition/peer_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@permission_required("coalition.delete_peer", raise_exception=True)
@require_POST
def peer_delete(request, pk: int):
    peer_remove(peer=get_object_or_404(Peer, pk=pk), actor=request.user)
    return redirect("peer_list")
