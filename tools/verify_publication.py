#!/usr/bin/env python3
"""Check a document published by a Case intake site, offline or against its log.

    python3 verify_publication.py FILE --key key.pub
    python3 verify_publication.py FILE --key key.pub --url https://SITE/publications/ --checkpoint saved-checkpoint
    python3 verify_publication.py FILE --key key.pub --checkpoint CP --proof PROOF.json \\
        [--saved-checkpoint OLD_CP --consistency CONSISTENCY.json]

It checks, printing one line per check (OK or FAIL) and exiting 0 when all pass, 1
otherwise (a guide: docs/verify.md):

- signature: FILE.minisig (or --signature) is a minisign signature of FILE by the key
  in key.pub, and its trusted comment (organisation, month, log index...) is the
  signed one. The stock `minisign -Vm FILE -p key.pub` checks the same.
- checkpoint: the log's checkpoint (fetched from --url, or --checkpoint) is signed
  by that key (or one given with --old-key), in the C2SP signed-note format.
- inclusion: the file and its signature are in the log that checkpoint describes, at
  the log index the signature names (an RFC 6962 inclusion proof).
- consistency: a checkpoint you saved earlier (--saved-checkpoint, or --checkpoint with
  --url) describes a beginning of the same log: nothing published before it was
  replaced or removed since (an RFC 6962 consistency proof).

Needs Python 3.9+ and the `cryptography` package only (pip install cryptography).
"""

import argparse
import base64
import binascii
import hashlib
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # pragma: no cover - said in one line, like every other problem
    print("FAIL setup: this verifier needs the cryptography package: pip install cryptography")
    sys.exit(1)

DASH = "\u2014"


class Failed(Exception):
    """A check failed; the message says why, in one line. `kind` tells a program what
    failed: "wrong_key" (signed by another key), "changed" (the bytes or the trusted
    comment differ from what was signed), or "" for anything else."""

    def __init__(self, message: str, kind: str = ""):
        super().__init__(message)
        self.kind = kind


# --- minisign ------------------------------------------------------------------------


def b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise Failed(f"{what} is not valid base64") from None


def read_public_key(data: bytes, name: str):
    """(key id as minisign prints it, 8-byte key number, Ed25519PublicKey)."""
    try:
        lines = [line for line in data.decode("utf-8").splitlines() if line.strip()]
    except UnicodeDecodeError:
        raise Failed(f"{name} is not a minisign public key (it is not text)") from None
    lines = [line for line in lines if not line.startswith("untrusted comment:")]
    try:
        raw = b64decode(lines[0], name) if len(lines) == 1 else b""
    except Failed:
        raw = b""
    if len(raw) != 42 or raw[:2] != b"Ed":
        raise Failed(f"{name} is not a minisign public key: expected a comment line and one base64 line of an "
                     "Ed25519 key")
    return raw[2:10][::-1].hex().upper(), raw[2:10], Ed25519PublicKey.from_public_bytes(raw[10:])


def check_signature(content: bytes, signature: bytes, keys: list) -> dict:
    """The trusted comment (parsed) if `signature` is a valid minisign signature of
    `content` by one of `keys`."""
    try:
        lines = signature.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise Failed("the signature file is not text") from None
    if len(lines) < 4 or not lines[0].startswith("untrusted comment:") or not lines[2].startswith(
            "trusted comment: "):
        raise Failed("the signature file is truncated or not a minisign signature (it needs four lines)")
    raw = b64decode(lines[1], "the signature line")
    global_signature = b64decode(lines[3], "the trusted comment's signature line")
    if len(raw) != 74 or raw[:2] not in (b"ED", b"Ed") or len(global_signature) != 64:
        raise Failed("the signature file is truncated or not a minisign signature")
    matching = [key for key in keys if key[1] == raw[2:10]]
    if not matching:
        raise Failed(kind="wrong_key", message=f"signed by key {raw[2:10][::-1].hex().upper()}, not by the key given "
                     f"({', '.join(k[0] for k in keys)})")
    key_id, _number, public = matching[0]
    message = hashlib.blake2b(content).digest() if raw[:2] == b"ED" else content
    try:
        public.verify(raw[10:], message)
    except InvalidSignature:
        raise Failed(f"the file is not the one key {key_id} signed: it was changed after signing", "changed") from None
    trusted = lines[2][len("trusted comment: "):]
    try:
        public.verify(global_signature, raw[10:] + trusted.encode("utf-8"))
    except InvalidSignature:
        raise Failed("the trusted comment was changed after signing", "changed") from None
    try:
        fields = json.loads(trusted)
    except ValueError:
        fields = {}
    return {"key_id": key_id, "trusted": trusted, "fields": fields if isinstance(fields, dict) else {}}


# --- the log: checkpoints and proofs (RFC 6962, c2sp.org/tlog-checkpoint) ------------------


def open_checkpoint(data: bytes, keys: list, what: str):
    """(origin, size, root hash) of a checkpoint signed by one of `keys`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Failed(f"the {what} is not text") from None
    body, separator, signatures = text.partition("\n\n")
    body += "\n"
    lines = body.splitlines()
    if not separator or len(lines) < 3 or not lines[1].isdigit():
        raise Failed(f"the {what} is not a signed checkpoint (origin, size and root lines, a blank line, signatures)")
    origin, size, root = lines[0], int(lines[1]), b64decode(lines[2], f"the {what}'s root hash")
    if len(root) != 32:
        raise Failed(f"the {what}'s root hash is not 32 bytes")
    for line in signatures.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH or parts[1] != origin:
            continue
        blob = b64decode(parts[2], f"a signature of the {what}")
        for key_id, _number, public in keys:
            raw_key = public.public_bytes_raw()
            if blob[:4] != hashlib.sha256(origin.encode() + b"\n\x01" + raw_key).digest()[:4]:
                continue
            try:
                public.verify(blob[4:], body.encode("utf-8"))
            except InvalidSignature:
                raise Failed(f"the {what}'s signature by key {key_id} does not match its text: it was changed",
                             "changed") from None
            return origin, size, root, key_id
    raise Failed(f"the {what} is not signed by the key given ({', '.join(k[0] for k in keys)})", "wrong_key")


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def hashes_of(proof: dict, what: str) -> list:
    values = proof.get("hashes")
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise Failed(f"the {what} has no list of hashes")
    decoded = [b64decode(v, f"a hash of the {what}") for v in values]
    if any(len(h) != 32 for h in decoded):
        raise Failed(f"a hash of the {what} is not 32 bytes")
    return decoded


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: list) -> bytes:
    """RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size:
        raise Failed(f"entry {index} cannot be in a log of {size} entries")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise Failed("the inclusion proof is longer than the tree allows: it is for another tree")
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise Failed("the inclusion proof is shorter than the tree needs: it is for another tree")
    return r


def check_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list) -> None:
    """RFC 9162 section 2.1.4.2."""
    if old_size > new_size:
        raise Failed(f"the saved checkpoint ({old_size} entries) is newer than the log's ({new_size}): the log shrank")
    if old_size == new_size:
        if proof or old_root != new_root:
            raise Failed("the log's checkpoint has as many entries as the saved one, but another root: it was rewritten")
        return
    if old_size == 0:
        return
    if not proof:
        raise Failed("the consistency proof is empty")
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        proof = [old_root, *proof]
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            raise Failed("the consistency proof is longer than the trees allow: it is for other trees")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != old_root or sr != new_root:
        raise Failed("the log is not an extension of the saved checkpoint: entries were replaced or removed")


# --- the command ---------------------------------------------------------------------------


def read(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as exc:
        raise Failed(f"cannot read the {what} {path}: {exc.strerror}") from None


def fetch(base: str, path: str, what: str) -> bytes:
    url = urllib.parse.urljoin(base if base.endswith("/") else base + "/", path)
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise Failed(f"{base} is not an http(s) address")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # nosec B310: http(s) only, checked above
            return response.read(10_000_000)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise Failed(f"cannot fetch the {what} from {url}: {getattr(exc, 'reason', exc)}") from None


def parse_json(data: bytes, what: str) -> dict:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Failed(f"the {what} is not JSON") from None
    if not isinstance(value, dict):
        raise Failed(f"the {what} is not a JSON object")
    if "error" in value:
        raise Failed(f"the log answered: {value['error']}")
    return value


class Report:
    def __init__(self):
        self.failed = False

    def line(self, ok: bool, check: str, text: str) -> None:
        self.failed |= not ok
        print(f"{'OK  ' if ok else 'FAIL'} {check}: {text}")


def run(args, report: Report) -> None:
    content = read(args.file, "file")
    keys = [read_public_key(read(path, "key"), path) for path in [args.key, *args.old_key]]
    signature = read(args.signature or args.file + ".minisig", "signature")
    try:
        signed = check_signature(content, signature, keys)
    except Failed as exc:
        report.line(False, "signature", str(exc))
        return
    report.line(True, "signature", f"signed by key {signed['key_id']}; trusted comment: {signed['trusted']}")
    index = signed["fields"].get("log_index")
    latest_data = saved_data = None
    if args.url:
        latest_data = fetch(args.url, "checkpoint", "log's checkpoint")
        saved_data = read(args.checkpoint, "saved checkpoint") if args.checkpoint else None
    elif args.checkpoint:
        latest_data = read(args.checkpoint, "checkpoint")
        saved_data = read(args.saved_checkpoint, "saved checkpoint") if args.saved_checkpoint else None
    if latest_data is None:
        return
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        report.line(False, "inclusion", "the trusted comment names no log index")
        return
    try:
        origin, size, root, key_id = open_checkpoint(latest_data, keys, "log's checkpoint")
    except Failed as exc:
        report.line(False, "checkpoint", str(exc))
        return
    report.line(True, "checkpoint", f"{origin}, {size} entries, signed by key {key_id}")
    try:
        if args.url:
            proof = parse_json(fetch(args.url, f"proof/{index}?size={size}", "inclusion proof"), "inclusion proof")
        elif args.proof:
            proof = parse_json(read(args.proof, "inclusion proof"), "inclusion proof")
        else:
            raise Failed("no inclusion proof given (--proof)")
        leaf = leaf_hash(hashlib.sha256(content).digest() + hashlib.sha256(signature).digest())
        if proof.get("log_index") != index or proof.get("tree_size") != size:
            raise Failed(f"the proof is for entry {proof.get('log_index')} of a log of {proof.get('tree_size')} "
                         f"entries, not entry {index} of {size}: it is for another tree")
        if root_from_inclusion(index, size, leaf, hashes_of(proof, "inclusion proof")) != root:
            raise Failed(f"the file and its signature are not entry {index} of the log the checkpoint describes")
        report.line(True, "inclusion", f"entry {index} of the log's {size}")
    except Failed as exc:
        report.line(False, "inclusion", str(exc))
    if saved_data is None:
        return
    try:
        old_origin, old_size, old_root, _key = open_checkpoint(saved_data, keys, "saved checkpoint")
        if old_origin != origin:
            raise Failed(f"the saved checkpoint is of another log ({old_origin}, not {origin})")
        hashes = []
        if 0 < old_size < size:
            if args.url:
                data = fetch(args.url, f"consistency/{old_size}/{size}", "consistency proof")
            elif args.consistency:
                data = read(args.consistency, "consistency proof")
            else:
                raise Failed("no consistency proof given (--consistency)")
            proof = parse_json(data, "consistency proof")
            if proof.get("old_size") != old_size or proof.get("new_size") != size:
                raise Failed(f"the proof is from {proof.get('old_size')} to {proof.get('new_size')} entries, not "
                             f"{old_size} to {size}: it is for other trees")
            hashes = hashes_of(proof, "consistency proof")
        check_consistency(old_size, size, old_root, root, hashes)
        report.line(True, "consistency", f"the log's {size} entries begin with the {old_size} of the saved checkpoint")
    except Failed as exc:
        report.line(False, "consistency", str(exc))


class Parser(argparse.ArgumentParser):
    def error(self, message):
        print(f"FAIL usage: {message} (--help says how to use it)")
        sys.exit(1)


def main(argv=None) -> int:
    parser = Parser(description="Check a publication's signature and its place in the transparency log.")
    parser.add_argument("file", help="the published file (JSON or CSV)")
    parser.add_argument("--key", required=True, help="the organisation's key.pub (minisign's format)")
    parser.add_argument("--signature", help="its signature (default: FILE.minisig)")
    parser.add_argument("--old-key", action="append", default=[], help="an earlier key.pub, for older checkpoints")
    parser.add_argument("--url", help="the site's /publications/ address: fetch the checkpoint and proofs from it")
    parser.add_argument("--checkpoint", help="with --url: a checkpoint you saved earlier; without: the log's checkpoint")
    parser.add_argument("--proof", help="the inclusion proof (JSON from /publications/proof/INDEX?size=SIZE)")
    parser.add_argument("--saved-checkpoint", help="without --url: a checkpoint you saved earlier")
    parser.add_argument("--consistency", help="the consistency proof (JSON from /publications/consistency/OLD/NEW)")
    args = parser.parse_args(argv)
    report = Report()
    try:
        run(args, report)
    except Failed as exc:
        report.line(False, "input", str(exc))
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        report.line(False, "input", f"{type(exc).__name__}: {exc}")
    print("All checks passed." if not report.failed else "Some checks FAILED: see docs/verify.md for what each means.")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
