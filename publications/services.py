"""Signing and logging a publication (sign_and_log, the one function the publish step
calls), rotating the key, and the log's proofs.

Appends are serialised: on PostgreSQL by an advisory lock held until the transaction
ends (taken last, after any lock of intake/locks.py the caller holds), on SQLite by its
one writer at a time. So concurrent publications get consecutive indexes, and each
checkpoint covers exactly the entries before it."""

import base64
import hashlib
import json
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from . import merkle, minisign, note
from .keys import PublishingWaits, load_private_key
from .models import Checkpoint, LogEntry, SigningKey

LOG_LOCK = (0x5167, 1)  # PostgreSQL advisory lock keys; intake's locks use other first keys
REQUIRED = ("scope", "month", "version", "profile", "fingerprint")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,110}")


@dataclass(frozen=True)
class SignedEntry:
    index: int
    name: str
    signature: str  # the .minisig file
    trusted_comment: str
    leaf_hash: str  # hex
    key_id: str
    checkpoint: str  # the signed note after this append


def leaf_data(content: bytes, signature: str, co_signature: str = "") -> bytes:
    return hashlib.sha256(content).digest() + hashlib.sha256((signature + co_signature).encode()).digest()


def _hold_log() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::integer, %s::integer)", list(LOG_LOCK))


def current_key() -> SigningKey | None:
    return SigningKey.objects.order_by("-pk").first()


def record_key(public) -> SigningKey:
    """The log's record of a new key (`publication_key create`): key.pub serves it from then on."""
    return SigningKey.objects.create(key_id=minisign.key_id(public), public_key=minisign.public_key_line(public))


def _key_record(private_key: Ed25519PrivateKey) -> SigningKey:
    """The log's record of the key in the file: recorded at first use, and refused if
    the log has gone on with another key (only `rotate` changes the log's key)."""
    public = private_key.public_key()
    current = current_key()
    if current is None:
        return record_key(public)
    if current.public_key != minisign.public_key_line(public):
        raise PublishingWaits(
            _("Publishing waits: the key file holds key %(file)s, but the log's key is %(log)s. Put back the "
              "key file of %(log)s, or change keys with `manage.py publication_key rotate`.")
            % {"file": minisign.key_id(public), "log": current.key_id})
    return current


def _comment_line(fields: dict) -> str:
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def sign_and_log(*, content: bytes, name: str, comment: dict) -> SignedEntry:
    """Sign `content` (the exact bytes served as `name`) and append it to the log, in
    the caller's transaction if there is one. `comment` names at least the scope, month,
    version, profile and published fingerprint; the trusted comment adds the
    organisation and the log index. PublishingWaits, and nothing stored, when the key
    cannot be used."""
    if not NAME.fullmatch(name) or name.endswith(".minisig"):
        raise ValueError(f"not a file name to publish: {name!r}")
    missing = [key for key in REQUIRED if key not in comment]
    if missing:
        raise ValueError(f"the comment lacks {', '.join(missing)}")
    private_key = load_private_key()
    with transaction.atomic():
        _hold_log()
        key = _key_record(private_key)
        index = LogEntry.objects.count()
        fields = {"organisation": settings.PUBLICATION_ORGANISATION, **{k: comment[k] for k in REQUIRED},
                  "log_index": index, "file": name,
                  **{k: v for k, v in comment.items() if k not in REQUIRED and k not in ("organisation", "log_index")}}
        trusted = _comment_line(fields)
        signature = minisign.sign(private_key, content, trusted_comment=trusted,
                                  untrusted_comment=f"{name}, log index {index}, key {key.key_id}")
        entry = LogEntry.objects.create(
            index=index, name=name, content=content, signature=signature, trusted_comment=trusted, key=key,
            leaf_hash=merkle.leaf_hash(leaf_data(content, signature)).hex())
        checkpoint = _checkpoint(private_key, key)
    return SignedEntry(index=index, name=name, signature=signature, trusted_comment=trusted,
                       leaf_hash=entry.leaf_hash, key_id=key.key_id, checkpoint=checkpoint.note)


def _leaves(size: int | None = None) -> list[bytes]:
    hashes = LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    return [bytes.fromhex(h) for h in (hashes if size is None else hashes[:size])]


def _checkpoint(private_key: Ed25519PrivateKey, key: SigningKey) -> Checkpoint:
    leaves = _leaves()
    root_hash = merkle.root(leaves)
    text = note.checkpoint_text(settings.PUBLICATION_LOG_ORIGIN, len(leaves), root_hash)
    return Checkpoint.objects.create(size=len(leaves), root_hash=root_hash.hex(), key=key,
                                     note=note.sign_note(text, settings.PUBLICATION_LOG_ORIGIN, private_key))


def rotate(new_key: Ed25519PrivateKey, old_key: Ed25519PrivateKey | None) -> SignedEntry:
    """Append a statement that the log's key changes to `new_key`, signed by the old
    key and co-signed by the new one (by the new one alone when the old is lost or
    seized: `old_key` None), and a checkpoint signed by the new key."""
    new_public = new_key.public_key()
    with transaction.atomic():
        _hold_log()
        old = current_key()
        if old is None:
            raise PublishingWaits(_("There is no key to rotate: the log has not signed anything yet."))
        if old_key is not None and minisign.public_key_line(old_key.public_key()) != old.public_key:
            raise PublishingWaits(
                _("The key file holds key %(file)s, but the log's key is %(log)s: rotate with the log's key, or "
                  "declare it lost.") % {"file": minisign.key_id(old_key.public_key()), "log": old.key_id})
        new = record_key(new_public)
        index = LogEntry.objects.count()
        name = f"key-rotation-{index}.txt"
        lost = old_key is None
        content = (f"{settings.PUBLICATION_ORGANISATION}: the publication key of {settings.PUBLICATION_LOG_ORIGIN} "
                   f"changes at log index {index}.\n"
                   f"old key {old.key_id}: {old.public_key}\n"
                   f"new key {new.key_id}: {new.public_key}\n"
                   + ("The old key was lost or seized: it no longer speaks for the organisation, and this statement "
                      "is signed by the new key alone.\n" if lost else
                      "Signed by the old key, and co-signed by the new one.\n")).encode()
        trusted = _comment_line({"organisation": settings.PUBLICATION_ORGANISATION, "statement": "key rotation",
                                 "old_key": old.key_id, "new_key": new.key_id, "old_key_lost": lost,
                                 "log_index": index, "file": name})
        co_signature = minisign.sign(new_key, content, trusted_comment=trusted,
                                     untrusted_comment=f"{name}, signed by the new key {new.key_id}")
        if lost:
            signature, co_signature, signer = co_signature, "", new
        else:
            signature, signer = minisign.sign(old_key, content, trusted_comment=trusted,
                                              untrusted_comment=f"{name}, signed by the old key {old.key_id}"), old
        entry = LogEntry.objects.create(
            index=index, kind=LogEntry.Kind.KEY_ROTATION, name=name, content=content, signature=signature,
            co_signature=co_signature, trusted_comment=trusted, key=signer,
            leaf_hash=merkle.leaf_hash(leaf_data(content, signature, co_signature)).hex())
        checkpoint = _checkpoint(new_key, new)
    return SignedEntry(index=index, name=name, signature=signature, trusted_comment=trusted,
                       leaf_hash=entry.leaf_hash, key_id=new.key_id, checkpoint=checkpoint.note)


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def inclusion(index: int, size: int | None = None) -> dict:
    """The inclusion proof of entry `index` in the tree of `size` entries (the whole log
    by default). LookupError if that tree has no such entry."""
    total = LogEntry.objects.count()
    size = total if size is None else size
    if not 0 <= index < size <= total:
        raise LookupError(f"the log has no tree of {size} entries holding entry {index} (it has {total} entries)")
    leaves = _leaves(size)
    return {"log_index": index, "tree_size": size, "leaf_hash": b64(leaves[index]),
            "root_hash": b64(merkle.root(leaves)), "hashes": [b64(h) for h in merkle.inclusion_proof(index, leaves)]}


def consistency(old_size: int, new_size: int) -> dict:
    total = LogEntry.objects.count()
    if not 0 < old_size <= new_size <= total:
        raise LookupError(f"the log has no trees of {old_size} and {new_size} entries to compare (it has {total})")
    leaves = _leaves(new_size)
    return {"old_size": old_size, "new_size": new_size, "old_root_hash": b64(merkle.root(leaves[:old_size])),
            "new_root_hash": b64(merkle.root(leaves)),
            "hashes": [b64(h) for h in merkle.consistency_proof(old_size, leaves)]}
