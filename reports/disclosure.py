"""Disclosure control (placeholder on the API's branch): the report document as a
profile may show it. Only rules 1-3 of the contract (docs: DISCLOSURE-SPEC): counts
from 1 to 9 become "<10", others are rounded to the nearest 5, percentages are whole
numbers from the unrounded values and omitted next to a suppressed count. The full
module (secondary suppression) replaces this one at merge.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake.models import MonthReview, Programme

from .models import Report

PROFILES = ("internal", "partner", "public")
SUPPRESSED = "<10"
WITHHELD = "[c]"
PROFILE_SETTINGS = {
    "internal": {"zeros_sensitive": False},
    "partner": {"zeros_sensitive": False},
    "public": {"zeros_sensitive": False},
}


class NotPublishable(Exception):
    """Partner and public outputs exist only for accepted months: str(exc) says why."""


def _count(value: int | None, profile: str) -> int | str | None:
    if value is None:
        return None
    if 1 <= value <= 9 or (value == 0 and PROFILE_SETTINGS[profile]["zeros_sensitive"]):
        return SUPPRESSED
    return 5 * ((value + 2) // 5)


def _pct(numerator: int | None, denominator: int | None, *shown) -> int | None:
    if numerator is None or not denominator or any(isinstance(value, str) for value in shown):
        return None
    sign = -1 if numerator * denominator < 0 else 1
    numerator, denominator = abs(numerator) * 100, abs(denominator)
    return sign * ((2 * numerator + denominator) // (2 * denominator))


def _check_accepted(report: Report) -> None:
    programmes = [report.programme] if report.programme_id else list(
        Programme.objects.filter(first_month__lte=report.month)
    )
    accepted = set(
        MonthReview.objects.filter(programme__in=programmes, month=report.month, state=MonthReview.State.ACCEPTED)
        .values_list("programme_id", flat=True)
    )
    for programme in programmes:
        if programme.pk not in accepted:
            raise NotPublishable(
                _("%(month)s of %(programme)s is not accepted yet: partner and public figures are published only "
                  "for accepted months.") % {"month": date_format(report.month, "F Y"), "programme": programme}
            )


def published_document(report: Report, profile: str) -> dict[str, Any]:
    """The report's document as `profile` may show it (see the module's docstring)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}")
    document = report.document
    if profile != "internal":
        _check_accepted(report)
    shown: dict[str, Any] = {}
    for key, value in document.items():
        shown[key] = copy.deepcopy(value)
        if key == "version":
            shown["profile"] = profile
    if profile == "internal":
        return shown

    def count(value):
        return _count(value, profile)

    requests = shown["requests"]
    raw = document["requests"]
    requests["this_month"] = count(raw["this_month"])
    requests["previous_month"] = count(raw["previous_month"])
    requests["change_pct"] = _pct(
        None if raw["previous_month"] is None else raw["this_month"] - raw["previous_month"],
        raw["previous_month"], requests["this_month"], requests["previous_month"],
    )
    window = shown["window"]
    for span in ("current", "previous"):
        if window[span] is not None:
            window[span]["requests"] = count(document["window"][span]["requests"])
    if window["previous"] is not None:
        current, previous = document["window"]["current"]["requests"], document["window"]["previous"]["requests"]
        window["change_pct"] = _pct(current - previous, previous, window["current"]["requests"],
                                    window["previous"]["requests"])
    since = shown["since_start"]
    since["requests"] = count(document["since_start"]["requests"])
    since["current_window_share_pct"] = _pct(
        document["window"]["current"]["requests"], document["since_start"]["requests"],
        since["requests"], window["current"]["requests"],
    )
    for key in ("highest", "lowest"):
        for item in since[key]:
            item["requests"] = count(item["requests"])
    for item in shown["series"]:
        item["requests"] = count(item["requests"])
    for breakdown in ("by_category", "by_status_end_of_month", "outcomes_closed_in_month"):
        shown[breakdown] = {code: count(n) for code, n in shown[breakdown].items()}
    del shown["fingerprint"]
    payload = json.dumps(shown, sort_keys=True, separators=(",", ":")).encode()
    shown["fingerprint"] = "sha256:" + hashlib.sha256(payload).hexdigest()
    return shown
