"""Outputs rendered from a report's figures object: CSV, the chart, a comparison.

Each takes the report's document (`Report.document`: the JSON contract, in its key
order) and nothing else, so that every output says the same thing, and so that a
disclosure-control step applied to the document would apply to all of them.
"""

import csv
import io
from dataclasses import dataclass
from typing import Any


def flatten(figures: dict[str, Any]) -> list[tuple[str, str]]:
    """Every figure but the series as (dotted name, text value), in contract order.
    Lists of months read "2023-10: 218"; a missing value is empty."""
    rows: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        elif isinstance(value, list):
            rows.append((prefix, "; ".join(f"{item['month']}: {item['requests']}" for item in value)))
        else:
            rows.append((prefix, "" if value is None else str(value)))

    for key, value in figures.items():
        if key != "series":
            walk(key, value)
    return rows


def series_rows(figures: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f"series.{row['month']}", str(row["requests"])) for row in figures["series"]]


def to_csv(figures: dict[str, Any]) -> str:
    """One row per month of the series, a blank line, then every other figure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["month", "requests"])
    writer.writerows((row["month"], row["requests"]) for row in figures["series"])
    writer.writerow([])
    writer.writerow(["figure", "value"])
    writer.writerows(flatten(figures))
    return out.getvalue()


@dataclass(frozen=True)
class Difference:
    figure: str
    before: str
    after: str


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[Difference]:
    """The figures whose values differ between two versions (the series month by
    month), in the order of the later version; a figure only one has shows as empty."""
    old = dict(flatten(before) + series_rows(before))
    new = dict(flatten(after) + series_rows(after))
    names = list(new) + [name for name in old if name not in new]
    ignored = {"version"}
    return [
        Difference(name, old.get(name, ""), new.get(name, ""))
        for name in names
        if name not in ignored and old.get(name) != new.get(name)
    ]


@dataclass(frozen=True)
class Bar:
    month: str
    requests: int
    x: float
    y: float
    width: float
    height: float
    label_x: float
    highlight: bool


# Drawing units of the SVG view box; the browser scales it to the page's width.
CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 640, 240, 24, 36


def chart_bars(figures: dict[str, Any]) -> list[Bar]:
    """Bar geometry for the monthly series; the report month is highlighted."""
    series = figures["series"]
    if not series:
        return []
    tallest = max(row["requests"] for row in series) or 1
    slot = CHART_WIDTH / len(series)
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    bars = []
    for i, row in enumerate(series):
        height = plot_height * row["requests"] / tallest
        bars.append(Bar(
            month=row["month"], requests=row["requests"],
            x=round(i * slot + slot * 0.15, 1), width=round(slot * 0.7, 1),
            y=round(CHART_TOP + plot_height - height, 1), height=round(height, 1),
            label_x=round(i * slot + slot / 2, 1), highlight=row["month"] == figures["month"],
        ))
    return bars
