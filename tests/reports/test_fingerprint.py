"""The fingerprint is the SHA-256 of one exact text (docs/report-json.md, `fingerprint`):
the grouped counts sorted by their five fields, as JSON with sorted keys, no spaces and
non-ASCII escaped. The report task neither gets the rows in order from the database nor
writes the text with the standard library's encoder (both cost more than the report's
arithmetic), so these check that it still hashes exactly that text, from rows in any
order and whatever strings a stored basis holds."""

import datetime as dt
import hashlib
import json
import random

from hypothesis import given
from hypothesis import strategies as st

from intake.models import Category, Outcome, Status
from reports.document import fingerprint_basis, fingerprint_of


def documented_text(basis: dict) -> bytes:
    return json.dumps(basis, separators=(",", ":"), sort_keys=True).encode()


def grouped_rows(rng: random.Random) -> list[tuple]:
    """Grouped counts as the database gives them, in its order or none: every month of a
    year, open cells and cells closed in that month or later."""
    rows = []
    for m in range(1, 13):
        month = dt.date(2024, m, 1)
        for category in rng.sample(Category.values, 3):
            rows.append((month, category, Status.NEW, "", None, rng.randint(1, 50)))
            rows.append((month, category, Status.IN_PROGRESS, "", None, rng.randint(1, 50)))
            for outcome in rng.sample(Outcome.values, 2):
                for closed in range(m, min(m + 2, 12) + 1):
                    rows.append((month, category, Status.CLOSED, outcome, dt.date(2024, closed, 1), rng.randint(1, 9)))
    return rows


def in_documented_order(rows: list[tuple]) -> list[list]:
    """Sorted by month, category, status, outcome and month closed, the open ones (no
    month closed) last, then written as docs/report-json.md says."""
    ordered = sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3], r[4] is None, r[4] or r[0]))
    return [[m.strftime("%Y-%m"), c, s, o, closed.strftime("%Y-%m") if closed else "", n]
            for m, c, s, o, closed, n in ordered]


def test_rows_in_any_order_give_the_documented_basis_and_its_fingerprint():
    rng = random.Random(23)
    rows = grouped_rows(rng)
    first, until = dt.date(2024, 1, 1), dt.date(2024, 12, 1)
    documented = {"first": "2024-01", "until": "2024-12", "rows": in_documented_order(rows)}
    expected = "sha256:" + hashlib.sha256(documented_text(documented)).hexdigest()

    for _ in range(5):
        rng.shuffle(rows)
        basis = fingerprint_basis(rows, first=first, until=until)
        assert json.loads(json.dumps(basis)) == documented
        assert fingerprint_of(basis) == expected


# Strings a stored basis could hold once read back from the database: months and codes,
# and anything else (quotes, backslashes, control characters, Cyrillic, emoji).
texts = st.one_of(st.sampled_from(["2023-11", "", "desertion", "closed", "left_country"]), st.text(max_size=8))
numbers = st.one_of(st.integers(min_value=0, max_value=10_000), st.integers(min_value=-(2**70), max_value=2**70))
bases = st.fixed_dictionaries({
    "first": texts, "until": texts,
    "rows": st.lists(st.tuples(texts, texts, texts, texts, texts, numbers), max_size=20),
})


@given(bases)
def test_the_hashed_text_is_the_standard_library_s_for_any_basis(basis):
    expected = "sha256:" + hashlib.sha256(documented_text(basis)).hexdigest()

    assert fingerprint_of(basis) == expected
    assert fingerprint_of(json.loads(json.dumps(basis))) == expected  # as read back: lists, not tuples
