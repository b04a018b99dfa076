"""{{ value|figure }}: a count or percentage of a report document as a page says it.

A partner or public document (reports/disclosure.py) holds "<10" for a count from 1 to 9
and "[c]" for a figure withheld so that no such count can be worked out from it: pages
say them in words ("fewer than 10", "withheld"), never as the marker. `figure_cell` is
the same in a table cell, where a withheld figure links to the footnote saying why.
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reports.disclosure import SUPPRESSED, WITHHELD
from reports.outputs import SEASONS, Chart

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


class MonthNames:
    """Month names as the date filter writes them ("F", "M", or "F Y"), each month's
    worked out once: a page of years of months asks for the same twelve names again and
    again, and each date filter looks its words up in the translations. One a page: the
    names are the active language's."""

    BY_MONTH = ("F", "M")  # formats that depend on the month alone, never the year

    def __init__(self):
        self._names: dict[tuple[int, str], str] = {}

    def __call__(self, month, format: str = "F Y") -> str:
        if format == "F Y":
            return f"{self(month, 'F')} {month.year:04d}"
        if format not in self.BY_MONTH:
            raise ValueError(f"MonthNames writes {', '.join(self.BY_MONTH)} or F Y, not {format!r}")
        key = (month.month, format)
        if key not in self._names:
            self._names[key] = date_filter(month, format)
        return self._names[key]


@register.simple_tag
def chart_bars(chart: Chart) -> SafeString:
    """The bars of reports.outputs.chart as SVG, each with its title and the labels that
    fit. Written here rather than in a template loop: the template language's lookups and
    filters, a dozen a bar, made the chart of three years of months a sixth of the report
    page's time."""
    names = MonthNames()
    return format_html_join("", "{}", ((_bar(chart, bar, names),) for bar in chart.bars))


def _bar(chart: Chart, bar, names: MonthNames) -> SafeString:
    kind = f" chart-bar-{bar.kind}" if bar.kind != "count" else ""
    current = " chart-bar-current" if bar.highlight else ""
    rect = format_html('<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar{}{}"><title>{}: {}</title></rect>',
                       str(bar.x), str(bar.y), str(bar.width), str(bar.height), kind, current,
                       names(bar.date), figure(bar.requests))
    value = format_html('<text x="{}" y="{}" dy="-6" class="chart-value{}">{}</text>', str(bar.label_x), str(bar.y),
                        " chart-value-current" if bar.highlight else "", bar.label) if bar.show_value else ""
    month = format_html('<text x="{}" y="{}" class="chart-month">{}</text>', str(bar.label_x), chart.month_y,
                        names(bar.date, "M")) if bar.show_month else ""
    year = format_html('<text x="{}" y="{}" class="chart-year">{}</text>', str(bar.x), chart.year_y,
                       f"{bar.date.year:04d}") if bar.show_year else ""
    return format_html("{}{}{}{}", rect, value, month, year)
