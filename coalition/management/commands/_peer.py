from django.core.management.base import CommandError

from coalition.models import Peer


def get_peer(name: str) -> Peer:
    peer = Peer.objects.filter(name=name).first()
    if peer is None:
        known = ", ".join(Peer.objects.values_list("name", flat=True)) or "none yet"
        raise CommandError(f"There is no peer named {name!r} (peers: {known}). Add it with `manage.py peer_add`.")
    return peer
