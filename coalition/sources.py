"""The sources of the coalition page: this organisation's own public documents and
each peer's verified ones, for one month, as columns of the same table.

`own_public_documents` is the ONE place that says where the organisation's own public
figures come from: the stored publications (reports.Publication, public profile), each
with the log entry that signs its English JSON file, for provenance."""

import datetime as dt
import json
from dataclasses import dataclass, field

from django.conf import settings

from intake.months import add_months, format_month, month_range
from publications.models import SignedFile

from .combine import Range, combined
from .models import Peer, PeerDocument

MONTHS_SHOWN = 6  # the window the article compares: three months against the three before


@dataclass
class Source:
    organisation: str
    key_id: str
    scope: str
    version: int
    log_index: int
    name: str
    signature: str
    verified: str  # "signed here", or the month the peer's document was fetched and verified
    document: dict
    peer: Peer | None = None
    series: dict = field(init=False)

    def __post_init__(self):
        self.series = {item.get("month"): item.get("requests") for item in self.document.get("series", [])
                       if isinstance(item, dict)}

    @property
    def own(self) -> bool:
        return self.peer is None

    @property
    def window(self) -> dict:
        window = self.document.get("window")
        return window if isinstance(window, dict) else {}


def _latest_per_scope(items, scope_of, rank_of) -> list:
    """The latest item of each scope; only the all-programmes one when there is one: it
    is the organisation's whole count, and its programmes' counts are part of it, so
    showing both would count the same requests twice in the combined range."""
    latest = {}
    for item in items:
        scope = scope_of(item)
        if scope not in latest or rank_of(item) > rank_of(latest[scope]):
            latest[scope] = item
    if "all" in latest:
        return [latest["all"]]
    return [latest[scope] for scope in sorted(latest)]


def own_public_documents(month: dt.date) -> list[Source]:
    """The organisation's own public documents of `month`: the latest publication of
    each scope, as its English JSON file was published and signed (one query)."""
    signed = (SignedFile.objects.filter(publication__month=month, publication__profile="public", language="en",
                                        kind="json")
              .select_related("publication__programme", "entry__key").order_by("publication__pk"))
    items = []
    for item in signed:
        try:
            document = json.loads(bytes(item.entry.content))
        except ValueError:
            continue
        publication = item.publication
        items.append((item, publication.programme.slug if publication.programme_id else "all", document))
    chosen = _latest_per_scope(items, lambda i: i[1], lambda i: i[0].publication_id)
    return [Source(organisation=settings.PUBLICATION_ORGANISATION, key_id=item.entry.key.key_id, scope=scope,
                   version=item.publication.version, log_index=item.entry.index, name=item.entry.name,
                   signature=item.entry.signature, verified="", document=document)
            for item, scope, document in chosen]


def peer_documents(month: dt.date) -> list[Source]:
    """Each peer's verified public documents of `month`, the latest version of each scope (one query)."""
    by_peer: dict[int, list[PeerDocument]] = {}
    for document in PeerDocument.objects.filter(month=month).select_related("peer").order_by("peer__name", "log_index"):
        by_peer.setdefault(document.peer_id, []).append(document)
    sources = []
    for documents in by_peer.values():
        for document in _latest_per_scope(documents, lambda d: d.scope, lambda d: (d.version, d.log_index)):
            try:
                body = json.loads(bytes(document.content))
            except ValueError:
                continue
            sources.append(Source(organisation=document.peer.label, key_id=document.peer.key_id, scope=document.scope,
                                  version=document.version, log_index=document.log_index, name=document.name,
                                  signature=document.signature, verified=format_month(document.fetched_month),
                                  document=body, peer=document.peer))
    return sources


@dataclass
class Row:
    label: str
    values: list
    range: Range | None


def coalition_table(month: dt.date) -> dict:
    """Everything the page and the exports show of `month`."""
    sources = own_public_documents(month) + peer_documents(month)
    months = [format_month(m) for m in month_range(add_months(month, 1 - MONTHS_SHOWN), month)]
    rows = [Row(label=m, values=[s.series.get(m) for s in sources],
                range=combined([s.series.get(m) for s in sources])) for m in months]
    own_window = next((s.window for s in sources if s.window), {})
    windows = []
    for half in ("previous", "current"):
        span = own_window.get(half) or {}
        same = [s.window.get(half, {}).get("requests") if _same_span(s.window.get(half), span) else None
                for s in sources]
        windows.append(Row(label=half, values=same, range=combined(same)))
    return {"month": month, "sources": sources, "months": months, "rows": rows, "windows": windows,
            "window_span": own_window}


def _same_span(span, other) -> bool:
    return isinstance(span, dict) and isinstance(other, dict) and bool(other) and (
        span.get("first"), span.get("last")) == (other.get("first"), other.get("last"))
