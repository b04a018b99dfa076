from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from coalition.forms import PeerForm
from coalition.services import peer_add


class Command(BaseCommand):
    help = "Pin another organisation's publication key (its key.pub), and optionally its instance's address."

    def add_arguments(self, parser):
        parser.add_argument("name", help="a short name for the peer, e.g. hochu-zhit")
        parser.add_argument("--key", required=True, help="the peer's key.pub file (minisign's format)")
        parser.add_argument("--url", default="", help="the base address of its instance, e.g. https://intake.example.org/")

    def handle(self, *args, name, key, url, **options):
        try:
            key_text = Path(key).read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read the key file {key}: {getattr(exc, 'strerror', None) or exc}") from None
        form = PeerForm({"name": name, "key": key_text, "url": url})
        if not form.is_valid():
            raise CommandError(" ".join(str(e) for errors in form.errors.values() for e in errors))
        try:
            peer = peer_add(name=form.cleaned_data["name"], key_text=key_text, url=form.cleaned_data["url"])
        except ValidationError as exc:  # pragma: no cover - the form checked it
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Peer {peer.name} added, key {peer.key_id}" + (f", fetched from {peer.url}" if peer.url else ""))
