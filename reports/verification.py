"""Verification for auditors: is the data under a report still what it was made from,
and if not, what changed (`report_check_data`)? Does a JSON export match the stored
version it names, figure by figure (`export_check`, for the page and `verify_report`)?
A partner or public export is compared with the published document the app makes of
that version for its profile (reports/disclosure.py), fingerprint included.

Both sides are the canonical grouped counts of `document.fingerprint_basis`: the ones
the report kept when it was made (`Report.basis`), and the ones `intake.counts` gives
now. Counts only, so the comparison can say which months and categories changed, by
how much, and never anything about a single request.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from intake.counts import data_version, first_month, grouped_counts
from intake.models import Category, Outcome, Programme, Status
from intake.months import month_in_sentence, parse_month

from .disclosure import PROFILE_LABELS, PROFILES, NotPublishable, published_document
from .document import fingerprint_basis, fingerprint_of
from .models import Report
from .outputs import LABELS, FigureRow
from .publication import served_publication

_MONTH_NAME = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")  # a JSON number without an exponent

# (status, outcome, month closed) -> requests, within one month received and category
Mix = dict[tuple[str, str, str], int]


@dataclass(frozen=True)
class Detail:
    """How many requests of one status (and, closed, one outcome and month closed)
    there were, and are."""

    status: str
    outcome: str
    closed_month: str
    before: int
    now: int

    @property
    def status_label(self) -> str:
        return Status(self.status).label if self.status in Status.values else self.status

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label).lower() if self.outcome in Outcome.values else self.outcome


@dataclass(frozen=True)
class GroupChange:
    """The requests received in one month and category, then and now."""

    month: str
    category: str
    before: int
    now: int
    details: list[Detail]

    @property
    def difference(self) -> int:
        return self.now - self.before

    @property
    def signed_difference(self) -> str:
        """+3, −1 (a minus sign, not a hyphen) or 0."""
        if self.difference > 0:
            return f"+{self.difference}"
        return f"\u2212{-self.difference}" if self.difference else "0"

    @property
    def category_label(self) -> str:
        return Category(self.category).label if self.category in Category.values else self.category


@dataclass(frozen=True)
class DataCheck:
    report: Report
    fingerprint_now: str
    # None when the report was made before reports kept their counts: then only the
    # fingerprints can be compared.
    changes: list[GroupChange] | None
    first_before: str | None
    first_now: str

    @property
    def unchanged(self) -> bool:
        return self.fingerprint_now == self.report.fingerprint


def report_check_data(*, report: Report) -> DataCheck:
    """Recompute the ready `report`'s fingerprint from the data as it stands and, if
    the report kept its counts, list what changed since it was made. Data found
    unchanged gives the report the current data stamp, so that its page says so
    without checking again (a count logged and undone since moves the stamp only)."""
    # The stamp is read before the counts: a write in between leaves the report unsure.
    stamp = data_version(programme=report.programme, until=report.month)
    start = first_month(report.programme)
    now = fingerprint_basis(grouped_counts(programme=report.programme, until=report.month), first=start,
                            until=report.month)
    before = report.basis
    check = DataCheck(
        report=report,
        fingerprint_now=fingerprint_of(now),
        changes=basis_changes(before, now) if before is not None else None,
        first_before=before["first"] if before is not None else None,
        first_now=now["first"],
    )
    if check.unchanged:
        Report.objects.filter(pk=report.pk).update(data_version=stamp)
        report.data_version = stamp
    return check


def basis_changes(before: dict[str, Any], now: dict[str, Any]) -> list[GroupChange]:
    """The months and categories whose requests differ between two sets of grouped
    counts, in month order then category order, each with the statuses that changed."""
    old, new = _by_group(before["rows"]), _by_group(now["rows"])
    order = {code: i for i, code in enumerate(Category.values)}
    changes = []
    for month, category in sorted(old.keys() | new.keys(), key=lambda key: (key[0], order.get(key[1], 99), key[1])):
        was, is_ = old.get((month, category), {}), new.get((month, category), {})
        if was == is_:
            continue
        details = [
            Detail(*kind, before=was.get(kind, 0), now=is_.get(kind, 0))
            for kind in sorted(was.keys() | is_.keys(), key=_kind_order)
            if was.get(kind, 0) != is_.get(kind, 0)
        ]
        changes.append(GroupChange(month, category, sum(was.values()), sum(is_.values()), details))
    return changes


def _by_group(rows: list[list]) -> dict[tuple[str, str], Mix]:
    groups: dict[tuple[str, str], Mix] = {}
    for month, category, status, outcome, closed_month, n in rows:
        mix = groups.setdefault((month, category), {})
        mix[(status, outcome, closed_month)] = mix.get((status, outcome, closed_month), 0) + n
    return groups


def _kind_order(kind: tuple[str, str, str]) -> tuple:
    status, outcome, closed_month = kind
    statuses, outcomes = Status.values, Outcome.values
    return (
        statuses.index(status) if status in statuses else len(statuses),
        outcomes.index(outcome) if outcome in outcomes else len(outcomes),
        closed_month,
    )


# --- a JSON export against the stored version it names ------------------------------

# A report export is a few KB (a century of months is some 50 KB); the limit is well
# below the request size Django accepts (DATA_UPLOAD_MAX_MEMORY_SIZE), so a pasted text
# that is too large still gets this form's message.
MAX_EXPORT_BYTES = 512 * 1024
MISSING = None
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


class ExportRefused(ValueError):
    """A file that cannot be checked against a stored report, with the reason."""


@dataclass(frozen=True)
class FigureDifference:
    figure: str
    in_file: str | None  # None: the file does not have this figure
    stored: str | None  # None: the stored version does not have it

    @property
    def label(self) -> str:
        """The figure in words of the active language ("This month: Requests", "Requests
        by month: Requests, October 2023"); its dotted name when it is no figure the
        contract knows (a key the file added)."""
        name = self.figure.rstrip("\u2032")
        key, _dot, month = name.rpartition(".")
        if not (key in LABELS and _MONTH_NAME.fullmatch(month)):
            key, month = name, ""
        if key not in LABELS:
            return self.figure
        row = FigureRow(key, month, None)
        said = f"{row.section}: {row.label}"
        return f"{said}, {date_format(parse_month(month), 'F Y')}" if month else said

    @property
    def in_file_shown(self) -> str | None:
        return _number_shown(self.in_file)

    @property
    def stored_shown(self) -> str | None:
        return _number_shown(self.stored)


def _number_shown(value: str | None) -> str | None:
    """A figure's JSON as a reader of the page's language writes it: a number grouped
    and with its decimal mark ("15 134", "89,2" on a Russian page), every digit kept, so
    that 175.0 still differs from 175; anything else as JSON writes it."""
    if value is None or not _PLAIN_NUMBER.fullmatch(value):
        return value
    return number_format(Decimal(value), force_grouping=True)


@dataclass(frozen=True)
class ExportCheck:
    report: Report
    differences: list[FigureDifference]
    # The profile the file carries ("internal", "partner", "public"); None for an
    # export made before exports said which.
    profile: str | None = None

    @property
    def matches(self) -> bool:
        return not self.differences

    @property
    def is_published(self) -> bool:
        """A partner or public export: compared with the figures the app publishes
        for that profile, not with the exact stored ones."""
        return self.profile in ("partner", "public")

    @property
    def profile_label(self) -> str:
        return str(PROFILE_LABELS.get(self.profile, self.profile))


def export_check(raw: bytes) -> ExportCheck:
    """Compare a report's JSON export (the bytes of the file, or of a pasted text) with
    the stored version it names by its scope, month and version: every figure, exactly
    as JSON writes it. ExportRefused, with the reason, for anything else."""
    if len(raw) > MAX_EXPORT_BYTES:
        raise ExportRefused(too_large_message())
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExportRefused(
            _("The file is not UTF-8 text, so it is not a report export as the app makes them.")
        ) from None
    try:
        document = _parsed(text)
        if not isinstance(document, dict):
            raise ExportRefused(_("This is JSON, but not a report export: a report export is one object with "
                                  "\u201cscope\u201d, \u201cmonth\u201d, \u201cversion\u201d and the figures."))
        report = _stored_report(document)
        profile = _profile(document)
        # The words of the reasons are in the reader's language, and not figures.
        in_file = {key: value for key, value in document.items() if key != "reasons"}
        return ExportCheck(report=report, differences=figure_differences(in_file, _expected(report, profile)),
                           profile=profile)
    except RecursionError:
        raise ExportRefused(_("This is JSON, but not a report export: it is nested far deeper than one.")) from None


def _parsed(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ExportRefused(
            _("This is not JSON: the first problem is at line %(line)s, column %(column)s. Use the file as the "
              "JSON button of a report page downloaded it.") % {"line": exc.lineno, "column": exc.colno}
        ) from None
    except ExportRefused:
        raise
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        raise ExportRefused(_("This is not a report export: a number in it has more than %(digits)s digits.")
                            % {"digits": sys.get_int_max_str_digits()}) from None


def too_large_message() -> str:
    return _("This is larger than %(size)s KB, and a report export is a few KB: check that it is a report's "
             "JSON export.") % {"size": MAX_EXPORT_BYTES // 1024}


def _refuse_constant(name: str):
    raise ExportRefused(_("This is not JSON: %(name)s is not a JSON value.") % {"name": name})


def _stored_report(document: dict[str, Any]) -> Report:
    for key in ("scope", "month", "version"):
        if key not in document:
            raise ExportRefused(
                _("This is JSON, but not a report export: it has no \u201c%(key)s\u201d.") % {"key": key}
            )
    scope, month, version = document["scope"], document["month"], document["version"]
    if not isinstance(scope, dict) or not isinstance(scope.get("programme", 0), (str, type(None))):
        raise ExportRefused(_("This is JSON, but not a report export: its \u201cscope\u201d is not "
                              "{\"programme\": a programme or null}."))
    try:
        month_date = parse_month(month) if isinstance(month, str) else None
    except ValueError:
        month_date = None
    if month_date is None:
        raise ExportRefused(_("The export\u2019s month \u201c%(month)s\u201d is not a month written as YYYY-MM.")
                            % {"month": _quoted(month)})
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ExportRefused(
            _("The export\u2019s version \u201c%(version)s\u201d is not a version number (1, 2, \u2026).")
            % {"version": _quoted(_json(version))}
        )
    slug = scope["programme"]
    programme = None
    if slug is not None:
        # Only what a slug can be goes to the database (PostgreSQL refuses a NUL, say).
        programme = Programme.objects.filter(slug=slug).first() if SLUG.fullmatch(slug) else None
        if programme is None:
            raise ExportRefused(_("There is no programme \u201c%(slug)s\u201d here: the export comes from another "
                                  "installation, or the programme was deleted.") % {"slug": _quoted(slug)})
    versions = list(Report.objects.for_scope(programme).filter(month=month_date).select_related("programme")
                    .order_by("version"))
    # A reader's words: the programme's name and the month's, not the export's codes.
    scope_name = (pgettext("the scope of a report", "%(programme)s") % {"programme": programme.localized("name")}
                  if programme else _("all programmes"))
    names = {"scope": scope_name, "month": month_in_sentence(month_date), "version": version}
    if not versions:
        raise ExportRefused(_("No report of %(scope)s for %(month)s has been made here.") % names)
    report = next((report for report in versions if report.version == version), None)
    if report is None:
        made = ", ".join(str(report.version) for report in versions)
        raise ExportRefused(_("There is no version %(version)s of the report of %(scope)s for %(month)s; the "
                              "versions made are: %(made)s.") % (names | {"made": made}))
    if report.state != Report.State.READY:
        state = str(report.get_state_display()).lower()
        raise ExportRefused(_("Version %(version)s of the report of %(scope)s for %(month)s is %(state)s: it has no "
                              "figures to compare yet.") % (names | {"state": state}))
    return report


def _profile(document: dict[str, Any]) -> str | None:
    if "profile" not in document:
        return None
    profile = document["profile"]
    if profile not in PROFILES:
        raise ExportRefused(_("The export\u2019s profile \u201c%(profile)s\u201d is not one the app makes "
                              "(internal, partner or public).") % {"profile": _quoted(profile)})
    return profile


def _expected(report: Report, profile: str | None) -> dict[str, Any]:
    """What an export of `report` with `profile` holds: the stored document (with its
    profile, if the file names one); for partner and public, the document published of
    the version at acceptance, whose rounded figures, reasons and own fingerprint the
    file must have. ExportRefused if none was published."""
    if profile is None:
        return report.document
    try:
        if profile == "internal":
            return published_document(report, profile)
        return served_publication(report, profile).document
    except NotPublishable as exc:
        raise ExportRefused(
            _("This export carries the profile \u201c%(profile)s\u201d: its figures are rounded or withheld, so it "
              "can only be compared with the figures the app publishes of this version for that profile, and it "
              "publishes none now. %(reason)s") % {"profile": PROFILE_LABELS[profile], "reason": exc}
        ) from None


def figure_differences(in_file: dict[str, Any], stored: dict[str, Any]) -> list[FigureDifference]:
    """Every figure whose JSON differs, by its dotted name, in the stored document's
    order and then the file's: a figure only one of them has shows as missing in the other."""
    ours, theirs = flat_figures(stored), flat_figures(in_file)
    names = list(ours) + [name for name in theirs if name not in ours]
    return [
        FigureDifference(name, theirs.get(name, MISSING), ours.get(name, MISSING))
        for name in names
        if theirs.get(name, MISSING) != ours.get(name, MISSING)
    ]


def flat_figures(document: dict[str, Any]) -> dict[str, str]:
    """Dotted name -> the value as JSON writes it ("577", "89.2", "null", "\"autumn\"").
    Months of a list are named by their month: series.2023-10, since_start.highest.2023-10."""
    flat: dict[str, str] = {}

    def leaf(name: str, value: Any) -> None:
        while name in flat:  # a month listed twice, or a key with a dot in it
            name += "\u2032"
        flat[name] = _json(value)

    def walk(name: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for key, inner in value.items():
                walk(f"{name}.{key}" if name else str(key), inner)
        elif isinstance(value, list) and value:
            for i, item in enumerate(value):
                if isinstance(item, dict) and set(item) == {"month", "requests"} and isinstance(item["month"], str):
                    walk(f"{name}.{item['month']}", item["requests"])
                else:
                    walk(f"{name}[{i}]", item)
        else:
            leaf(name, value)

    walk("", document)
    return flat


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _quoted(value: Any, limit: int = 40) -> str:
    """A value from the file, for a message: a string as it is, anything else as JSON,
    cut short (a message should not repeat half a megabyte)."""
    text = value if isinstance(value, str) else _json(value)
    return text if len(text) <= limit else text[:limit] + "\u2026"
