"""Checking a peer's document before anything of it is stored: the signature and
trusted comment against the pinned key, the checkpoint signed by that key, the
document's inclusion in the log the checkpoint describes, and that checkpoint's
consistency with the last one seen from the peer. The checks are those of the
journalists' verifier (tools/verify_publication.py) and the log's own hashing
(publications.merkle, publications.services.leaf_data): nothing is re-implemented
here. A failed check raises Refused with the kind of failure and one line saying why."""

import json
from dataclasses import dataclass

from django.utils.translation import gettext as _

from intake.months import parse_month
from publications import merkle
from publications.services import leaf_data
from tools import verify_publication as verifier

from .models import Peer, PeerAttempt

Kind = PeerAttempt.Kind


class Refused(Exception):
    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class Tree:
    size: int
    root: bytes
    note: str


@dataclass(frozen=True)
class Checked:
    """A document that passed every check, with what its trusted comment says."""

    fields: dict
    content: bytes
    signature: str
    tree: Tree


def key_file_text(public_key: str, key_id: str) -> str:
    return f"untrusted comment: minisign public key {key_id}\n{public_key}\n"


def read_key(text: str) -> tuple[str, str]:
    """(key ID, base64 line) of a minisign public key file's text; Refused if it is not one."""
    try:
        key_id, _number, _public = verifier.read_public_key(text.encode(), "the key")
    except verifier.Failed as exc:
        raise Refused(Kind.BAD_ANSWER, str(exc)) from None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("untrusted comment:")]
    return key_id, lines[0]


def _keys(peer: Peer) -> list:
    return [verifier.read_public_key(key_file_text(peer.public_key, peer.key_id).encode(), peer.name)]


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(Kind.BAD_ANSWER, _("The %(what)s is not text.") % {"what": what}) from None


def _json(data: bytes, what: str) -> dict:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused(Kind.BAD_ANSWER, _("The %(what)s is not JSON.") % {"what": what}) from None
    if not isinstance(value, dict):
        raise Refused(Kind.BAD_ANSWER, _("The %(what)s is not a JSON object.") % {"what": what})
    return value


def _kind(exc: verifier.Failed) -> str:
    return {"wrong_key": Kind.WRONG_KEY, "changed": Kind.CHANGED}.get(exc.kind, Kind.BAD_ANSWER)


def check_checkpoint(peer: Peer, data: bytes) -> Tree:
    """The peer's checkpoint, signed by its pinned key."""
    try:
        _origin, size, root, _key_id = verifier.open_checkpoint(data, _keys(peer), "peer's checkpoint")
    except verifier.Failed as exc:
        raise Refused(_kind(exc), str(exc)) from None
    return Tree(size=size, root=root, note=_text(data, "checkpoint"))


def check_consistency(peer: Peer, tree: Tree, proof: bytes | None) -> None:
    """That `tree` extends the last checkpoint seen from the peer (a fork otherwise).
    `proof`: the consistency proof from the last size to the new one, when it grew."""
    last = peer.checkpoints.order_by("-size").first()
    if last is None:
        return
    old_root = bytes.fromhex(last.root_hash)
    if tree.size < last.size or (tree.size == last.size and tree.root != old_root):
        raise Refused(Kind.FORK, _(
            "The peer's log now has %(new)s entries and another history than the %(old)s entries seen before: "
            "it was rewritten.") % {"new": tree.size, "old": last.size})
    if tree.size == last.size:
        return
    if proof is None:
        raise Refused(Kind.BAD_ANSWER, _("No consistency proof from %(old)s to %(new)s entries was given.")
                      % {"old": last.size, "new": tree.size})
    value = _json(proof, "consistency proof")
    if value.get("old_size") != last.size or value.get("new_size") != tree.size:
        raise Refused(Kind.BAD_ANSWER, _("The consistency proof is for other trees."))
    try:
        verifier.check_consistency(last.size, tree.size, old_root, tree.root,
                                   verifier.hashes_of(value, "consistency proof"))
    except verifier.Failed as exc:
        raise Refused(Kind.FORK, _("The peer's log does not extend the %(old)s entries seen before: %(why)s")
                      % {"old": last.size, "why": exc}) from None


def signed_fields(peer: Peer, content: bytes, signature: bytes) -> dict:
    """The trusted comment of a signature by the peer's key over `content`."""
    try:
        signed = verifier.check_signature(content, signature, _keys(peer))
    except verifier.Failed as exc:
        raise Refused(_kind(exc), str(exc)) from None
    return signed["fields"]


def check_document(peer: Peer, content: bytes, signature: bytes, tree: Tree, proof: bytes) -> Checked:
    """Every check of one document, given the peer's checkpoint (already checked) and
    the document's inclusion proof in it."""
    fields = signed_fields(peer, content, signature)
    index = fields.get("log_index")
    if fields.get("profile") != "public" or not isinstance(index, int) or isinstance(index, bool):
        raise Refused(Kind.BAD_ANSWER, _("The document is not a public document with a log index."))
    try:
        month = parse_month(str(fields.get("month")))
        int(fields.get("version"))
    except (TypeError, ValueError):
        raise Refused(Kind.BAD_ANSWER, _("The document's trusted comment names no month or version.")) from None
    document = _json(content, "document")
    if document.get("month") != fields["month"] or document.get("profile") != "public":
        raise Refused(Kind.BAD_ANSWER, _("The document is not the public report of the month its signature names."))
    if not 0 <= index < tree.size:
        raise Refused(Kind.NOT_IN_LOG, _(
            "The peer's log of %(size)s entries has no entry %(index)s: the peer never published this document.")
            % {"size": tree.size, "index": index})
    value = _json(proof, "inclusion proof")
    if value.get("log_index") != index or value.get("tree_size") != tree.size:
        raise Refused(Kind.BAD_ANSWER, _("The inclusion proof is for another entry or tree."))
    signature_text = _text(signature, "signature")
    leaf = merkle.leaf_hash(leaf_data(content, signature_text))
    try:
        root = verifier.root_from_inclusion(index, tree.size, leaf, verifier.hashes_of(value, "inclusion proof"))
    except verifier.Failed as exc:
        raise Refused(Kind.BAD_ANSWER, str(exc)) from None
    if root != tree.root:
        raise Refused(Kind.NOT_IN_LOG, _(
            "Entry %(index)s of the peer's log is not this document: the peer never published it.")
            % {"index": index})
    return Checked(fields={**fields, "month_date": month}, content=content, signature=signature_text, tree=tree)
