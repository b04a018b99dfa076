"""Adding and removing peers (audited), and importing or fetching their documents:
each document checked (coalition/verify.py) before anything of it is stored; a refusal
stores nothing of the document and records why (PeerAttempt), for staff to see."""

import json
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from intake import audit
from intake.models import User
from intake.months import current_month

from .audit_actions import CoalitionAction
from .fetch import PeerSite
from .models import Peer, PeerAttempt, PeerCheckpoint, PeerDocument
from .verify import (
    Checked,
    Refused,
    Tree,
    check_checkpoint,
    check_consistency,
    check_document,
    read_key,
    signed_fields,
)


def peer_add(*, name: str, key_text: str, url: str = "", actor: User | None = None) -> Peer:
    """Pin another organisation's publication key (Refused if the text is not a key)."""
    key_id, line = read_key(key_text)
    with transaction.atomic():
        peer = Peer.objects.create(name=name, key_id=key_id, public_key=line, url=url)
        audit.record(actor, CoalitionAction.PEER_ADDED, f"{name} {key_id}")
    return peer


def peer_remove(*, peer: Peer, actor: User | None = None) -> None:
    """Forget a peer, with everything verified of it."""
    with transaction.atomic():
        subject = f"{peer.name} {peer.key_id}"
        peer.delete()
        audit.record(actor, CoalitionAction.PEER_REMOVED, subject)


def record_refusal(peer: Peer, refused: Refused, document: str = "") -> PeerAttempt:
    Peer.objects.filter(pk=peer.pk).update(last_outcome=refused.kind, last_reason=refused.reason[:2000])
    attempt = PeerAttempt.objects.create(peer=peer, kind=refused.kind, reason=refused.reason[:2000],
                                         document=document[:200], month=current_month())
    if attempt.is_alarm:
        audit.record(None, CoalitionAction.PEER_DOCUMENT_REFUSED, f"{peer.name} {refused.kind} {document}")
    return attempt


def _store(peer: Peer, checked: Checked) -> PeerDocument:
    fields = checked.fields
    with transaction.atomic():
        _store_checkpoint(peer, checked.tree)
        document = PeerDocument.objects.create(
            peer=peer, log_index=fields["log_index"], name=str(fields.get("file", ""))[:120],
            scope=str(fields.get("scope", ""))[:80], month=fields["month_date"], version=int(fields["version"]),
            content=checked.content, signature=checked.signature,
            trusted_comment=json.dumps({k: v for k, v in fields.items() if k != "month_date"}, ensure_ascii=False),
            checkpoint=checked.tree.note, fetched_month=current_month())
        organisation = str(fields.get("organisation", ""))[:200]
        if organisation and organisation != peer.organisation:
            Peer.objects.filter(pk=peer.pk).update(organisation=organisation)
            peer.organisation = organisation
        audit.record(None, CoalitionAction.PEER_DOCUMENT_IMPORTED, f"{peer.name} {document.log_index} {document.name}")
    return document


def _store_checkpoint(peer: Peer, tree: Tree) -> None:
    if not peer.checkpoints.filter(size=tree.size).exists():
        PeerCheckpoint.objects.create(peer=peer, size=tree.size, root_hash=tree.root.hex(), note=tree.note,
                                      month=current_month())


def peer_import(*, peer: Peer, content: bytes, signature: bytes, checkpoint: bytes | None = None,
                proof: bytes | None = None, consistency: bytes | None = None) -> PeerDocument:
    """A document received by hand, with its signature; the checkpoint and proofs given,
    or fetched from the peer's address. Refused (and recorded) if any check fails."""
    name = ""
    try:
        site = PeerSite(peer.url) if peer.url and (checkpoint is None or proof is None) else None
        if checkpoint is None:
            if site is None:
                raise Refused(PeerAttempt.Kind.BAD_ANSWER, _no_log_message())
            checkpoint = site.get("publications/checkpoint")
        tree = check_checkpoint(peer, checkpoint)
        last = peer.checkpoints.order_by("-size").first()
        if consistency is None and site is not None and last is not None and 0 < last.size < tree.size:
            consistency = site.get(f"publications/consistency/{last.size}/{tree.size}")
        check_consistency(peer, tree, consistency)
        index = signed_fields(peer, content, signature).get("log_index")
        name = f"{index} " if isinstance(index, int) else ""
        if proof is None:
            if site is None:
                raise Refused(PeerAttempt.Kind.BAD_ANSWER, _no_log_message())
            proof = site.get(f"publications/proof/{int(index or 0)}?size={tree.size}")
        checked = check_document(peer, content, signature, tree, proof)
        Peer.objects.filter(pk=peer.pk).update(last_outcome="ok", last_reason="")
        existing = peer.documents.filter(log_index=checked.fields["log_index"]).first()
        return existing or _store(peer, checked)
    except Refused as refused:
        record_refusal(peer, refused, name)
        raise


def _no_log_message() -> str:
    return _("The document's place in the peer's log cannot be checked: give its checkpoint and inclusion proof "
             "(--checkpoint, --proof), or the peer's address (peer_add --url).")


@dataclass
class FetchResult:
    stored: list[PeerDocument] = field(default_factory=list)
    refused: list[PeerAttempt] = field(default_factory=list)


def peer_fetch(*, peer: Peer) -> FetchResult:
    """Read the peer's log over HTTP and store every public JSON document not yet stored
    that passes every check. A checkpoint that fails stops the fetch (nothing stored);
    a document that fails is refused alone."""
    result = FetchResult()
    try:
        site = PeerSite(peer.url)
        tree = check_checkpoint(peer, site.get("publications/checkpoint"))
        last = peer.checkpoints.order_by("-size").first()
        consistency = None
        if last is not None and 0 < last.size < tree.size:
            consistency = site.get(f"publications/consistency/{last.size}/{tree.size}")
        check_consistency(peer, tree, consistency)
        entries = site.entries(tree.size)
    except Refused as refused:
        result.refused.append(record_refusal(peer, refused))
        return result
    stored = set(peer.documents.values_list("log_index", flat=True))
    for index, name in entries:
        if index in stored:
            continue
        try:
            signature = site.get(f"publications/{index}/{name}.minisig")
            if not _wanted(signature):
                continue
            content = site.get(f"publications/{index}/{name}")
            proof = site.get(f"publications/proof/{index}?size={tree.size}")
            result.stored.append(_store(peer, check_document(peer, content, signature, tree, proof)))
        except Refused as refused:
            result.refused.append(record_refusal(peer, refused, f"{index} {name}"))
        except IntegrityError:  # stored meanwhile by another fetch
            continue
    with transaction.atomic():
        _store_checkpoint(peer, tree)
        if not result.refused:
            Peer.objects.filter(pk=peer.pk).update(last_outcome="ok", last_reason="")
    return result


def _wanted(signature: bytes) -> bool:
    """Whether a signature's (not yet checked) trusted comment names a public document in
    English: other documents are not fetched at all (each publication's Russian file holds
    the same figures)."""
    lines = signature.decode("utf-8", errors="replace").splitlines()
    try:
        comment = json.loads(lines[2].removeprefix("trusted comment: "))
        return comment.get("profile") == "public" and comment.get("language", "en") == "en"
    except (IndexError, ValueError, AttributeError):
        return True  # let the full check say what is wrong with it
