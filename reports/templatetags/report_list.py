"""{% report_rows page %} and {% state_badge report %}: the reports list's rows, and the
coloured state of a report (the list and the report page).

The rows are written here rather than in a template loop: 50 rows of lookups, filters, an
include and a plural through the template language were half the time of the list page,
which staff and auditors open as often as the report pages (issue 24)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.models import Report
from reports.templatetags.published import MonthNames

register = template.Library()

BADGES = {Report.State.READY: "success", Report.State.FAILED: "danger"}  # any other state: waiting


@register.simple_tag
def state_badge(report: Report) -> SafeString:
    return _badge(report.state, report.get_state_display())


def _badge(state: str, word: str) -> SafeString:
    return format_html('<span class="badge text-bg-{}">{}</span>', BADGES.get(state, "warning"), word)


@register.simple_tag
def report_rows(page) -> SafeString:
    """A row for each scope and month of a page of _reports_page: the latest version,
    linked, and the earlier ones folded under it. The page's month names and state words
    are each worked out once: 50 rows, but a dozen months and four states."""
    names, states = MonthNames(), {state: str(label) for state, label in Report.State.choices}
    return format_html_join("", "{}", ((_row(versions, names, states),) for versions in page.versions))


def _row(versions: list[Report], names: MonthNames, states: dict[str, str]) -> SafeString:
    report, earlier = versions[0], versions[1:]
    scope = report.programme.localized("name") if report.programme else _("All programmes")
    folded = format_html(
        '<details class="small"><summary>{}</summary><ul class="list-unstyled mb-0">{}</ul></details>',
        ngettext("%(n)s earlier version", "%(n)s earlier versions", len(earlier)) % {"n": len(earlier)},
        format_html_join("", '<li><a href="{}">{}</a> · {}</li>', (
            (older.get_absolute_url(), _("version %(version)s") % {"version": older.version},
             states[older.state].lower()) for older in earlier)),
    ) if earlier else ""
    return format_html('<tr><td><a href="{}">{}</a></td><td>{}</td><td>{} {}</td><td>{}</td></tr>',
                       report.get_absolute_url(), scope, names(report.month), report.version, folded,
                       _badge(report.state, states[report.state]))
