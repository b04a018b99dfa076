"""minisign's file formats, written with `cryptography` alone (no Django here).

A public key file is two lines: an untrusted comment, then base64 of "Ed", the
8-byte key id and the 32-byte Ed25519 public key. A signature file is four: an
untrusted comment; base64 of "ED" (the prehashed algorithm, minisign's default), the
key id and the Ed25519 signature of the file's BLAKE2b-512 hash; the trusted comment;
and base64 of the global signature, over the first signature followed by the trusted
comment's text. `minisign -Vm FILE -p key.pub` checks both signatures and prints the
trusted comment.

minisign shows a key id as the 8 bytes read as a little-endian number, in upper-case
hex. Ours is not random, as minisign's own are: it is the BLAKE2b-64 hash of the public
key, so the key file needs to hold nothing but the private key."""

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PUBLIC_KEY_ALGORITHM = b"Ed"
SIGNATURE_ALGORITHM = b"ED"  # Ed25519 over the BLAKE2b-512 hash of the file
# minisign reads comments of up to 1024 bytes; a longer trusted comment would be cut.
COMMENT_MAX_BYTES = 1000


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_number(key: Ed25519PublicKey) -> bytes:
    """The 8 bytes of the key id, as they are stored in key and signature files."""
    return hashlib.blake2b(raw_public_key(key), digest_size=8).digest()


def key_id(key: Ed25519PublicKey) -> str:
    """The key id as minisign prints it: 16 upper-case hex digits."""
    return key_number(key)[::-1].hex().upper()


def public_key_line(key: Ed25519PublicKey) -> str:
    """The base64 line of the public key (what `minisign -P` takes)."""
    return base64.b64encode(PUBLIC_KEY_ALGORITHM + key_number(key) + raw_public_key(key)).decode()


def public_key_file(key: Ed25519PublicKey) -> str:
    return f"untrusted comment: minisign public key {key_id(key)}\n{public_key_line(key)}\n"


def _one_line(text: str, what: str) -> str:
    if "\n" in text or "\r" in text:
        raise ValueError(f"the {what} must be one line")
    if len(text.encode()) > COMMENT_MAX_BYTES:
        raise ValueError(f"the {what} is longer than {COMMENT_MAX_BYTES} bytes")
    return text


def sign(private_key: Ed25519PrivateKey, content: bytes, *, trusted_comment: str, untrusted_comment: str) -> str:
    """The detached signature file (text) of `content`, in minisign's format."""
    trusted = _one_line(trusted_comment, "trusted comment").encode()
    _one_line(untrusted_comment, "untrusted comment")
    signature = private_key.sign(hashlib.blake2b(content).digest())
    global_signature = private_key.sign(signature + trusted)
    number = key_number(private_key.public_key())
    return (f"untrusted comment: {untrusted_comment}\n"
            f"{base64.b64encode(SIGNATURE_ALGORITHM + number + signature).decode()}\n"
            f"trusted comment: {trusted_comment}\n"
            f"{base64.b64encode(global_signature).decode()}\n")
