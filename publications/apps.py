from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    """Signed publications: the organisation's publication key (a file, never in the
    database), the transparency log of what it has published (a Merkle tree in the
    database, with signed checkpoints and proofs) and the public pages that serve them.
    Above intake and reports; nothing below imports it (tests/test_layering.py)."""

    name = "publications"
    verbose_name = _("Publications")
