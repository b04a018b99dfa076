"""The publication key (docs/security.md, "The publication key"): create it, show its
public parts, rotate it."""

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from publications import minisign, note
from publications.keys import PublishingWaits, key_path, load_private_key, write_key_file
from publications.services import current_key, record_key, rotate


class Command(BaseCommand):
    help = ("The publication key in PUBLICATION_KEY_FILE. `create` makes it (never over an existing file); `show` "
            "prints its public key (minisign's format) and the log's note key; `rotate` replaces it, writing into "
            "the log a statement signed by the old and the new key (--old-key-lost when the old one is lost or "
            "seized: signed by the new key alone).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "show", "rotate"])
        parser.add_argument("--old-key-lost", action="store_true",
                            help="rotate only: the old key is lost or seized; do not use it.")

    def handle(self, *args, action: str, old_key_lost: bool = False, **options):
        path = key_path()
        try:
            getattr(self, action)(path, old_key_lost) if action == "rotate" else getattr(self, action)(path)
        except PublishingWaits as exc:
            raise CommandError(str(exc)) from None

    def create(self, path: Path):
        if path.exists():
            raise CommandError(f"Refused: {path} already exists, and a key is never written over. `publication_key "
                               "show` shows it; `publication_key rotate` replaces it.")
        logged = current_key()
        if logged is not None:
            raise CommandError(f"Refused: the log already signs with key {logged.key_id}. If its file is lost, "
                               "follow the runbook: `publication_key rotate --old-key-lost`.")
        key = Ed25519PrivateKey.generate()
        try:
            write_key_file(path, key)
        except OSError as exc:
            raise CommandError(f"{path} cannot be written ({exc.strerror}).") from None
        record_key(key.public_key())
        self.stdout.write(f"Created the publication key {minisign.key_id(key.public_key())} in {path} (mode 0600). "
                          "Keep a copy offline; publish the public key below in several places.")
        self._public(key)

    def show(self, path: Path):
        key = load_private_key(path)
        self.stdout.write(f"Key file: {path}")
        self._public(key)
        logged = current_key()
        if logged and logged.key_id != minisign.key_id(key.public_key()):
            raise CommandError(f"The log signs with key {logged.key_id}, not this one: publishing waits until the "
                               "log's key file is back, or the key is rotated.")

    def _public(self, key: Ed25519PrivateKey):
        public = key.public_key()
        self.stdout.write(f"Key ID: {minisign.key_id(public)}")
        self.stdout.write("key.pub (minisign):")
        self.stdout.write(minisign.public_key_file(public), ending="")
        self.stdout.write(f"Checkpoint note key: {note.verifier_key(settings.PUBLICATION_LOG_ORIGIN, public)}")

    def rotate(self, path: Path, old_key_lost: bool):
        old_key = None if old_key_lost else load_private_key(path)
        new_key = Ed25519PrivateKey.generate()
        staged = path.with_name(path.name + ".new")
        try:
            write_key_file(staged, new_key)
        except FileExistsError:
            raise CommandError(f"Refused: {staged} exists, left by a rotation that did not finish. If the log "
                               f"names its key, move it to {path}; otherwise delete it and rotate again.") from None
        try:
            entry = rotate(new_key, old_key)
        except BaseException:
            staged.unlink()
            raise
        os.replace(staged, path)
        self.stdout.write(f"Rotated: log entry {entry.index} says the key changes to {entry.key_id}, and the new "
                          f"key is in {path}. Announce the new key.pub everywhere the old one was published.")
        self._public(new_key)
