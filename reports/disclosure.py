"""Disclosure control: a report's document as a profile (internal, partner, public) may
show it. PLACEHOLDER: primary suppression, rounding and percentages only (rules 1-3 of
the shared contract); the full module, with secondary suppression, comes from another
branch and replaces this file."""

from __future__ import annotations

import copy
import hashlib
import json
from fractions import Fraction
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake.models import MonthReview, Programme
from intake.months import parse_month

PROFILES = ("internal", "partner", "public")
SUPPRESSED = "<10"
WITHHELD = "[c]"
PROFILE_SETTINGS = {"partner": {"zeros_sensitive": False}, "public": {"zeros_sensitive": False}}


class NotPublishable(Exception):
    """Partner and public outputs exist only for accepted months: str(exc) says why."""


def _count(n: int, profile: str) -> int | str:
    if 1 <= n <= 9 or (n == 0 and PROFILE_SETTINGS[profile]["zeros_sensitive"]):
        return SUPPRESSED
    return n - n % 5 + (5 if n % 5 >= 3 else 0)


def _pct(part: int | None, whole: int | None, published: list) -> int | None:
    if part is None or not whole or any(not isinstance(v, int) for v in published):
        return None
    return _whole(Fraction(part * 100, whole))


def _whole(value: Fraction) -> int:
    sign = -1 if value < 0 else 1
    return sign * int((abs(value) + Fraction(1, 2)) // 1)


def _accepted(report) -> bool:
    reviews = MonthReview.objects.filter(month=report.month, state=MonthReview.State.ACCEPTED)
    if report.programme_id:
        return reviews.filter(programme_id=report.programme_id).exists()
    programmes = set(Programme.objects.filter(first_month__lte=report.month).values_list("pk", flat=True))
    return programmes <= set(reviews.values_list("programme_id", flat=True))


def published_document(report, profile: str) -> dict:
    """The report's document as `profile` may show it (see the module's docstring)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}")
    document = report.document
    if profile == "internal":
        return _with_profile(document, profile)
    if not _accepted(report):
        month = date_format(parse_month(document["month"]), "F Y")
        scope = report.programme.name if report.programme_id else _("all programmes")
        raise NotPublishable(_("%(month)s of %(scope)s is not accepted yet: partner and public figures are "
                               "published only for accepted months.") % {"month": month, "scope": scope})
    raw = copy.deepcopy(document)
    out = copy.deepcopy(document)
    requests, window, since = raw["requests"], raw["window"], raw["since_start"]
    p = profile
    out["requests"]["this_month"] = _count(requests["this_month"], p)
    if requests["previous_month"] is not None:
        out["requests"]["previous_month"] = _count(requests["previous_month"], p)
    out["requests"]["change_pct"] = _pct(
        None if requests["previous_month"] is None else requests["this_month"] - requests["previous_month"],
        requests["previous_month"], [out["requests"]["this_month"], out["requests"]["previous_month"]])
    for name in ("current", "previous"):
        if window[name] is not None:
            out["window"][name]["requests"] = _count(window[name]["requests"], p)
    previous = window["previous"]["requests"] if window["previous"] else None
    out["window"]["change_pct"] = _pct(
        None if previous is None else window["current"]["requests"] - previous, previous,
        [out["window"]["current"]["requests"], out["window"]["previous"] and out["window"]["previous"]["requests"]])
    out["since_start"]["requests"] = _count(since["requests"], p)
    out["since_start"]["current_window_share_pct"] = _pct(
        window["current"]["requests"], since["requests"],
        [out["since_start"]["requests"], out["window"]["current"]["requests"]])
    out["series"] = [{"month": row["month"], "requests": _count(row["requests"], p)} for row in raw["series"]]
    any_hidden = any(not isinstance(row["requests"], int) for row in out["series"])
    for key in ("highest", "lowest"):
        rows = [{"month": row["month"], "requests": _count(row["requests"], p)} for row in since[key]]
        hidden = any(not isinstance(row["requests"], int) for row in rows)
        out["since_start"][key] = None if hidden or (key == "lowest" and any_hidden) else rows
    if any_hidden:
        out["since_start"]["rank_of_month"] = None
    for part in ("by_category", "by_status_end_of_month", "outcomes_closed_in_month"):
        out[part] = {code: _count(n, p) for code, n in raw[part].items()}
    out = _with_profile(out, profile)
    out["fingerprint"] = "sha256:" + hashlib.sha256(json.dumps(
        {k: v for k, v in out.items() if k != "fingerprint"}, sort_keys=True, separators=(",", ":"),
        ensure_ascii=False).encode()).hexdigest()
    return out


def _with_profile(document: dict[str, Any], profile: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in document.items():
        result[key] = value
        if key == "version":
            result["profile"] = profile
    return result
