"""Issue 15, point 6: the public output of the demo report of November 2023, worked out
by hand from docs/figures.md. Every count there is 0 or 10 and more, and every month's
closings are 10 or more (April 24, May 67, June 66, July 79, August 125, September 153,
October 165, November 111: figures.md's spread of each month's requests), so nothing is
suppressed or withheld: each count is rounded to 5 (0-2 down, 3-4 up), totals from the
exact totals, percentages whole from the exact counts."""

import datetime as dt
import hashlib
import json

import pytest

from reports.disclosure import NotPublishable, published_document
from reports.publication import served_publication
from tests.reports.accepting import accept_month, accept_months

NOVEMBER = dt.date(2023, 11, 1)

EXPECTED_PUBLIC = {
    "scope": {"programme": "desertion-help"},
    "month": "2023-11",
    "version": 1,
    "profile": "public",
    # 175 stays 175; October's 218 -> 220; (175 - 218) / 218 = -19.72% -> -20
    "requests": {"this_month": 175, "previous_month": 220, "change_pct": -20},
    "window": {
        "length": 3,
        # 184 + 218 + 175 = 577 -> 575; 54 + 118 + 133 = 305; (577 - 305) / 305 = 89.18% -> 89
        "current": {"first": "2023-09", "last": "2023-11", "requests": 575, "season": "autumn"},
        "previous": {"first": "2023-06", "last": "2023-08", "requests": 305, "season": "summer"},
        "change_pct": 89,
    },
    "since_start": {
        # 1,017 -> 1,015 (not 60 + 75 + ... + 175 = 1,025, the sum of the rounded months);
        # 577 / 1,017 = 56.73% -> 57
        "first": "2023-04",
        "months": 8,
        "requests": 1015,
        "current_window_share_pct": 57,
        "highest": [{"month": "2023-10", "requests": 220}],
        "lowest": [{"month": "2023-06", "requests": 55}],
        "rank_of_month": 3,
    },
    "series": [
        {"month": "2023-04", "requests": 60},  # 61
        {"month": "2023-05", "requests": 75},  # 74
        {"month": "2023-06", "requests": 55},  # 54
        {"month": "2023-07", "requests": 120},  # 118
        {"month": "2023-08", "requests": 135},  # 133
        {"month": "2023-09", "requests": 185},  # 184
        {"month": "2023-10", "requests": 220},  # 218
        {"month": "2023-11", "requests": 175},  # 175
    ],
    "by_category": {"desertion": 175, "mobilisation": 0, "emigration": 0, "surrender": 0, "legal": 0, "other": 0},
    # 227 -> 225; 790 stays
    "by_status_end_of_month": {"open": 225, "closed": 790},
    # 76 -> 75; 35 stays
    "outcomes_closed_in_month": {
        "left_country": 75, "safe_in_russia": 0, "surrendered": 0, "returned_to_unit": 0,
        "detained": 0, "referred": 35, "lost_contact": 0, "withdrew": 0,
    },
}


def expected_fingerprint(document: dict) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


@pytest.fixture
def accepted_november(november_report, staff, auditor):
    accept_months(november_report.programme, NOVEMBER, staff=staff, auditor=auditor)
    return november_report


def test_the_public_november_report_is_the_hand_computed_one(accepted_november):
    published = published_document(accepted_november, "public")

    assert published == EXPECTED_PUBLIC | {"fingerprint": expected_fingerprint(EXPECTED_PUBLIC)}
    assert list(published) == [*EXPECTED_PUBLIC, "fingerprint"]
    assert published["fingerprint"] != accepted_november.fingerprint


def test_the_public_november_report_as_published_at_acceptance_is_the_hand_computed_one(
        november_report, staff, auditor, client_for):
    accept_month(november_report.programme, NOVEMBER, staff=staff, auditor=auditor)  # and published

    stored = served_publication(november_report, "public")
    expected = EXPECTED_PUBLIC | {"withheld": {}}  # nothing is withheld, so nothing needs a reason
    assert stored.document == expected | {"fingerprint": expected_fingerprint(expected)}
    exported = client_for(staff).get("/reports/desertion-help/2023-11/v1.json?profile=public").json()
    assert exported == expected | {"reasons": {}, "fingerprint": expected_fingerprint(expected)}


def test_the_partner_november_report_shows_the_same_figures(accepted_november):
    published = published_document(accepted_november, "partner")

    assert published["profile"] == "partner"
    assert {k: v for k, v in published.items() if k not in ("profile", "fingerprint")} == {
        k: v for k, v in EXPECTED_PUBLIC.items() if k != "profile"}


def test_the_internal_document_is_the_stored_one_with_its_profile(november_report):
    published = published_document(november_report, "internal")

    assert list(published)[:5] == ["scope", "month", "version", "profile", "requests"]
    assert published.pop("profile") == "internal"
    assert published == november_report.document
    assert published["window"]["current"]["requests"] == 577


def test_a_month_not_accepted_has_no_public_figures(november_report):
    with pytest.raises(NotPublishable) as refused:
        published_document(november_report, "public")

    assert str(refused.value) == ("November 2023 of Desertion help (demo) is not accepted yet: partner and public "
                                  "figures are published only for accepted months.")
