from django.core.management.base import BaseCommand, CommandError

from coalition.services import peer_fetch

from ._peer import get_peer


class Command(BaseCommand):
    help = "Fetch a peer's new public documents from its /publications/ and store those that verify."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name, **options):
        peer = get_peer(name)
        if not peer.url:
            raise CommandError(f"Peer {name} has no address: add one (peer_remove, then peer_add --url), "
                               "or import its documents with `manage.py peer_import`.")
        result = peer_fetch(peer=peer)
        for document in result.stored:
            self.stdout.write(f"Verified and stored: {document.name}, log index {document.log_index}.")
        for attempt in result.refused:
            self.stderr.write(f"Refused ({attempt.kind}): {attempt.reason}")
        self.stdout.write(f"{len(result.stored)} document(s) stored, {len(result.refused)} refused.")
        if result.refused:
            raise CommandError(f"{len(result.refused)} refused: see above.")
