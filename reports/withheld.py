"""Why each figure of a published document is withheld (issue 23, point 5): a code per
figure, kept in the document's "withheld" object, and the words for each code in the
reader's language, given beside it in every output (docs/report-json.md, "withheld").

A figure is named as verification.flat_figures names it: dotted keys, and a month of a
list by its month ("series.2023-05", "since_start.highest.2023-10"); a list left out
whole ("since_start.lowest": null) by the list's own name."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .disclosure import SUPPRESSED, WITHHELD, published_fingerprint

SMALL = "small"  # "<10": a count from 1 to 9
PROTECTS_SMALL = "protects_small"  # "[c]": withheld so that no "<10" can be worked out from it
NOT_STATED = "not_stated"  # null where the internal figures have a value: a percentage, rank or list
AUDIT = "audit"  # withheld by the audit of everything published (reports/publication.py, _audited)

WORDS = {
    SMALL: _("Between 1 and 9 requests: too few to show without putting the people counted at risk."),
    PROTECTS_SMALL: _("Withheld so that a figure shown as \u201c<10\u201d cannot be worked out from it."),
    NOT_STATED: _("Not stated, because it would let a withheld figure be worked out."),
    AUDIT: _("Withheld because, together with the figures published before, it would narrow down a small count."),
}
# Keys of a published document that are about the document, not figures.
NOT_FIGURES = ("scope", "month", "version", "profile", "withheld", "reasons", "fingerprint")


def reasons_of(published: dict[str, Any], internal: dict[str, Any], given: dict[str, str] | None = None
               ) -> dict[str, str]:
    """Figure name -> reason code for every figure `published` hides: "<10", "[c]", or
    null where `internal` (the document it was made from) has a value. A code in `given`
    (the audit's) wins over the one the value implies."""
    given = given or {}
    found: dict[str, str] = {}

    def walk(name: str, value: Any, inner: Any) -> None:
        if value == SUPPRESSED:
            found[name] = SMALL
        elif value == WITHHELD:
            found[name] = PROTECTS_SMALL
        elif value is None:
            if inner is not None:
                found[name] = NOT_STATED
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(f"{name}.{key}", item, inner.get(key) if isinstance(inner, dict) else None)
        elif isinstance(value, list):
            others = {item["month"]: item["requests"] for item in inner or [] if isinstance(item, dict)}
            for item in value:
                if isinstance(item, dict) and "month" in item:
                    walk(f"{name}.{item['month']}", item.get("requests"), others.get(item["month"]))

    for key, value in published.items():
        if key not in NOT_FIGURES:
            walk(key, value, internal.get(key))
    return {name: given.get(name, code) for name, code in found.items()}


def with_reasons(published: dict[str, Any], internal: dict[str, Any]) -> dict[str, Any]:
    """The published document with its "withheld" object (before the fingerprint), and
    its fingerprint made again over it."""
    given = published.get("withheld") or {}
    document = {key: value for key, value in published.items() if key not in ("withheld", "fingerprint")}
    document["withheld"] = reasons_of(published, internal, given)
    document["fingerprint"] = published_fingerprint(document)
    return document


def words_for(document: dict[str, Any]) -> dict[str, str]:
    """Code -> its words in the active language, for each code the document uses."""
    codes = dict.fromkeys((document.get("withheld") or {}).values())
    return {code: str(WORDS.get(code, code)) for code in codes}


def with_words(document: dict[str, Any]) -> dict[str, Any]:
    """The document as served: "reasons" (the words of its codes, in the active
    language) after "withheld". Not covered by the fingerprint, which is the same in
    every language."""
    served: dict[str, Any] = {}
    for key, value in document.items():
        if key == "fingerprint":
            served["reasons"] = words_for(document)
        served[key] = value
    return served


def reason_of(document: dict[str, Any], key: str, month: str) -> str:
    """The words of why a figure of a CSV row (outputs.FigureRow key and month) is
    withheld, or ""."""
    withheld = document.get("withheld") or {}
    code = withheld.get(f"{key}.{month}") or withheld.get(key)
    return str(WORDS.get(code, code)) if code else ""
