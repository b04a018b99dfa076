"""Disclosure control: a report's document as a profile may show it (docs/disclosure.md,
"Disclosure control"; the rules, numbered as there, are those of issue 15).

`published_document(report, profile)` is the one step between the stored document and
every output that leaves the organisation. The internal profile is the document itself;
partner and public replace every count by a number rounded to 5, by SUPPRESSED ("<10")
or by WITHHELD ("[c]"), so that no count from 1 to 9 can be read or worked out.

The rules are a pure core (`Disclosure`, over plain dicts of counts, tested without a
database), applied to the counts of the whole history of the scope (for all programmes,
of every programme), read in one query by `intake.counts`. A decision about a figure of
month M depends only on the counts up to M, and partner and public figures are made
only of months that are accepted and locked: so every output of the same data publishes
the same value for the same figure, whichever report, window or version it is in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from intake.counts import CountRow, count_rows_by_programme
from intake.models import Category, MonthReview, Outcome, Programme, Status
from intake.months import add_months, month_in_sentence, month_range, parse_month

from .document import fingerprint_of, report_document
from .finality import same_figures
from .models import Report

PROFILES = ("internal", "partner", "public")
# The profiles' names, as pages and messages give them.
PROFILE_LABELS = {"internal": _lazy("internal"), "partner": _lazy("partner"), "public": _lazy("public")}
SUPPRESSED = "<10"  # a count from 1 to 9 (and 0 when the profile treats zeros as sensitive)
WITHHELD = "[c]"  # a figure withheld so that no suppressed count can be worked out from it

# Counts below this (and above 0) are never shown; counts are rounded to a multiple of
# ROUND_TO; a withheld group of cells holds at least THRESHOLD requests in at least
# MIN_HIDDEN_CELLS cells.
THRESHOLD = 10
ROUND_TO = 5
MIN_HIDDEN_CELLS = 2

# The profiles whose zeros are sensitive, shown as "<10" and kept from being worked out
# like any small count: none today. A 0 is shown as 0, since that nobody asked is not
# about anybody; an organisation for whom a zero would tell something adds its profile.
ZEROS_SENSITIVE: frozenset[str] = frozenset()

Published = int | str


class NotPublishable(Exception):
    """Partner and public outputs exist only for accepted months: str(exc) says why,
    in the active language."""


# --- the pure core ---------------------------------------------------------------


def is_hidden(value: Any) -> bool:
    return value in (SUPPRESSED, WITHHELD)


def is_small(count: int, *, zeros_sensitive: bool) -> bool:
    """Rule 1: a count that is never shown (1 to 9; 0 too when zeros are sensitive)."""
    return 0 < count < THRESHOLD or (count == 0 and zeros_sensitive)


def rounded(count: int) -> int:
    """Rule 2: to the nearest multiple of 5, halves up (12 -> 10, 13 -> 15)."""
    return (count + ROUND_TO // 2) // ROUND_TO * ROUND_TO


def whole_pct(numerator: int, denominator: int) -> int:
    """Rule 3: numerator / denominator × 100 as a whole number, from the exact counts,
    halves away from zero."""
    if denominator == 0:
        raise ZeroDivisionError("a percentage of 0")
    negative = (numerator < 0) != (denominator < 0)
    quotient = (200 * abs(numerator) + abs(denominator)) // (2 * abs(denominator))
    return -quotient if negative and quotient else quotient


def protect_row(
    values: Mapping[str, int], *, zeros_sensitive: bool, withheld: Sequence[str] = (), total_small: bool = False
) -> dict[str, Published]:
    """Rule 4c on a breakdown (cells whose sum is a published total): each cell rounded,
    "<10", or "[c]" (those in `withheld`, withheld for another reason); and, when a cell
    is "<10", more cells withheld, smallest first (ties in the order of `values`), until
    the hidden cells hold at least 10 requests in at least two cells. A 0 shown as 0 is
    never withheld: it is known exactly, so hiding it protects nothing. Nothing more is
    needed when the total is itself small (`total_small`): it is not shown either."""
    row: dict[str, Published] = {}
    for key, count in values.items():
        if is_small(count, zeros_sensitive=zeros_sensitive):
            row[key] = SUPPRESSED
        elif key in withheld:
            row[key] = WITHHELD
        else:
            row[key] = rounded(count)
    if total_small or SUPPRESSED not in row.values():
        return row
    hidden = [key for key, value in row.items() if is_hidden(value)]
    shown = sorted(
        (key for key, value in row.items() if not is_hidden(value) and values[key] > 0),
        key=lambda key: values[key],  # stable: ties keep the order of `values`
    )
    for key in shown:
        if sum(values[h] for h in hidden) >= THRESHOLD and len(hidden) >= MIN_HIDDEN_CELLS:
            break
        row[key] = WITHHELD
        hidden.append(key)
    return row


class ScopeCounts:
    """The counts a scope's reports are made of, month by month: the requests received
    in each month by category, and those closed in each month by outcome."""

    def __init__(self, *, first: dt.date, categories: Mapping[dt.date, Mapping[str, int]],
                 outcomes: Mapping[dt.date, Mapping[str, int]]):
        self.first = first
        self.categories = {m: {c: int(row.get(c, 0)) for c in Category.values} for m, row in categories.items()}
        self.outcomes = {m: {o: int(row.get(o, 0)) for o in Outcome.values} for m, row in outcomes.items()}

    @classmethod
    def from_rows(cls, rows: Sequence[CountRow], *, first: dt.date) -> ScopeCounts:
        """From intake.counts' grouped rows, as report_document reads them."""
        categories: dict[dt.date, dict[str, int]] = {}
        outcomes: dict[dt.date, dict[str, int]] = {}
        for row in rows:
            by_category = categories.setdefault(row.month, {})
            by_category[row.category] = by_category.get(row.category, 0) + row.requests
            if row.status == Status.CLOSED:
                by_outcome = outcomes.setdefault(row.closed_month, {})
                by_outcome[row.outcome] = by_outcome.get(row.outcome, 0) + row.requests
        return cls(first=first, categories=categories, outcomes=outcomes)

    def category_row(self, month: dt.date) -> dict[str, int]:
        return self.categories.get(month) or dict.fromkeys(Category.values, 0)

    def outcome_row(self, month: dt.date) -> dict[str, int]:
        return self.outcomes.get(month) or dict.fromkeys(Outcome.values, 0)

    def requests(self, month: dt.date) -> int:
        return sum(self.category_row(month).values())

    def closings(self, month: dt.date) -> int:
        return sum(self.outcome_row(month).values())

    def total(self, first: dt.date, last: dt.date) -> int:
        return sum(self.requests(m) for m in month_range(first, last))

    def closed_by_end_of(self, month: dt.date) -> int:
        return sum(sum(row.values()) for m, row in self.outcomes.items() if m <= month)

    def received_by_end_of(self, month: dt.date) -> int:
        return sum(sum(row.values()) for m, row in self.categories.items() if m <= month)


class Disclosure:
    """What a partner or public output may show of one scope's figures (rules 1-4). For
    all programmes, `parts` are the disclosures of each programme (rule 4b)."""

    def __init__(self, counts: ScopeCounts, *, zeros_sensitive: bool, parts: Sequence[Disclosure] = ()):
        self.counts = counts
        self.zeros_sensitive = zeros_sensitive
        self.parts = list(parts)
        self._months: dict[dt.date, Published] = {}

    @property
    def is_all(self) -> bool:
        return bool(self.parts)

    def _small(self, count: int) -> bool:
        return is_small(count, zeros_sensitive=self.zeros_sensitive)

    def _parts_in(self, month: dt.date) -> list[Disclosure]:
        return [part for part in self.parts if part.counts.first <= month]

    def month(self, month: dt.date) -> Published:
        """A month's requests (series, this and the previous month): rule 1, 2 and, for
        all programmes, 4b."""
        if month not in self._months:
            count = self.counts.requests(month)
            if self._small(count):
                self._months[month] = SUPPRESSED
            elif any(part.month_hidden(month) for part in self._parts_in(month)):
                self._months[month] = WITHHELD
            else:
                self._months[month] = rounded(count)
        return self._months[month]

    def month_hidden(self, month: dt.date) -> bool:
        return is_hidden(self.month(month))

    def any_hidden(self, first: dt.date, last: dt.date) -> bool:
        return any(self.month_hidden(m) for m in month_range(max(first, self.counts.first), last))

    def span(self, first: dt.date, last: dt.date) -> Published:
        """A sum over months (a window, since the start): rule 4a."""
        if self.any_hidden(first, last):
            return WITHHELD
        return rounded(self.counts.total(first, last))

    def categories(self, month: dt.date) -> dict[str, Published]:
        """The month's requests by category: rules 1, 2, 4b and 4c."""
        values = self.counts.category_row(month)
        rows = [part.categories(month) for part in self._parts_in(month)]
        withheld = [c for c in values if any(is_hidden(row[c]) for row in rows)]
        return protect_row(values, zeros_sensitive=self.zeros_sensitive, withheld=withheld,
                           total_small=self._small(self.counts.requests(month)))

    def outcomes(self, month: dt.date) -> dict[str, Published]:
        """The outcomes of the requests closed in the month: rules 1, 2, 4b and 4c."""
        values = self.counts.outcome_row(month)
        rows = [part.outcomes(month) for part in self._parts_in(month)]
        withheld = [o for o in values if any(is_hidden(row[o]) for row in rows)]
        return protect_row(values, zeros_sensitive=self.zeros_sensitive, withheld=withheld,
                           total_small=self._small(self.counts.closings(month)))

    @cached_property
    def _first_small_closings(self) -> dt.date | None:
        """The first month whose closings were small: closed(M) - closed(M-1) is them."""
        months = sorted({*self.counts.outcomes, self.counts.first})
        last = max(months)
        return next((m for m in month_range(self.counts.first, last) if self._small(self.counts.closings(m))), None)

    def status_withheld(self, month: dt.date) -> bool:
        """Rule 4a for open and closed at the end of the month: withheld when a month of
        the record is hidden, or from the first month whose closings were small onwards;
        for all programmes, also when a programme withholds them (4b)."""
        small_closings = self._first_small_closings
        return (
            self.any_hidden(self.counts.first, month)
            or (small_closings is not None and small_closings <= month)
            or any(part.status_withheld(month) for part in self._parts_in(month))
        )

    def status(self, month: dt.date) -> dict[str, Published]:
        if self.status_withheld(month):
            return {"open": WITHHELD, "closed": WITHHELD}
        closed = self.counts.closed_by_end_of(month)
        received = self.counts.received_by_end_of(month)
        return protect_row({"open": received - closed, "closed": closed}, zeros_sensitive=self.zeros_sensitive,
                           total_small=self._small(received))

    def highest_stated(self, month: dt.date, highest: Sequence[dt.date]) -> bool:
        """Rule 4d: the highest months are named when they are all shown and, for all
        programmes, no month is hidden (a withheld month just below a stated highest one
        bounds it, and the programmes' own months then bound a small one)."""
        if any(self.month_hidden(m) for m in highest):
            return False
        return not self.is_all or not self.any_hidden(self.counts.first, month)

    def order_stated(self, month: dt.date) -> bool:
        """Rule 4d: the lowest months and the month's rank are stated only when no month
        of the record is hidden."""
        return not self.any_hidden(self.counts.first, month)

    def change_pct(self, current: Published, previous: Published, exact_current: int, exact_previous: int):
        """Rule 3: from the exact counts, whole; None when a side is hidden or 0."""
        if is_hidden(current) or is_hidden(previous) or exact_previous == 0:
            return None
        return whole_pct(exact_current - exact_previous, exact_previous)


def disclosed(document: dict[str, Any], disclosure: Disclosure, *, profile: str) -> dict[str, Any]:
    """The document (contract order) with every count replaced as `disclosure` says,
    "profile" after "version", and its own fingerprint."""
    month = parse_month(document["month"])
    counts = disclosure.counts

    def span(value: dict | None) -> dict | None:
        if value is None:
            return None
        first, last = parse_month(value["first"]), parse_month(value["last"])
        return {**value, "requests": disclosure.span(first, last)}

    requests = document["requests"]
    this_month = disclosure.month(month)
    previous = None
    change = None
    if requests["previous_month"] is not None:
        before = add_months(month, -1)
        previous = disclosure.month(before)
        change = disclosure.change_pct(this_month, previous, counts.requests(month), counts.requests(before))

    window = document["window"]
    current_span, previous_span = span(window["current"]), span(window["previous"])
    window_change = None
    if window["previous"] is not None:
        window_change = disclosure.change_pct(
            current_span["requests"], previous_span["requests"],
            counts.total(parse_month(window["current"]["first"]), month),
            counts.total(parse_month(window["previous"]["first"]), parse_month(window["previous"]["last"])),
        )

    since = document["since_start"]
    first = parse_month(since["first"])
    since_requests = disclosure.span(first, month)
    share = None
    if not is_hidden(since_requests) and not is_hidden(current_span["requests"]) and counts.total(first, month):
        share = whole_pct(counts.total(parse_month(window["current"]["first"]), month), counts.total(first, month))
    highest_months = [parse_month(item["month"]) for item in since["highest"]]

    def listed(items: list[dict]) -> list[dict]:
        return [{"month": item["month"], "requests": disclosure.month(parse_month(item["month"]))} for item in items]

    published: dict[str, Any] = {}
    for key, value in document.items():
        if key == "requests":
            value = {"this_month": this_month, "previous_month": previous, "change_pct": change}
        elif key == "window":
            value = {"length": window["length"], "current": current_span, "previous": previous_span,
                     "change_pct": window_change}
        elif key == "since_start":
            stated = disclosure.order_stated(month)
            value = {
                "first": since["first"],
                "months": since["months"],
                "requests": since_requests,
                "current_window_share_pct": share,
                "highest": listed(since["highest"]) if disclosure.highest_stated(month, highest_months) else None,
                "lowest": listed(since["lowest"]) if stated else None,
                "rank_of_month": since["rank_of_month"] if stated else None,
            }
        elif key == "series":
            value = listed(value)
        elif key == "by_category":
            value = disclosure.categories(month)
        elif key == "by_status_end_of_month":
            value = disclosure.status(month)
        elif key == "outcomes_closed_in_month":
            value = disclosure.outcomes(month)
        elif key == "fingerprint":
            continue
        published[key] = value
        if key == "version":
            published["profile"] = profile
    published["fingerprint"] = published_fingerprint(published)
    return published


def published_fingerprint(document: dict[str, Any]) -> str:
    """"sha256:" + SHA-256 of the published document's canonical JSON (sorted keys, no
    spaces, ASCII), without its fingerprint and the words of its reasons (in the reader's
    language): what a recipient checks it against."""
    return fingerprint_of({key: value for key, value in document.items() if key not in ("fingerprint", "reasons")})


# --- the database side -----------------------------------------------------------


def published_document(report: Report, profile: str, *, preview: bool = False) -> dict[str, Any]:
    """The report's document (Report.document, in contract order) as `profile` may
    show it (docs/report-json.md, "profile"). NotPublishable, saying why, for a partner
    or public document of a month not accepted (for all programmes: in every programme
    started by then), or of a version whose figures are not those of the data now.
    `preview` skips the acceptance check, for the auditors' side-by-side view only: the
    figures the profile would publish if the month were accepted now, which never leave
    the organisation. At most four queries."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}: one of {', '.join(PROFILES)}")
    document = report.document
    if document is None:
        raise ValueError(f"{report} is not ready: it has no figures")
    if profile == "internal":
        published: dict[str, Any] = {}
        for key, value in document.items():
            published[key] = value
            if key == "version":
                published["profile"] = profile
        return published
    month = report.month
    if report.programme_id:
        programmes = [report.programme]
    else:
        programmes = list(Programme.objects.filter(first_month__lte=month).order_by("first_month", "pk"))
    if not preview:
        check_published(programmes, month)
    rows = count_rows_by_programme(programmes=programmes, until=month)
    zeros_sensitive = profile in ZEROS_SENSITIVE
    parts = [Disclosure(ScopeCounts.from_rows(rows[p.pk], first=p.first_month), zeros_sensitive=zeros_sensitive)
             for p in programmes]
    if report.programme_id:
        disclosure = parts[0]
        scope_rows = rows[report.programme_id]
    else:
        first = min(p.first_month for p in programmes)
        scope_rows = merged(rows.values())
        disclosure = Disclosure(ScopeCounts.from_rows(scope_rows, first=first), zeros_sensitive=zeros_sensitive,
                                parts=parts)
    now = report_document(programme=report.programme, month=month, version=report.version, window=report.window,
                          rows=scope_rows, first_month=disclosure.counts.first)
    if not same_figures(now, document):
        raise VersionNotPublished(
            _("Version %(version)s of this report was made from data that has changed since: partner and public "
              "figures are published only from a version made from the accepted data. Generate a new version.")
            % {"version": report.version})
    return disclosed(document, disclosure, profile=profile)


def merged(rows_of_programmes) -> list[CountRow]:
    """The grouped rows of several programmes as one scope's (count_rows(programme=None))."""
    total: dict[tuple, int] = {}
    for rows in rows_of_programmes:
        for row in rows:
            total[row[:5]] = total.get(row[:5], 0) + row.requests
    return [CountRow(*key, n) for key, n in total.items()]


# --- which months are published ----------------------------------------------------
#
# One rule, for every output: pages and exports through published_document, the API
# through published_months and published_document.


class MonthNotPublished(NotPublishable):
    """The month is not published in the scope asked for; str(exc) says why, for staff
    and auditors (a partner is told only that it is not published)."""


class VersionNotPublished(NotPublishable):
    """The month is published, but not from this version: its figures are not those of
    the accepted data."""


def _unpublished(programmes: Sequence[Programme], month: dt.date, accepted: Mapping[tuple[int, dt.date], MonthReview],
                 now: dt.datetime) -> tuple[str, Programme, dt.date] | None:
    """Why `month` of `programmes` (for all programmes: those started by then) is not
    published, given the accepted reviews {(programme id, month): review}: ("missing",
    programme, month) if a programme has not accepted it, ("unlocked", programme, month)
    if it is unlocked, ("earlier", programme, earlier) if a month before it, which its
    figures count, is unlocked; None if it is published. (An accepted month locks every
    month before it, so the figures it counts cannot change while it is locked.)"""
    for programme in programmes:
        review = accepted.get((programme.pk, month))
        if review is None:
            return "missing", programme, month
        if review.is_unlocked(now):
            return "unlocked", programme, month
    by_pk = {programme.pk: programme for programme in programmes}
    for (programme_pk, earlier), review in sorted(accepted.items(), key=lambda item: item[0][1]):
        if earlier < month and programme_pk in by_pk and review.is_unlocked(now):
            return "earlier", by_pk[programme_pk], earlier
    return None


def check_published(programmes: Sequence[Programme], month: dt.date) -> None:
    """MonthNotPublished, saying why, unless `month` is published for `programmes` (for
    all programmes: those started by then): accepted and locked in each, and no earlier
    month its figures count unlocked for a correction. One query."""
    accepted = {
        (review.programme_id, review.month): review
        for review in MonthReview.objects.filter(programme__in=programmes, month__lte=month,
                                                 state=MonthReview.State.ACCEPTED)
    }
    why = _unpublished(programmes, month, accepted, timezone.now())
    if why is None:
        return
    kind, programme, concerned = why
    names = {"month": date_format(month, "F Y"), "programme": programme.localized("name")}
    if kind == "missing":
        raise MonthNotPublished(_("%(month)s of %(programme)s is not accepted yet: partner and public figures are "
                                  "published only for accepted months.") % names)
    if kind == "unlocked":
        raise MonthNotPublished(_("%(month)s of %(programme)s is unlocked for a correction: partner and public "
                                  "figures are published only for accepted months that are locked.") % names)
    names["earlier"] = date_format(concerned, "F Y")
    names["of_month"] = month_in_sentence(month, "genitive")
    raise MonthNotPublished(_("%(earlier)s of %(programme)s is unlocked for a correction, and the figures of "
                              "%(of_month)s count it: partner and public figures are published again once it is "
                              "locked.") % names)


def published_months(programme: Programme | None) -> set[dt.date]:
    """The months whose partner and public figures are published for a programme, or
    for all programmes (None): exactly the months check_published lets through. Two
    queries at most, whatever the number of months."""
    accepted_reviews = MonthReview.objects.filter(state=MonthReview.State.ACCEPTED)
    if programme is not None:
        accepted_reviews = accepted_reviews.filter(programme=programme)
    accepted = {(review.programme_id, review.month): review for review in accepted_reviews}
    programmes = [programme] if programme is not None else list(Programme.objects.all())
    now = timezone.now()
    return {month for month in {month for _pk, month in accepted}
            if _unpublished([p for p in programmes if programme is not None or p.first_month <= month], month,
                            accepted, now) is None}
