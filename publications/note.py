"""Signed notes (c2sp.org/signed-note) and log checkpoints (c2sp.org/tlog-checkpoint),
with an Ed25519 key. No Django here.

A checkpoint is the note text "<origin>\\n<tree size>\\n<base64 root hash>\\n"; the
signed note adds a blank line and one line per signature: an em dash, the key name
(here the log's origin), and base64 of the 4-byte key hash followed by the Ed25519
signature of the text. The key hash is the first 4 bytes of SHA-256 over the key
name, a newline, the algorithm byte 0x01 and the public key."""

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .minisign import raw_public_key

ED25519 = b"\x01"
DASH = "\u2014"


def key_hash(name: str, key: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + raw_public_key(key)).digest()[:4]


def verifier_key(name: str, key: Ed25519PublicKey) -> str:
    """The note verifier key, "<name>+<hex key hash>+<base64 of 0x01 and the key>"."""
    return f"{name}+{key_hash(name, key).hex()}+{base64.b64encode(ED25519 + raw_public_key(key)).decode()}"


def checkpoint_text(origin: str, size: int, root_hash: bytes) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root_hash).decode()}\n"


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    if not text.endswith("\n") or " " in name or "+" in name or not name:
        raise ValueError("a note's text ends with a newline; a key name has no space or plus sign")
    signature = private_key.sign(text.encode())
    blob = base64.b64encode(key_hash(name, private_key.public_key()) + signature).decode()
    return f"{text}\n{DASH} {name} {blob}\n"
