from celery import shared_task

from .models import Peer
from .services import peer_fetch


@shared_task(name="coalition.fetch_peers")
def fetch_peers() -> int:
    """The daily fetch (beat): every peer with an address; returns the documents stored.
    A peer that fails is recorded (PeerAttempt) and the others are fetched all the same."""
    return sum(len(peer_fetch(peer=peer).stored) for peer in Peer.objects.exclude(url=""))
