"""The month page: a programme's month as a grid of category × status, and one form to
add requests to it, every row and every status a coordinator logs, saved with one
button as one entry (all rows or none). A locked month's page only shows the grid,
says why it is locked and what can be done."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from .counts import month_grid
from .forms import CountField, MonthPickForm, apply_errors
from .models import Category, HelpRequest, MonthLocked, MonthLocks, Outcome, Programme, Status
from .months import add_months, current_month, format_month, month_in_sentence, parse_month
from .services import RequestSpec, count_allowed, max_count_text, requests_log_groups
from .views import _get_programme_for_user, month_url

OUTCOME_COLUMN = "outcome"
# Column headings of the grid's form, after the category.
FORM_COLUMNS = [*(label for _value, label in Status.choices), gettext_lazy("Outcome of the closed")]


class GridForm(forms.Form):
    """How many requests of each category and status to add to a month; closed ones are
    closed in that month, with the outcome chosen on their row. Fields are named
    `<category>-<status>` and `<category>-outcome`, in the order a keyboard goes
    through them: row by row, left to right."""

    def __init__(self, *args, programme: Programme, month: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme, self.month = programme, month
        for category, category_label in Category.choices:
            for status, status_label in Status.choices:
                self.fields[f"{category}-{status}"] = CountField(
                    required=False, label=f"{category_label}, {str(status_label).lower()}")
            self.fields[f"{category}-{OUTCOME_COLUMN}"] = forms.ChoiceField(
                required=False, label=_("%(category)s, outcome of the closed") % {"category": category_label},
                choices=[("", _("Choose…")), *Outcome.choices])
        for field in self.fields.values():
            field.widget.attrs.update({"class": "form-control form-control-sm"})
            if isinstance(field, forms.ChoiceField):
                field.widget.attrs["class"] = "form-select form-select-sm"

    def rows(self) -> list[tuple[str, list]]:
        """(category label, its bound fields, statuses then outcome) for each row."""
        return [(label, [self[f"{category}-{column}"] for column in (*Status.values, OUTCOME_COLUMN)])
                for category, label in Category.choices]

    def clean(self):
        cleaned = super().clean()
        for category in Category.values:
            for status in Status.values:
                count = cleaned.get(f"{category}-{status}")
                if count and not count_allowed(count):
                    self.add_error(f"{category}-{status}", _("Enter a count from 1 to %(max)s.")
                                   % {"max": max_count_text()})
            closed, outcome = cleaned.get(f"{category}-{Status.CLOSED}"), cleaned.get(f"{category}-{OUTCOME_COLUMN}")
            if closed and not outcome:
                self.add_error(f"{category}-{OUTCOME_COLUMN}", _("Choose the outcome of the closed requests."))
            elif outcome and not closed:
                self.add_error(f"{category}-{Status.CLOSED}", _("Enter how many requests were closed with this "
                                                                "outcome, or choose no outcome."))
        if not self.errors and not self.groups():
            raise ValidationError(_("Type how many requests to add in at least one box, then save."))
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"
        return cleaned

    def groups(self) -> list[tuple[RequestSpec, int]]:
        data = self.cleaned_data
        groups = []
        for category in Category.values:
            for status in Status.values:
                count = data.get(f"{category}-{status}")
                if count:
                    closed = status == Status.CLOSED
                    groups.append((RequestSpec(
                        programme=self.programme, month=self.month, category=category, status=status,
                        outcome=data.get(f"{category}-{OUTCOME_COLUMN}", "") if closed else "",
                        closed_month=self.month if closed else None), count))
        return groups


@login_required
@permission_required("intake.view_helprequest", raise_exception=True)
@require_GET
def month_pick(request, slug: str):
    """The month picker's answer: the month page asked for, or this month's; a month
    refused is said on the page the person was on (?shown=, the picker's hidden field),
    with what they typed."""
    programme = _get_programme_for_user(request, slug)
    form = MonthPickForm(request.GET or None)
    if form.is_valid():
        return redirect(month_url(programme, form.cleaned_data["month"]))
    if request.GET:
        return _render_month(request, programme, _shown_month(programme, request.GET.get("shown")), form, status=400)
    return redirect(month_url(programme, current_month()))


def _shown_month(programme: Programme, value: str | None) -> dt.date:
    """The month of the page the picker was sent from, if it is one of the programme's
    months so far; this month's otherwise."""
    try:
        month = parse_month(value or "")
    except ValueError:
        return current_month()
    return month if programme.first_month <= month <= current_month() else current_month()


@login_required
@permission_required("intake.view_helprequest", raise_exception=True)
@transaction.atomic
def month_page(request, slug: str, month):
    """GET: the grid; POST: save the grid's form (one entry), or show it again with the
    numbers typed and the errors, naming the row."""
    programme = _get_programme_for_user(request, slug)
    if month > current_month():
        raise Http404("A month still to come has no requests.")
    pick_form = MonthPickForm(initial={"month": month})
    if request.method != "POST":
        return _render_month(request, programme, month, pick_form)
    if not request.user.has_perm("intake.add_helprequest"):
        raise PermissionDenied
    form = GridForm(request.POST, programme=programme, month=month)
    if form.is_valid():
        groups = form.groups()
        try:
            entry = requests_log_groups(groups, author=request.user)
        except ValidationError as exc:  # the month was locked after the page was shown
            apply_errors(form, exc)
        else:
            messages.success(request, ngettext("Saved: %(count)s request received in %(month)s added.",
                                               "Saved: %(count)s requests received in %(month)s added.", entry.size)
                             % {"count": entry.size, "month": month_in_sentence(month, "prepositional")})
            return redirect(month_url(programme, month, [(spec.category, spec.status) for spec, _n in groups]))
    return _render_month(request, programme, month, pick_form, grid_form=form, status=400)


def _grid_cells(row, changed: set[str]) -> list[tuple]:
    """A grid row's cell of each status: the status, its label, the count, whether an
    action just changed it, whether its requests can be moved on (as the model's
    workflow says), and for closed requests their outcomes."""
    outcomes = [(Outcome(o).label, n) for o, n in row.outcomes.items() if n]
    return [(status, Status(status).label, row.statuses[status], f"{row.category}:{status}" in changed,
             HelpRequest.moves_on_from(status), outcomes if status == Status.CLOSED else [])
            for status in Status.values]


def month_lock(programme: Programme, month: dt.date) -> MonthLocked | None:
    """Why requests cannot be added to the month now (it is locked, or a later month
    whose figures count it is), or None: the writers' own check, made for one request."""
    try:
        MonthLocks().refuse({RequestSpec(programme=programme, month=month, category=Category.OTHER).cell(): 1})
    except MonthLocked as exc:
        return exc
    return None


def _render_month(request, programme, month, pick_form, grid_form=None, status: int = 200):
    changed = set(request.GET.getlist("changed"))
    grid = month_grid(programme=programme, month=month)
    this_month = current_month()
    locked = month_lock(programme, month)
    if grid_form is None and not locked and request.user.has_perm("intake.add_helprequest"):
        grid_form = GridForm(programme=programme, month=month)
    return render(request, "intake/month.html", {
        "programme": programme, "grid": grid, "pick_form": pick_form, "changed": changed,
        "cells": [(row, _grid_cells(row, changed)) for row in grid.rows],
        "next_month": add_months(month, 1) if month < this_month else None,
        "previous_month": grid.previous if month > programme.first_month else None,
        "status_labels": Status.choices, "pick_value": request.GET.get("month", format_month(month)),
        "grid_form": grid_form, "form_columns": FORM_COLUMNS, "locked": locked,
    }, status=status)

