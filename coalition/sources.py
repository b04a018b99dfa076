"""The sources of the coalition page: this organisation's own public documents and
each peer's verified ones, for one month, as columns of the same table.

`own_public_documents` is the ONE place that says where the organisation's own public
figures come from (today: its transparency log, publications.LogEntry); when published
documents are stored apart (reports.Publication), only it changes."""

import datetime as dt
import json
from dataclasses import dataclass, field

from django.conf import settings

from intake.months import add_months, format_month, month_range
from publications.models import LogEntry

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
    latest = {}
    for item in items:
        scope = scope_of(item)
        if scope not in latest or rank_of(item) > rank_of(latest[scope]):
            latest[scope] = item
    return [latest[scope] for scope in sorted(latest, key=lambda s: (s != "all", s))]


def own_public_documents(month: dt.date) -> list[Source]:
    """The organisation's own public JSON documents of `month`, the latest version of
    each scope, as its log holds them (one query)."""
    entries = []
    for entry in (LogEntry.objects.filter(kind=LogEntry.Kind.PUBLICATION, name__endswith=".json",
                                          trusted_comment__contains=f'"month":"{format_month(month)}"')
                  .select_related("key").order_by("index")):
        comment = json.loads(entry.trusted_comment)
        if comment.get("profile") != "public" or comment.get("month") != format_month(month):
            continue
        try:
            document = json.loads(bytes(entry.content))
        except ValueError:
            continue
        entries.append((entry, comment, document))
    chosen = _latest_per_scope(entries, lambda e: str(e[1].get("scope")), lambda e: (int(e[1]["version"]), e[0].index))
    return [Source(organisation=comment.get("organisation") or settings.PUBLICATION_ORGANISATION,
                   key_id=entry.key.key_id, scope=str(comment.get("scope")), version=int(comment["version"]),
                   log_index=entry.index, name=entry.name, signature=entry.signature, verified="",
                   document=document) for entry, comment, document in chosen]


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
