"""Report pages and exports, and the reference figures. Every change, and its audit
event, is made by a service (reports/services.py); views read, call one and render."""

import datetime as dt
from collections import defaultdict
from itertools import groupby

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from intake import demo
from intake.forms import submitted
from intake.models import Category, Outcome, Programme
from intake.spreadsheets import XLSX_CONTENT_TYPE

from .disclosure import PROFILES, SUPPRESSED, WITHHELD, NotPublishable, published_document
from .finality import report_finality
from .forms import ExportVerifyForm, GenerateReportForm, ReferenceFigureForm
from .models import ReferenceFigure, Report
from .narrative import chart_title, key_figures, narrative, period
from .outputs import CALENDAR, PROFILE_NAMES, SEASONS, Compared, by_year, chart, comparison, monthly, to_csv, to_xlsx
from .publication import served_publication
from .services import (
    ReportError,
    reference_figure_delete,
    reference_figure_save,
    report_data_unchanged,
    report_export_record,
    report_request,
    report_verify_record,
)
from .verification import report_check_data
from .withheld import with_words

REPORTS_PER_PAGE = 50


class ReportNotFound(Http404):
    """No such report: the 404 page then names the versions that do exist, if any."""

    def __init__(self, versions: list[Report]):
        super().__init__("No such report.")
        self.versions = versions


def _get_report(scope: str, month: dt.date, version: int | None, *, with_basis: bool = False) -> Report:
    """The report of a scope ("all" or a programme's slug) and month: the given
    version, or the latest one (with the counts it kept, for verifying it)."""
    programme = None if scope == "all" else Programme.objects.filter(slug=scope).first()
    if scope != "all" and programme is None:
        raise ReportNotFound([])
    # Never the counts a version was made from (Report.basis): no page shows them.
    reports = Report.objects.for_scope(programme).filter(month=month).select_related("programme")
    if with_basis:
        reports = reports.with_basis()
    if version is not None:
        report = reports.filter(version=version).first()
    else:
        report = reports.order_by("-version").first()
    if report is None:
        raise ReportNotFound(list(reports.listed().order_by("version")))
    return report


def _labelled(counts: dict[str, int], labels) -> list[tuple[str, int]]:
    """Breakdown counts with the human label of each code, in the order stored."""
    names = dict(labels.choices) if hasattr(labels, "choices") else labels
    return [(names.get(code, code), n) for code, n in counts.items()]


def _get_ready_report(scope: str, month: dt.date, version: int, *, with_basis: bool = False) -> Report:
    report = _get_report(scope, month, version, with_basis=with_basis)
    if report.state != Report.State.READY:
        raise Http404("This report is not ready.")
    return report


def _reports_page(number):
    """A page of reports, one per scope and month, newest month first, each as the list
    of its versions, the latest first (in three queries, however many versions)."""
    reports = Report.objects.values("programme", "month").annotate(latest=Max("version"))
    page = Paginator(reports.order_by("-month", "programme__name"), REPORTS_PER_PAGE).get_page(number)
    versions = defaultdict(list)
    on_page = Report.objects.filter(month__in={row["month"] for row in page.object_list})
    # Only what a row shows: loading whole reports (their window, failure, times) took
    # most of the page's queries' time.
    shown = on_page.select_related("programme").only(
        "programme__slug", "programme__name", "programme__name_ru", "month", "version", "state")
    for report in shown.order_by("-version"):
        versions[(report.programme_id, report.month)].append(report)
    page.versions = [versions[(row["programme"], row["month"])] for row in page.object_list]
    return page


@login_required
@permission_required("reports.view_report", raise_exception=True)
@require_GET
def report_list(request):
    form = GenerateReportForm() if request.user.has_perm("reports.generate_report") else None
    return render(request, "reports/report_list.html", {"page": _reports_page(request.GET.get("page")), "form": form})


@login_required
@permission_required("reports.generate_report", raise_exception=True)
@require_POST
def report_request_view(request):
    form = GenerateReportForm(request.POST)
    if form.is_valid():
        try:
            report = report_request(
                programme=form.cleaned_data["programme"], month=form.cleaned_data["month"], requested_by=request.user
            )
        except ReportError as exc:  # a month that cannot be reported
            form.add_error("month", str(exc))
        else:
            return redirect(report)
    return render(request, "reports/report_list.html", {"page": _reports_page(1), "form": form}, status=400)




class UnknownProfile(ValueError):
    """A ?profile= the app does not know, with a message naming the ones it does."""


def _profile(request) -> str:
    """The profile asked for with ?profile=: internal unless one is named."""
    profile = request.GET.get("profile", "internal")
    if profile not in PROFILES:
        raise UnknownProfile(_("There is no profile \u201c%(profile)s\u201d: choose internal, partner or public.")
                             % {"profile": profile[:40]})
    return profile


def _review_url(report: Report) -> str:
    """Where the month of a report is signed off: its review page, or the queue for all programmes."""
    if report.programme_id:
        return reverse("review_month", args=[report.programme.slug, report.month])
    return reverse("review_queue")


def _refused(request, report: Report, exc: Exception, status: int, *, as_json: bool = False):
    """The answer to a profile that cannot be shown: unknown (400) or a month not accepted (409)."""
    message = str(exc)
    review = _review_url(report) if isinstance(exc, NotPublishable) else None
    if as_json:
        body = {"error": message} | ({"review": review} if review else {})
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, "reports/profile_refused.html", {"report": report, "message": message, "review": review},
                  status=status)


def _walk(value):
    if isinstance(value, dict):
        for inner in value.values():
            yield from _walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk(inner)
    else:
        yield value


def report_outputs(document: dict, language: str) -> dict:
    """What a page shows of a document (as published_document gives it): the sentences,
    key figures, chart and tables, in `language`, and which notes on suppressed and
    withheld figures it needs. Pure: the same document gives the same page."""
    values = list(_walk(document))
    profile = document.get("profile", "internal")
    return {
        "document": document,
        "profile": profile,
        "profile_name": PROFILE_NAMES.get(profile, profile),
        "has_suppressed": SUPPRESSED in values,
        "has_withheld": WITHHELD in values,
        "sentences": narrative(document, language),
        "key_figures": key_figures(document, language),
        "chart_title": chart_title(document, language),
        "months": monthly(document),
        "years": by_year(document),
        "calendar": CALENDAR,
        "chart": chart(document),
        "by_category": _labelled(document["by_category"], Category),
        "by_status": _labelled(document["by_status_end_of_month"], {"open": _("Open"), "closed": _("Closed")}),
        "outcomes": _labelled(document["outcomes_closed_in_month"], Outcome),
    }


def _versions(report: Report) -> list[Report]:
    """Every version of a report's scope and month, the latest first."""
    return list(Report.objects.for_scope(report.programme).filter(month=report.month).listed()
                .select_related("programme").order_by("-version"))


def shown_document(report: Report, profile: str) -> dict:
    """The document a page or export of `report` shows in `profile`: the report's own for
    internal; for partner and public, the one published at acceptance, as stored, with
    the words of its reasons in the active language (NotPublishable, saying why, if
    this version was not published)."""
    if profile == "internal":
        return published_document(report, "internal")
    return with_words(served_publication(report, profile).document)


def _report_context(request, report: Report, profile: str = "internal") -> dict:
    """The page of a report as `profile` shows it (NotPublishable for a partner or
    public profile of a month not accepted)."""
    context = {
        "report": report,
        "versions": _versions(report),
        "can_generate": request.user.has_perm("reports.generate_report"),
        "profile": profile,
        "profiles": [(name, PROFILE_NAMES[name]) for name in PROFILES],
        "profile_query": "" if profile == "internal" else f"?profile={profile}",
    }
    if report.state != Report.State.READY:
        return context
    context.update(report_outputs(shown_document(report, profile), get_language()))
    context["data_unchanged"] = report_data_unchanged(report)
    context["reference_figures"] = ReferenceFigure.objects.all()
    context["finality"] = report_finality(report)
    includes_demo = report.programme.is_demo if report.programme else Programme.objects.filter(is_demo=True).exists()
    if includes_demo:
        context["provenance"] = [
            (month, count, demo.PROVENANCE_LABELS[source]) for month, (count, source) in demo.MONTHS.items()
        ]
    return context


@login_required
@permission_required("reports.view_report", raise_exception=True)
@require_GET
def report_detail(request, scope: str, month: dt.date, version: int | None = None):
    report = _get_report(scope, month, version)
    try:
        context = _report_context(request, report, _profile(request))
    except UnknownProfile as exc:
        return _refused(request, report, exc, 400)
    except NotPublishable as exc:
        return _refused(request, report, exc, 409)
    return render(request, "reports/report_detail.html", context)


@login_required
@permission_required("reports.export_report", raise_exception=True)
@require_GET
def report_print(request, scope: str, month: dt.date, version: int):
    report = _get_ready_report(scope, month, version)
    try:
        profile = _profile(request)
        context = _report_context(request, report, profile)
    except UnknownProfile as exc:
        return _refused(request, report, exc, 400)
    except NotPublishable as exc:
        return _refused(request, report, exc, 409)
    report_export_record(report=report, actor=request.user, kind="print", profile=profile)
    return render(request, "reports/report_print.html", context)


@login_required
@permission_required("reports.view_report", raise_exception=True)
@require_GET
def report_compare(request, scope: str, month: dt.date, version: int, other: int):
    # The older version on the left, whichever way the address names them.
    earlier, report = sorted((_get_ready_report(scope, month, version), _get_ready_report(scope, month, other)),
                             key=lambda r: r.version)
    rows = [_shown_row(row, get_language()) for row in comparison(published_document(earlier, "internal"),
                                                                  published_document(report, "internal"))]
    # A section at a time, open where something changed, folded where nothing did.
    sections = [
        {"label": label, "rows": in_section, "changed": sum(row["compared"].changed for row in in_section)}
        for label, in_section in ((label, list(group)) for label, group in groupby(rows, lambda r: r["section"]))
    ]
    return render(request, "reports/report_compare.html", {
        "report": report, "earlier": earlier, "versions": _versions(report), "sections": sections,
        "changed": sum(section["changed"] for section in sections),
    })


def _shown(value) -> str:
    """A value of the document as the page shows it: numbers in the reader's format,
    seasons in words, a missing value as a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return number_format(value, 1, force_grouping=True)
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    return str(SEASONS.get(value, value))


def _shown_row(row: Compared, language: str) -> dict:
    difference = row.difference
    if not row.changed:
        said = ""
    elif difference is None:
        said = _("changed")
    else:
        said = ("+" if difference > 0 else "−" if difference < 0 else "") + _shown(abs(difference))
    return {"compared": row, "section": str(row.row.section), "period": period(row.row.month, language),
            "before": _shown(row.before),
            "after": _shown(row.after), "difference": said}


@login_required
@permission_required("reports.view_report", raise_exception=True)
@require_GET
def report_verify(request, scope: str, month: dt.date, version: int):
    """Recompute the report's fingerprint from the data as it stands, and say what
    changed. It only reads (one grouped count), hence a page, noted in the audit log."""
    report = _get_ready_report(scope, month, version, with_basis=True)
    check = report_check_data(report=report)
    report_verify_record(report=report, actor=request.user, kind="data")
    return render(request, "reports/report_verify.html", {"report": report, "check": check})


@login_required
@permission_required("reports.view_report", raise_exception=True)
def export_verify(request):
    """Check a report's JSON export, uploaded or pasted, against the stored version it names."""
    form = ExportVerifyForm(submitted(request), request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        check = form.cleaned_data["check"]
        report_verify_record(report=check.report, actor=request.user, kind="file")
        title = loader.render_to_string("reports/report_title.html", {"report": check.report}).strip()
        context.update(check=check, report_title=title)
    return render(request, "reports/export_verify.html", context, status=400 if form.errors else 200)


@login_required
@permission_required("reports.export_report", raise_exception=True)
@require_GET
def report_json(request, scope: str, month: dt.date, version: int):
    return _export(request, _get_ready_report(scope, month, version), kind="json")


@login_required
@permission_required("reports.export_report", raise_exception=True)
@require_GET
def report_csv(request, scope: str, month: dt.date, version: int):
    return _export(request, _get_ready_report(scope, month, version), kind="csv")


@login_required
@permission_required("reports.export_report", raise_exception=True)
@require_GET
def report_xlsx(request, scope: str, month: dt.date, version: int):
    return _export(request, _get_ready_report(scope, month, version), kind="xlsx")


def _export(request, report: Report, *, kind: str) -> HttpResponse:
    """The report's document in the profile asked for, as a JSON, CSV or Excel file to save,
    noted in the audit log; 400 for an unknown profile, 409 for figures not published."""
    as_json = kind == "json"
    try:
        profile = _profile(request)
        # Partner and public files are served as published, byte for byte (the Excel file is made from the document).
        publication = served_publication(report, profile, files=kind != "xlsx") if profile != "internal" else None
    except UnknownProfile as exc:
        return _refused(request, report, exc, 400, as_json=as_json)
    except NotPublishable as exc:
        return _refused(request, report, exc, 409, as_json=as_json)
    report_export_record(report=report, actor=request.user, kind=kind, profile=profile)
    if kind == "xlsx":
        document = publication.document if publication is not None else published_document(report, profile)
        scope_name = report.programme.localized("name") if report.programme else str(_("All programmes"))
        response = HttpResponse(to_xlsx(document, scope_name), content_type=XLSX_CONTENT_TYPE)
    elif publication is not None:
        response = HttpResponse(publication.text(kind, get_language()).encode(),
                                content_type="application/json" if as_json else "text/csv; charset=utf-8")
    elif as_json:
        response = JsonResponse(published_document(report, profile), json_dumps_params={"ensure_ascii": False,
                                                                                         "indent": 2})
    else:
        response = HttpResponse(to_csv(published_document(report, profile)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(report, profile)}.{kind}"'
    return response


def _file_name(report: Report, profile: str) -> str:
    """report-desertion-help-2023-11-v1, and -public or -partner after it for those profiles."""
    return report.file_name if profile == "internal" else f"{report.file_name}-{profile}"


@login_required
@permission_required("reports.view_referencefigure", raise_exception=True)
@require_GET
def reference_list(request):
    return render(request, "reports/reference_list.html", {"reference_figures": ReferenceFigure.objects.all()})


@login_required
@permission_required(("reports.add_referencefigure", "reports.change_referencefigure"), raise_exception=True)
def reference_edit(request, pk: int | None = None):
    figure = get_object_or_404(ReferenceFigure, pk=pk) if pk is not None else None
    form = ReferenceFigureForm(submitted(request), instance=figure)
    if request.method == "POST" and form.is_valid():
        reference_figure_save(figure=form.instance, actor=request.user)
        return redirect("reference_list")
    title = _("Edit a reference figure") if figure else _("Add a reference figure")
    return render(request, "reports/reference_form.html", {"form": form, "figure": figure, "title": title},
                  status=400 if form.errors else 200)


@login_required
@permission_required("reports.delete_referencefigure", raise_exception=True)
@require_POST
def reference_delete(request, pk: int):
    reference_figure_delete(figure=get_object_or_404(ReferenceFigure, pk=pk), actor=request.user)
    return redirect("reference_list")
