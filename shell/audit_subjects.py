"""What an audit event concerned, in words of the reader's language: the log keeps its
subjects as the services wrote them (short names, months as YYYY-MM, codes, in English),
and the audit log page and its exports say them with programme names, months in words,
statuses and kinds by their names, and numbers grouped ("15 134" on a Russian page).

A subject in a form this module does not know (an older entry, a new action) is shown
as it is stored: nothing is ever hidden from an auditor."""

import re
from functools import cached_property

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from intake.models import Programme, Status
from intake.months import month_in_sentence, parse_month
from reports.views import PROFILE_NAMES

from .pages import PAGE_NAMES

# The last words of a report exported or verified ("desertion-help 2023-11 v1 csv public").
REPORT_KINDS = {
    "json": "JSON",
    "csv": "CSV",
    "xlsx": "Excel",
    "print": gettext_lazy("printable page"),
    "data": gettext_lazy("checked against the data"),
    "file": gettext_lazy("checked against a JSON file"),
}
# What the filters of an exported audit log are called ("month 2023-11, action login").
FILTER_NAMES = {"month": gettext_lazy("month"), "action": gettext_lazy("action"), "account": gettext_lazy("account")}

_REPORT = re.compile(r"(?P<scope>[-\w]+) (?P<month>\d{4}-\d{2}) v(?P<version>\d+)(?: (?P<rest>.*))?")
_MONTH_OF = re.compile(r"(?P<scope>[-\w]+) (?P<month>\d{4}-\d{2})(?: (?P<rest>.*))?")
_COUNTED = re.compile(r"(?P<scope>[-\w]+), (?P<count>\d+)")
_COLLAPSED = re.compile(r"(?P<scope>[-\w]+) (?P<month>\d{4}-\d{2}), (?P<count>\d+)")
_DAYS = re.compile(r"(\d+) d")


def programme_names() -> dict[str, str]:
    """Every programme's name in the active language, by its short name (one query)."""
    return {programme.slug: programme.localized("name") for programme in Programme.objects.all()}


class Subjects:
    """Says the subjects of many events with one query for the programmes' names, at most."""

    @cached_property
    def names(self) -> dict[str, str]:
        # Read when a subject first names a programme: many pages of the log name none.
        return programme_names()

    def __call__(self, action: str, subject: str, *, action_names: dict[str, str] | None = None) -> str:
        try:
            said = self._said(action, subject, action_names or {})
        except (ValueError, KeyError):
            said = None
        return subject if said is None else said

    def _scope(self, slug: str) -> str:
        return str(_("All programmes")) if slug == "all" else self.names.get(slug, slug)

    def _month(self, value: str) -> str:
        # Always after a programme's name or a filter's: mid-phrase ("Help, ноябрь 2023 г.").
        return month_in_sentence(parse_month(value))

    def _requests(self, count: str) -> str:
        n = int(count)
        return ngettext("%(count)s request", "%(count)s requests", n) % {"count": number_format(n, force_grouping=True)}

    def _said(self, action: str, subject: str, action_names: dict[str, str]) -> str | None:
        if action == "access_refused":
            return str(PAGE_NAMES.get(subject, subject))
        if action in ("requests_logged", "entry_undone", "requests_moved") and (found := _COUNTED.fullmatch(subject)):
            return f"{self._scope(found['scope'])}, {self._requests(found['count'])}"
        if action == "request_changed" and (found := re.fullmatch(r"([-\w]+), (\w+)", subject)):
            return f"{self._scope(found[1])}, {Status(found[2]).label}"
        if action == "requests_imported" and (found := re.fullmatch(r"(\d+)( \(command line\))?", subject)):
            said = self._requests(found[1])
            return f"{said} ({_('command line')})" if found[2] else said
        if action == "month_collapsed" and (found := _COLLAPSED.fullmatch(subject)):
            return f"{self._scope(found['scope'])}, {self._month(found['month'])}, {self._requests(found['count'])}"
        if action == "membership_changed" and ": " in subject:
            slug, _colon, change = subject.partition(": ")
            return f"{self._scope(slug)}: {change}"
        if action.startswith("report_") and (found := _REPORT.fullmatch(subject)):
            return self._report(found)
        if action.startswith(("month_", "unlock_")) and (found := _MONTH_OF.fullmatch(subject)):
            return self._month_review(action, found)
        if action == "audit_log_exported":
            return self._filters(subject, action_names)
        if action == "api_token_issued" and (found := re.fullmatch(r"(\S+) (\w+)", subject)):
            return f"{found[1]}, {PROFILE_NAMES[found[2]]}"
        if action == "login_failed" and subject == "second factor":
            return str(_("the second factor's code"))
        return None

    def _report(self, found: re.Match) -> str:
        said = [self._scope(found["scope"]), self._month(found["month"]),
                _("version %(version)s") % {"version": found["version"]}]
        for word in (found["rest"] or "").split():
            said.append(str(REPORT_KINDS[word] if word in REPORT_KINDS else PROFILE_NAMES[word]))
        return ", ".join(said)

    def _month_review(self, action: str, found: re.Match) -> str:
        said = f"{self._scope(found['scope'])}, {self._month(found['month'])}"
        rest = found["rest"] or ""
        if version := re.fullmatch(r"v(\d+)", rest):
            return f"{said}, " + _("version %(version)s") % {"version": version[1]}
        if days := _DAYS.fullmatch(rest):
            n = int(days[1])
            return f"{said}, " + ngettext("for %(days)s day", "for %(days)s days", n) % {"days": n}
        return f"{said}: {rest}" if rest else said  # a reason, as its author wrote it

    def _filters(self, subject: str, action_names: dict[str, str]) -> str:
        if subject == "all":
            return str(_("the whole log"))
        said = []
        for part in subject.split(", "):
            name, _space, value = part.partition(" ")
            if name == "month":
                value = self._month(value)
            elif name == "action":
                value = str(action_names.get(value, value))
            said.append(f"{FILTER_NAMES[name]} {value}")
        return ", ".join(said)
