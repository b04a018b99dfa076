"""The report document: the one JSON object of docs/report-json.md, built here and only here.

`report_document` builds it, in the documented key order, from the grouped counts of
`intake.counts`; it is pure, so it is tested without a database. Every output (page,
sentences, chart, CSV, JSON, print, comparison) reads the stored document through
`in_contract_order`, because PostgreSQL's jsonb keeps the values but not the key order.
A step that changes figures for an audience (disclosure control) belongs between the
stored document and the outputs, in one place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from operator import itemgetter
from typing import Any

import orjson

from intake.counts import CountRow
from intake.models import Category, Outcome, Programme, Status
from intake.months import format_month

from .figures import report_figures

_MONTH_COUNT = {"month": None, "requests": None}
_SPAN = {"first": None, "last": None, "requests": None, "season": None}

# The documented keys at every level, in their documented order: a dict names keys
# (with the shape of each value), a one-item list the shape of every item.
SHAPE: dict[str, Any] = {
    "scope": {"programme": None},
    "month": None,
    "version": None,
    # Only in a published document (reports/disclosure.py): the profile it carries.
    "profile": None,
    "requests": {"this_month": None, "previous_month": None, "change_pct": None},
    "window": {"length": None, "current": _SPAN, "previous": _SPAN, "change_pct": None},
    "since_start": {
        "first": None, "months": None, "requests": None, "current_window_share_pct": None,
        "highest": [_MONTH_COUNT], "lowest": [_MONTH_COUNT], "rank_of_month": None,
    },
    "series": [_MONTH_COUNT],
    "by_category": dict.fromkeys(Category.values),
    "by_status_end_of_month": {"open": None, "closed": None},
    "outcomes_closed_in_month": dict.fromkeys(Outcome.values),
    # Only in a published document: why each hidden figure is hidden (a code per figure),
    # and, as served, the words of each code in the reader's language (reports/withheld.py).
    "withheld": None,
    "reasons": None,
    "fingerprint": None,
}


def report_document(
    *,
    programme: Programme | None,
    month: dt.date,
    version: int,
    window: int,
    rows: list[CountRow],
    first_month: dt.date,
    basis: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The whole document of the report of `programme` (None: all programmes) for
    `month`, from the grouped counts up to that month (`basis`: their
    fingerprint_basis, when the caller has it already)."""
    if basis is None:
        basis = fingerprint_basis(rows, first=first_month, until=month)
    series, counts = _tally(rows, month=month)
    figures = report_figures(counts=series, month=month, first_month=first_month, window=window)
    return {
        "scope": {"programme": programme.slug if programme else None},
        "month": format_month(month),
        "version": version,
        "requests": figures["requests"],
        "window": figures["window"],
        "since_start": figures["since_start"],
        "series": figures["series"],
        **counts,
        "fingerprint": fingerprint_of(basis),
    }


def breakdowns(rows: list[CountRow], *, month: dt.date) -> dict[str, dict[str, int]]:
    """The requests of `month` by category, all of them open or closed at its end, and
    the outcomes of those closed in it; every code present, in the order of its list."""
    return _tally(rows, month=month)[1]


def _tally(rows: list[CountRow], *, month: dt.date) -> tuple[dict[dt.date, int], dict[str, dict[str, int]]]:
    """The requests of each month, and the breakdowns of `month`, in one pass over the
    rows (tens of thousands over years of data)."""
    series: dict[dt.date, int] = {}
    by_category = dict.fromkeys(Category.values, 0)
    outcomes = dict.fromkeys(Outcome.values, 0)
    closed, closed_by_then, total = Status.CLOSED, 0, 0
    for row_month, category, status, outcome, closed_month, requests in rows:
        series[row_month] = series.get(row_month, 0) + requests
        total += requests
        if row_month == month:
            by_category[category] += requests
        if status == closed and closed_month <= month:
            closed_by_then += requests
            if closed_month == month:
                outcomes[outcome] += requests
    by_status = {"open": total - closed_by_then, "closed": closed_by_then}
    return series, {"by_category": by_category, "by_status_end_of_month": by_status,
                    "outcomes_closed_in_month": outcomes}


def fingerprint(rows: list[CountRow], *, first: dt.date, until: dt.date) -> str:
    """sha256 of the canonical grouped counts: equal if and only if the data under a
    report is the same, so anyone can recompute it and see whether it changed."""
    return fingerprint_of(fingerprint_basis(rows, first=first, until=until))


def fingerprint_basis(rows: list[CountRow], *, first: dt.date, until: dt.date) -> dict[str, Any]:
    """The canonical grouped counts a fingerprint is the hash of (docs/report-json.md):
    counts only, no request, so a report can keep them to say later what changed. Rows
    are lists, as the stored basis reads back from its JSON: the two compare equal."""
    # Each month written once, not once a row (tens of thousands of rows, a few dozen months).
    months = set(map(itemgetter(0), rows))
    months.update(map(itemgetter(4), rows))
    name = {month: format_month(month) for month in months if month is not None} | {None: ""}
    # Sorted by the five fields as written: months as YYYY-MM sort as the months do, and
    # an open cell ("" closed) never shares its month, category, status and outcome with
    # a closed one (only "closed" has a month closed: intake.models.HelpRequest's
    # constraint), so this is the documented order whatever order the rows came in, and
    # sorting strings is cheaper than sorting dates or the database's ORDER BY.
    written = sorted([[name[month], category, status, outcome, name[closed_month], requests]
                      for month, category, status, outcome, closed_month, requests in rows])
    return {"first": format_month(first), "until": format_month(until), "rows": written}


def fingerprint_of(basis: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(_canonical(basis)).hexdigest()


def _canonical(basis: dict[str, Any]) -> bytes:
    """The basis as JSON with sorted keys, no spaces, non-ASCII escaped: Python's
    json.dumps(separators=(",", ":"), sort_keys=True), the text docs/report-json.md
    says is hashed. orjson writes the same text in a third to a half of the time (1 ms
    against 2-3 ms for 3,472 rows, a tenth of a report's time) when it is printable ASCII,
    as months and codes are; json writes any other
    (the two escape other characters differently: tests/reports/test_fingerprint.py)."""
    try:
        payload = orjson.dumps(basis, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # what orjson does not write (an integer beyond 64 bits, say)
        payload = None
    if payload is not None and payload.isascii() and b"\x7f" not in payload:  # json escapes DEL, orjson not
        return payload
    # A basis never contains itself: the encoder's check for cycles (noting every one of
    # its thousands of lists on the way in and out) cannot change the text.
    return json.dumps(basis, separators=(",", ":"), sort_keys=True, check_circular=False).encode()


def in_contract_order(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its keys in the documented order at every level, whatever
    order the database returned them in. Keys the contract does not name (none today)
    are kept, after the documented ones."""
    return _ordered(document, SHAPE)


def _ordered(value: Any, shape: Any) -> Any:
    if isinstance(value, dict) and isinstance(shape, dict):
        known = {key: _ordered(value[key], inner) for key, inner in shape.items() if key in value}
        return known | {key: inner for key, inner in value.items() if key not in shape}
    if isinstance(value, list) and isinstance(shape, list):
        return [_ordered(item, shape[0]) for item in value]
    return value
