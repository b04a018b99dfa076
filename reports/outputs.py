"""Outputs rendered from a report's document: CSV, the chart, a comparison.

Each takes the report's document (`Report.document`: the JSON contract, in its key
order) and nothing else, so that every output says the same thing, and so that a
disclosure-control step applied to the document would apply to all of them.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from intake.models import Category, Outcome
from intake.months import add_months, format_month, parse_month
from intake.spreadsheets import write_xlsx

from .disclosure import SUPPRESSED, WITHHELD
from .narrative import period
from .withheld import reason_of

# What each figure is called, in the reader's language: one label per machine key of the
# document, for the CSV export and the comparison of versions alike. A key the table does
# not know (one added to the contract later) is shown under its machine name.
SECTIONS = {
    "report": _("Report"),
    "requests": _("This month"),
    "window": _("Recent months and the months before"),
    "since_start": _("Since the first month"),
    "series": _("Requests by month"),
    "by_category": _("This month by category"),
    "by_status_end_of_month": _("Open and closed at the end of the month"),
    "outcomes_closed_in_month": _("Outcomes of requests closed this month"),
}
LABELS = {
    "scope.programme": _("Programme"),
    "month": _("Report month"),
    "version": _("Version"),
    "profile": _("Profile"),
    "requests.this_month": _("Requests"),
    "requests.previous_month": _("Requests in the month before"),
    "requests.change_pct": _("Change on the month before, %"),
    "window.length": _("Months in each period"),
    "window.current.requests": _("Requests in the recent months"),
    "window.current.season": _("Season of the recent months"),
    "window.previous.requests": _("Requests in the months before"),
    "window.previous.season": _("Season of the months before"),
    "window.change_pct": _("Change on the months before, %"),
    "since_start.months": _("Months"),
    "since_start.requests": _("Requests"),
    "since_start.current_window_share_pct": _("Share in the recent months, %"),
    "since_start.highest": _("Highest month"),
    "since_start.lowest": _("Lowest month"),
    "since_start.rank_of_month": _("Rank of the report month (1 = the most)"),
    "series": _("Requests"),
    "by_status_end_of_month.open": _("Open"),
    "by_status_end_of_month.closed": _("Closed"),
    "fingerprint": _("Fingerprint"),
    **{f"by_category.{code}": label for code, label in Category.choices},
    **{f"outcomes_closed_in_month.{code}": label for code, label in Outcome.choices},
}
# What each profile is called on a page and in a workbook.
PROFILE_NAMES = {"internal": _("Internal figures"), "partner": _("Partner figures"), "public": _("Public figures")}
SEASONS = {"spring": _("spring"), "summer": _("summer"), "autumn": _("autumn"), "winter": _("winter")}
# A span's first and last months are said in the month column of its figures.
_SPAN_FIGURES = ("requests", "season")


@dataclass(frozen=True)
class FigureRow:
    """One figure of a document: its machine key, the month or months it is about
    ("2023-11", or "2023-09/2023-11" for a span) and its value as the JSON has it."""

    key: str
    month: str
    value: Any

    @property
    def section(self) -> str:
        top = self.key.split(".")[0]
        return SECTIONS.get(top, SECTIONS["report"] if top in ("scope", "month", "version", "profile", "fingerprint") else top)

    @property
    def label(self) -> str:
        return LABELS.get(self.key, self.key)


def _period(first: str, last: str) -> str:
    return first if first == last else f"{first}/{last}"


def figure_rows(document: dict[str, Any]) -> list[FigureRow]:
    """Every figure of a document, one row each, in contract order: lists give a row per
    month (the series, tied highest and lowest months), spans a row per value."""
    month = document.get("month", "")
    rows: list[FigureRow] = []
    for key, value in document.items():
        if key == "requests":
            before = format_month(add_months(parse_month(month), -1)) if value["previous_month"] is not None else ""
            rows += [FigureRow("requests.this_month", month, value["this_month"]),
                     FigureRow("requests.previous_month", before, value["previous_month"]),
                     FigureRow("requests.change_pct", month, value["change_pct"])]
        elif key == "window":
            rows.append(FigureRow("window.length", "", value["length"]))
            for name in ("current", "previous"):
                span = value[name] or {}
                period = _period(span["first"], span["last"]) if span else ""
                rows += [FigureRow(f"window.{name}.{inner}", period, span.get(inner)) for inner in _SPAN_FIGURES]
            first = (value["previous"] or value["current"])["first"]
            rows.append(FigureRow("window.change_pct", _period(first, month), value["change_pct"]))
        elif key == "since_start":
            whole = _period(value["first"], month)
            for inner, item in value.items():
                if inner == "first":
                    continue
                if isinstance(item, list):
                    rows += [FigureRow(f"since_start.{inner}", row["month"], row["requests"]) for row in item]
                else:
                    rows.append(FigureRow(f"since_start.{inner}", month if inner == "rank_of_month" else whole, item))
        elif key == "series":
            rows += [FigureRow("series", row["month"], row["requests"]) for row in value]
        elif key in ("withheld", "reasons", "withheld_rules", "withheld_bounds"):
            continue  # said beside the figures they are about (to_csv's last column), or the audit's own
        else:
            rows += _flat_rows(key, value, month)
    return rows


def _flat_rows(prefix: str, value: Any, month: str) -> list[FigureRow]:
    """Rows of a part of the document with no shape of its own: the scope, the
    breakdowns, the fingerprint, and keys added to the contract later."""
    if isinstance(value, dict):
        return [row for key, inner in value.items() for row in _flat_rows(f"{prefix}.{key}", inner, month)]
    if isinstance(value, list):
        return [FigureRow(prefix, item.get("month", month), item.get("requests")) if isinstance(item, dict)
                else FigureRow(prefix, month, item) for item in value]
    return [FigureRow(prefix, month, value)]


def _table(document: dict[str, Any]) -> tuple[list[str], list[tuple]]:
    """The header and rows of the CSV and Excel exports: a row per figure with its
    section, its label (in the active language), the month or months it is about, its
    value (None when the document has none) and its key; for a published document, a
    last column saying in words why a figure is withheld."""
    header = [str(_("section")), str(_("figure")), str(_("month")), str(_("value")), str(_("key"))]
    rows = [(str(row.section), str(row.label), row.month, row.value, row.key) for row in figure_rows(document)]
    if "withheld" not in document:
        return header, rows
    return header + [str(_("why withheld"))], [(*row, reason_of(document, row[4], row[2])) for row in rows]


def to_csv(document: dict[str, Any]) -> str:
    """The document as one tidy table, for scripts: comma-separated UTF-8, decimal points."""
    header, rows = _table(document)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows((*row[:3], "" if row[3] is None else row[3], *row[4:]) for row in rows)
    return out.getvalue()


def to_xlsx(document: dict[str, Any], scope_name: str) -> bytes:
    """The same figures as to_csv, row for row, as an Excel workbook for people: counts and
    percentages as numbers, "<10" and "[c]" as text; months and spans, the programme
    (`scope_name`, as the page names it), the profile and the seasons in words of the
    active language ("Сентябрь — ноябрь 2023", "Осень"). The key column keeps the figure's
    machine name, to find it in the CSV and JSON, which keep the codes."""
    header, rows = _table(document)
    language = get_language() or "en"
    in_words = [(section, label, period(month, language), _value_in_words(key, value, scope_name, language), key, *rest)
                for section, label, month, value, key, *rest in rows]
    return write_xlsx(str(_("Report")), header, in_words)


def _value_in_words(key: str, value: Any, scope_name: str, language: str) -> Any:
    if key == "scope.programme":
        return scope_name
    if key == "month" and isinstance(value, str):
        return period(value, language)
    if key == "profile" and value in PROFILE_NAMES:
        return str(PROFILE_NAMES[value])
    if key.endswith(".season") and value in SEASONS:
        return capfirst(str(SEASONS[value]))  # alone in its cell
    return value


@dataclass(frozen=True)
class Compared:
    """One figure of two versions: its row, the earlier and the later value (None when
    a version does not have it), and the difference of two numbers."""

    row: FigureRow
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def difference(self) -> int | float | None:
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (self.before, self.after)):
            return None
        difference = self.after - self.before
        return round(difference, 1) if isinstance(difference, float) else difference


# Figures that differ between any two versions, or that name what is compared: said
# once above the comparison, not in it.
NOT_COMPARED = {"scope.programme", "month", "version", "profile", "fingerprint"}


def comparison(before: dict[str, Any], after: dict[str, Any]) -> list[Compared]:
    """Every figure of two versions of a report, in the order of the later one; a
    figure only the earlier has comes after the one it followed there."""
    old = {(row.key, row.month): row for row in figure_rows(before)}
    new = {(row.key, row.month): row for row in figure_rows(after)}
    order = list(new)
    for i, ident in enumerate(old):
        if ident not in new:
            previous = list(old)[i - 1] if i else None
            order.insert(order.index(previous) + 1 if previous in order else 0, ident)
    return [
        Compared((new.get(ident) or old[ident]), old[ident].value if ident in old else None,
                 new[ident].value if ident in new else None)
        for ident in order if ident[0] not in NOT_COMPARED
    ]


@dataclass(frozen=True)
class SideBySide:
    """One figure of a report in two profiles: its row (label, month) and both values;
    `public` None where the published document leaves the figure out."""

    row: FigureRow
    internal: Any
    public: Any

    @property
    def differs(self) -> bool:
        return self.internal != self.public


def side_by_side(internal: dict[str, Any], public: dict[str, Any]) -> list[SideBySide]:
    """Every figure of the internal document beside the same figure of a published one
    (a list the published document leaves out, such as the lowest months, is None)."""
    published = {(row.key, row.month): row.value for row in figure_rows(public)}
    return [SideBySide(row, row.value, published.get((row.key, row.month)))
            for row in figure_rows(internal) if row.key not in NOT_COMPARED]


@dataclass(frozen=True)
class MonthRow:
    month: date
    requests: int | str  # "<10" or "[c]" in a partner or public document
    current: bool  # the report month


def monthly(document: dict[str, Any]) -> list[MonthRow]:
    """The series as dated rows, for tables that name their months."""
    return [MonthRow(parse_month(row["month"]), row["requests"], row["month"] == document["month"])
            for row in document["series"]]


# A date in each calendar month, for headings that name them ("Jan", "Feb", ...).
CALENDAR = tuple(date(2000, month, 1) for month in range(1, 13))


def by_year(document: dict[str, Any]) -> list[tuple[int, list[MonthRow | None]]]:
    """The series as one row per year with a cell per calendar month (None outside the
    series): a long series in a few lines, for the printed page."""
    years: dict[int, list[MonthRow | None]] = {}
    for row in monthly(document):
        years.setdefault(row.month.year, [None] * 12)[row.month.month - 1] = row
    return list(years.items())


@dataclass(frozen=True)
class Bar:
    month: str
    date: date
    requests: int | str  # as the document has it: a count, "<10" or "[c]"
    kind: str  # count | suppressed ("<10": a hatched bar as tall as 9) | withheld ("[c]": an empty outline)
    label: str  # what is written above it: 577, <10, [c]
    x: float
    y: float
    width: float
    height: float
    label_x: float
    highlight: bool
    show_value: bool  # its count above it: only where it fits beside its neighbours'
    show_month: bool  # its month below it: only as many as can be read
    show_year: bool  # the year, under each January and under the first month


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    wide: bool  # drawn at its own size and scrolled, rather than scaled to the page
    axis_y: float
    month_y: float
    year_y: float
    bars: list[Bar]


# Drawing units of the SVG view box; a chart of up to CHART_WIDTH units is scaled to the
# page's width, a wider one keeps its size and scrolls in its own box.
CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 640, 240, 24, 44
# Room kept at each side, so that the first and last labels are not cut.
CHART_PAD = 12
# The narrowest a month's slot gets: a bar still visible, a click still possible.
MIN_SLOT = 12
# Space a label needs, in drawing units: three letters of the 11-unit month font ("Sep",
# "сен") with a gap, four digits of the year, and a digit of the 12-unit value font.
MONTH_ROOM, YEAR_ROOM, DIGIT_WIDTH = 26, 32, 7.5
# Label every month, or every 2nd, 3rd, ... month, counting from January.
LABEL_STEPS = (1, 2, 3, 4, 6, 12)
# A "<10" bar stands for at most 9 requests, and stays tall enough for its hatching to
# show; a "[c]" bar, of no known height, is an outline of a fixed small height.
SUPPRESSED_UP_TO, MIN_HATCHED, WITHHELD_HEIGHT = 9, 8, 16
BAR_KINDS = {SUPPRESSED: "suppressed", WITHHELD: "withheld"}


def chart(document: dict[str, Any]) -> Chart:
    """The bar chart of the monthly series: bars scaled to the highest month, the report
    month highlighted, and only the labels that fit without touching. A published
    document's "<10" is a hatched bar, its "[c]" an empty outline, each labelled so."""
    series = document["series"]
    slot = max(MIN_SLOT, (CHART_WIDTH - 2 * CHART_PAD) / max(len(series), 1))
    width = max(CHART_WIDTH, round(2 * CHART_PAD + slot * len(series), 1))
    step = next((k for k in LABEL_STEPS if k * slot >= MONTH_ROOM), LABEL_STEPS[-1])
    labels = [number_format(n, force_grouping=True) if isinstance(n, int) else str(n)
              for n in (row["requests"] for row in series)]  # 1,234 (1 234 in Russian), <10, [c]
    value_room = max((len(label) for label in labels), default=1) * DIGIT_WIDTH + 4
    counts = [row["requests"] for row in series if isinstance(row["requests"], int)]
    hidden = len(counts) < len(series)
    tallest = max(counts + [SUPPRESSED_UP_TO + 1 if hidden else 0]) or 1
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    months = [parse_month(row["month"]) for row in series]
    first_january = next((i for i, m in enumerate(months) if m.month == 1), len(months))
    bars = []
    for i, (row, month, label) in enumerate(zip(series, months, labels)):
        kind = BAR_KINDS.get(row["requests"], "count")
        if kind == "suppressed":
            height = max(MIN_HATCHED, plot_height * SUPPRESSED_UP_TO / tallest)
        elif kind == "withheld":
            height = WITHHELD_HEIGHT
        else:
            height = plot_height * row["requests"] / tallest
        left = CHART_PAD + i * slot
        current = row["month"] == document["month"]
        bars.append(Bar(
            month=row["month"], date=month, requests=row["requests"], kind=kind, label=label,
            x=round(left + slot * 0.15, 1), width=round(slot * 0.7, 1),
            y=round(CHART_TOP + plot_height - height, 1), height=round(height, 1),
            label_x=round(left + slot / 2, 1), highlight=current,
            show_value=current or slot >= value_room,
            show_month=(month.month - 1) % step == 0,
            show_year=month.month == 1 or (i == 0 and first_january * slot >= YEAR_ROOM),
        ))
    axis_y = CHART_HEIGHT - CHART_BOTTOM
    return Chart(width=width, height=CHART_HEIGHT, wide=width > CHART_WIDTH, axis_y=axis_y,
                 month_y=axis_y + 16, year_y=axis_y + 32, bars=bars)
