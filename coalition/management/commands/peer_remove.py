from django.core.management.base import BaseCommand

from coalition.services import peer_remove

from ._peer import get_peer


class Command(BaseCommand):
    help = "Forget a peer, with every document and checkpoint verified of it."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name, **options):
        peer = get_peer(name)
        peer_remove(peer=peer)
        self.stdout.write(f"Peer {name} removed.")
