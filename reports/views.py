"""Report pages and exports, and the reference figures. Every change, and its audit
event, is made by a service (reports/services.py); views read, call one and render."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from intake import demo
from intake.forms import submitted
from intake.models import Category, Outcome, Programme

from .forms import GenerateReportForm, ReferenceFigureForm
from .models import ReferenceFigure, Report
from .narrative import narrative
from .outputs import CHART_HEIGHT, CHART_WIDTH, chart_bars, compare, to_csv
from .review import report_finality
from .services import (
    ReportError,
    reference_figure_delete,
    reference_figure_save,
    report_check_data,
    report_data_unchanged,
    report_export_record,
    report_request,
)

REPORTS_PER_PAGE = 50


def _get_report(scope: str, month: dt.date, version: int | None) -> Report:
    """The report of a scope ("all" or a programme's slug) and month: the given
    version, or the latest one."""
    programme = None if scope == "all" else get_object_or_404(Programme, slug=scope)
    reports = Report.objects.for_scope(programme).filter(month=month).select_related("programme")
    if version is not None:
        report = reports.filter(version=version).first()
    else:
        report = reports.order_by("-version").first()
    if report is None:
        raise Http404("No such report.")
    return report


def _labelled(counts: dict[str, int], labels) -> list[tuple[str, int]]:
    """Breakdown counts with the human label of each code, in the order stored."""
    names = dict(labels.choices) if hasattr(labels, "choices") else labels
    return [(names.get(code, code), n) for code, n in counts.items()]


def _get_ready_report(scope: str, month: dt.date, version: int) -> Report:
    report = _get_report(scope, month, version)
    if report.state != Report.State.READY:
        raise Http404("This report is not ready.")
    return report


def _reports_page(number):
    """A page of every report, newest month first (the model's ordering)."""
    return Paginator(Report.objects.select_related("programme"), REPORTS_PER_PAGE).get_page(number)


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


def _report_context(request, report: Report) -> dict:
    context = {
        "report": report,
        "versions": Report.objects.for_scope(report.programme).filter(month=report.month)
        .select_related("programme").order_by("-version"),
        "can_generate": request.user.has_perm("reports.generate_report"),
    }
    if report.state != Report.State.READY:
        return context
    figures = report.document
    context.update(
        figures=figures,
        sentences=narrative(figures, get_language()),
        data_unchanged=report_data_unchanged(report),
        bars=chart_bars(figures),
        chart_width=CHART_WIDTH,
        chart_height=CHART_HEIGHT,
        by_category=_labelled(figures["by_category"], Category),
        by_status=_labelled(figures["by_status_end_of_month"], {"open": _("Open"), "closed": _("Closed")}),
        outcomes=_labelled(figures["outcomes_closed_in_month"], Outcome),
    )
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
    return render(request, "reports/report_detail.html", _report_context(request, report))


@login_required
@permission_required("reports.view_report", raise_exception=True)
@require_POST
def report_check(request, scope: str, month: dt.date, version: int):
    """Recompute the fingerprint of the data under a report, on request: the page
    itself only compares a stamp, which a change undone since also moves."""
    report = _get_ready_report(scope, month, version)
    if report_check_data(report):
        messages.success(request, _("Checked: the data under this report is unchanged since it was made."))
    else:
        messages.warning(request, _("Checked: the data under this report has changed since it was made; "
                                    "regenerating it would give different figures."))
    return redirect(report)


@login_required
@permission_required("reports.export_report", raise_exception=True)
@require_GET
def report_print(request, scope: str, month: dt.date, version: int):
    report = _get_ready_report(scope, month, version)
    report_export_record(report=report, actor=request.user, kind="print")
    return render(request, "reports/report_print.html", _report_context(request, report))


@login_required
@permission_required("reports.view_report", raise_exception=True)
@require_GET
def report_compare(request, scope: str, month: dt.date, version: int, other: int):
    report, earlier = _get_ready_report(scope, month, version), _get_ready_report(scope, month, other)
    return render(request, "reports/report_compare.html", {
        "report": report, "earlier": earlier, "differences": compare(earlier.document, report.document),
    })


@login_required
@permission_required("reports.export_report", raise_exception=True)
@require_GET
def report_json(request, scope: str, month: dt.date, version: int):
    report = _get_ready_report(scope, month, version)
    report_export_record(report=report, actor=request.user, kind="json")
    response = JsonResponse(report.document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{report.file_name}.json"'
    return response


@login_required
@permission_required("reports.export_report", raise_exception=True)
@require_GET
def report_csv(request, scope: str, month: dt.date, version: int):
    report = _get_ready_report(scope, month, version)
    report_export_record(report=report, actor=request.user, kind="csv")
    response = HttpResponse(to_csv(report.document), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.file_name}.csv"'
    return response



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
