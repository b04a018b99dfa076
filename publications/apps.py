from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FileNameConverter:
    """A published file's name in a URL: letters, digits, dot, dash and underscore."""

    regex = r"[A-Za-z0-9][A-Za-z0-9._-]{0,110}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class KeyIdConverter:
    """A minisign key ID: 16 upper-case hex digits."""

    regex = r"[0-9A-F]{16}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class SignedKindConverter:
    """The kinds of export that are signed: JSON and CSV (the Excel file is made from
    the stored document on request, not published)."""

    regex = r"json|csv"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class PublicationsConfig(AppConfig):
    """Signed publications: the organisation's publication key (a file, never in the
    database), the transparency log of what it has published (a Merkle tree in the
    database, with signed checkpoints and proofs) and the public pages that serve them.
    Above intake and reports; nothing below imports it (tests/test_layering.py)."""

    name = "publications"
    verbose_name = _("Publications")

    def ready(self):
        from django.urls import register_converter

        from reports.signals import publication_stored

        from .signing import sign_publications

        # Every file of a new publication signed and logged in its transaction.
        publication_stored.connect(sign_publications, dispatch_uid="publications.sign_publications")
        from django.urls.converters import get_converters

        registered = get_converters()
        for name, converter in (("filename", FileNameConverter), ("keyid", KeyIdConverter),
                                 ("signedkind", SignedKindConverter)):
            if registered.get(name).__class__ is not converter:  # ready() may run again (migration tests)
                register_converter(converter, name)
