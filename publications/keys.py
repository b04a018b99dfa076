"""The publication key file (settings.PUBLICATION_KEY_FILE): an Ed25519 private key in
PKCS #8 PEM, mode 0600. Never in the database. A file that is missing, unreadable,
readable by others or not such a key stops publishing with one line saying why
(PublishingWaits): nothing unsigned goes out."""

import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key
from django.conf import settings
from django.utils.translation import gettext as _


class PublishingWaits(Exception):
    """Nothing can be signed now; the message says why and what to do."""


def key_path() -> Path:
    return Path(settings.PUBLICATION_KEY_FILE)


def load_private_key(path: Path | None = None) -> Ed25519PrivateKey:
    path = path or key_path()
    try:
        mode = path.stat().st_mode
        if mode & 0o077:
            raise PublishingWaits(
                _("Publishing waits: the publication key file %(path)s can be read by other accounts (mode "
                  "%(mode)s). Make it readable by the app's account only: chmod 600 %(path)s.")
                % {"path": path, "mode": oct(stat.S_IMODE(mode))[2:]})
        data = path.read_bytes()
    except FileNotFoundError:
        raise PublishingWaits(
            _("Publishing waits: there is no publication key file at %(path)s. An administrator makes one with "
              "`manage.py publication_key create`.") % {"path": path}) from None
    except OSError as exc:
        raise PublishingWaits(
            _("Publishing waits: the publication key file %(path)s cannot be read (%(reason)s). Give the app's "
              "account read access to it, and no one else.") % {"path": path, "reason": exc.strerror}) from None
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise PublishingWaits(
            _("Publishing waits: %(path)s is not an Ed25519 private key in PEM format. Restore the key file from "
              "its backup, or follow the runbook for a lost key (docs/security.md).") % {"path": path})
    return key


def write_key_file(path: Path, key: Ed25519PrivateKey) -> None:
    """Writes the key to a new file, mode 0600 from the start; FileExistsError if the
    file exists (a key is never written over)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
