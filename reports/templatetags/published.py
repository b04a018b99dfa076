"""{{ value|figure }}: a count or percentage of a report document as a page says it.

A partner or public document (reports/disclosure.py) holds "<10" for a count from 1 to 9
and "[c]" for a figure withheld so that no such count can be worked out from it: pages
say them in words ("fewer than 10", "withheld"), never as the marker. `figure_cell` is
the same in a table cell, where a withheld figure links to the footnote saying why.
"""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from reports.disclosure import SUPPRESSED, WITHHELD
from reports.outputs import SEASONS

register = template.Library()


@register.filter
def figure(value) -> str:
    if value is None:
        return "—"
    if value == SUPPRESSED:
        return _("fewer than 10")
    if value == WITHHELD:
        return _("withheld")
    if isinstance(value, float):
        return number_format(value, 1, force_grouping=True)
    if isinstance(value, int) and not isinstance(value, bool):
        return number_format(value, force_grouping=True)
    return str(SEASONS.get(value, value)) if isinstance(value, str) else str(value)


@register.filter
def figure_cell(value) -> str:
    if value == WITHHELD:
        return format_html('{}<a class="footnote-ref" href="#note-withheld" aria-label="{}">*</a>', _("withheld"),
                           _("Why a figure is withheld"))
    return figure(value)
