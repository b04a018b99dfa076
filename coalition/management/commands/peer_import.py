from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coalition.services import peer_import
from coalition.verify import Refused

from ._peer import get_peer


def _read(path: str | None, what: str) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read the {what} {path}: {exc.strerror}") from None


class Command(BaseCommand):
    help = ("Import a peer's public document received by hand, with its signature: checked against the peer's key "
            "and log (the checkpoint and proofs given, or fetched from the peer's address) before it is stored.")

    def add_arguments(self, parser):
        parser.add_argument("name", help="the peer's name")
        parser.add_argument("file", help="the document (JSON)")
        parser.add_argument("signature", help="its signature (FILE.minisig)")
        parser.add_argument("--checkpoint", help="the peer's checkpoint (/publications/checkpoint)")
        parser.add_argument("--proof", help="the inclusion proof (/publications/proof/INDEX?size=SIZE)")
        parser.add_argument("--consistency", help="the consistency proof from the last checkpoint seen")

    def handle(self, *args, name, file, signature, checkpoint, proof, consistency, **options):
        peer = get_peer(name)
        try:
            document = peer_import(peer=peer, content=_read(file, "document"), signature=_read(signature, "signature"),
                                   checkpoint=_read(checkpoint, "checkpoint"), proof=_read(proof, "inclusion proof"),
                                   consistency=_read(consistency, "consistency proof"))
        except Refused as refused:
            raise CommandError(f"Refused ({refused.kind}): {refused.reason}") from None
        self.stdout.write(f"Verified and stored: {document.name}, log index {document.log_index} of {peer.name}.")
