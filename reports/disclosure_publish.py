"""The audit at publication (issue 23): what `reports/publication.py`'s `_audited` hands to `protect`
(reports/disclosure_audit.py) and how its answer is stored.

- Earlier publications are read as stored (`Publication.body`, docs/report-json.md): the rule of each "[c]" from
  its "withheld_rules" object, by the audit's names (a figure's first place in the document, "series.2.requests");
  the "withheld" object gives the published codes by the figures' names in `reports.withheld` ("series.2023-05"),
  made by `_published_codes`. (A body without "withheld_rules" is read by its "audit" codes, `_audit_reasons`.)
- Partner and public documents are the same figures today: each distinct document is audited once (the outsider
  holds both, and learns nothing more from the second), and the result is given to every candidate that had it.
- The audit is a pure function of its inputs, so its answer is kept for the same inputs (`MEMO` answers, in this
  process): accepting the same months again (the tests do it often) costs nothing.
- It has `AUDIT_SECONDS` to answer; past that it raises `AuditTimeout` and nothing is published.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from .disclosure_audit import protect
from .disclosure_lp import figures_of
from .disclosure_solve import DEADLINE
from .withheld import AUDIT, PROTECTS_SMALL

AUDIT_SECONDS = 600.0
MEMO: OrderedDict[str, list[dict] | None] = OrderedDict()
MEMO_SIZE = 64
# The audit's reason codes (reports.disclosure_audit.REASONS) as the published documents give them.
PUBLISHED = {"months": PROTECTS_SMALL, "programme": PROTECTS_SMALL, "row": PROTECTS_SMALL, "status": PROTECTS_SMALL,
             "audit": AUDIT}
ABOUT_THE_DOCUMENT = ("profile", "fingerprint", "reasons")
# The key of a published document that gives the rule of each "[c]" as the audit names it (docs/report-json.md): the
# published codes say "protects_small" alike for a "[c]" that holds at least 10 (the stopping rule) and for one that
# says nothing (a sum over a hidden month), and the next audit must read each as the outsider does.
RULES = "withheld_rules"


def _name(document: dict, path: tuple) -> str:
    """A figure's place as reports.withheld names it: dotted keys, a month of a list by its month."""
    parts: list[str] = []
    value: Any = document
    for part in path:
        if isinstance(part, int):
            value = value[part]
            parts.append(value["month"])
        else:
            value = value[part]
            parts.append(part)
    if parts and parts[-1] == "requests" and len(path) > 2 and isinstance(path[-2], int):
        parts.pop()
    return ".".join(parts)


def _audit_reasons(body: dict) -> dict[str, str]:
    """The "withheld" object of a stored publication as the audit names it: "audit" only."""
    stored = body.get("withheld") or {}
    found = {}
    for figure in figures_of(body):
        if any(stored.get(_name(body, path)) == AUDIT for path in figure.paths):
            found[figure.label] = "audit"
    for name in ("highest", "lowest"):
        if stored.get(f"since_start.{name}") == AUDIT:
            found[f"since_start.{name}"] = "audit"
    return found


def _published_codes(document: dict) -> dict[str, str]:
    """The audit's "withheld" object in the published names and codes."""
    given = document.get("withheld") or {}
    codes = {}
    for figure in figures_of(document):
        reason = given.get(figure.label)
        if reason:
            for path in figure.paths:
                codes[_name(document, path)] = PUBLISHED.get(reason, PROTECTS_SMALL)
    for name in ("highest", "lowest"):
        if given.get(f"since_start.{name}"):
            codes[f"since_start.{name}"] = PUBLISHED.get(given[f"since_start.{name}"], PROTECTS_SMALL)
    return codes


def _as_read(body: dict) -> dict:
    document = {key: value for key, value in body.items() if key not in (*ABOUT_THE_DOCUMENT, RULES)}
    document["withheld"] = dict(body[RULES]) if RULES in body else _audit_reasons(body)
    return document


def _key(documents: Sequence[dict]) -> str:
    return json.dumps(documents, sort_keys=True, separators=(",", ":"), default=str)


def _distinct(documents: Sequence[dict]) -> tuple[list[dict], list[int]]:
    """The distinct documents (profile and fingerprint aside), and which one each is."""
    seen: dict[str, int] = {}
    distinct, which = [], []
    for document in documents:
        key = _key({k: v for k, v in document.items() if k not in ABOUT_THE_DOCUMENT})
        if key not in seen:
            seen[key] = len(distinct)
            distinct.append(document)
        which.append(seen[key])
    return distinct, which


def audited_documents(candidates: Sequence[dict], internal: Sequence[dict], earlier: Sequence[dict], *,
                      seconds: float | None = None) -> list[dict] | None:
    """The candidates as the audit of them with every earlier publication (stored bodies, in the order they were
    published) lets them be published, each with its "withheld" codes; None if the earlier publications alone fail
    the audit, so that nothing more can be published."""
    read, _which = _distinct([_as_read(body) for body in earlier])
    distinct, which = _distinct(candidates)
    exact = [internal[which.index(n)] for n in range(len(distinct))]
    key = hashlib.sha256(_key([read, distinct, exact]).encode()).hexdigest()
    if key in MEMO:
        MEMO.move_to_end(key)
        made = MEMO[key]
    else:
        token = DEADLINE.set(time.monotonic() + (AUDIT_SECONDS if seconds is None else seconds))
        try:
            protected, result = protect(distinct, read, exact)
        finally:
            DEADLINE.reset(token)
        made = None
        if result.passed:
            made = []
            for document in protected:
                document = {k: v for k, v in document.items() if k not in ABOUT_THE_DOCUMENT}
                if document.get("withheld"):
                    document[RULES] = dict(document["withheld"])
                document["withheld"] = _published_codes(document)
                made.append(document)
        MEMO[key] = made
        while len(MEMO) > MEMO_SIZE:
            MEMO.popitem(last=False)
    if made is None:
        return None
    out = []
    for candidate, n in zip(candidates, which):
        document = copy.deepcopy(made[n])
        ordered = {}
        for k, v in candidate.items():  # the candidate's own keys, in its order
            if k == "withheld":
                continue
            ordered[k] = document.get(k, v) if k not in ABOUT_THE_DOCUMENT else v
        for k, v in document.items():
            ordered.setdefault(k, v)
        out.append(ordered)
    return out
