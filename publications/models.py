"""The transparency log: the keys it was signed with, its entries (append-only: a
withdrawal or correction is a new entry, never a change or deletion) and a signed
checkpoint after each append. Only disclosure-controlled aggregates are stored here:
no request, no account, no time (the month a document is about is in its comment)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(models.Model):
    """Rows are added, never changed or deleted (purge and collapse never touch them)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are never deleted")


class SigningKey(AppendOnly):
    """A public key the log has used, in the order of use: the last is the current one."""

    key_id = models.CharField(_("key ID"), max_length=16, unique=True)
    public_key = models.CharField(_("public key"), max_length=60, unique=True)  # minisign's base64 line

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.key_id

    @property
    def file_text(self) -> str:
        return f"untrusted comment: minisign public key {self.key_id}\n{self.public_key}\n"


class LogEntry(AppendOnly):
    class Kind(models.TextChoices):
        PUBLICATION = "publication", _("Publication")
        KEY_ROTATION = "key_rotation", _("Key rotation")

    index = models.PositiveBigIntegerField(_("log index"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PUBLICATION)
    name = models.CharField(_("file name"), max_length=120)
    content = models.BinaryField(_("content"))
    # The minisign signature file; a key rotation's is by the old key, and its
    # co-signature by the new one. The leaf is RFC 6962's hash of the SHA-256 of the
    # content followed by the SHA-256 of the signature and co-signature.
    signature = models.TextField(_("signature"))
    co_signature = models.TextField(_("co-signature"), blank=True)
    trusted_comment = models.TextField(_("trusted comment"))
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    leaf_hash = models.CharField(_("leaf hash"), max_length=64)

    class Meta:
        ordering = ["index"]
        verbose_name_plural = _("log entries")

    def __str__(self) -> str:
        return f"{self.index} {self.name}"


class Checkpoint(AppendOnly):
    """The signed note of the tree of the first `size` entries."""

    size = models.PositiveBigIntegerField(_("tree size"), unique=True)
    root_hash = models.CharField(_("root hash"), max_length=64)
    note = models.TextField(_("signed note"))
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["size"]

    def __str__(self) -> str:
        return f"checkpoint {self.size}"


class SignedFile(AppendOnly):
    """Which log entry signs which file of a stored publication (reports.Publication):
    one per language and kind (JSON or CSV), made in the transaction that stores the
    publication, so that no file is served without its signature."""

    class Kind(models.TextChoices):
        JSON = "json", "JSON"
        CSV = "csv", "CSV"

    publication = models.ForeignKey("reports.Publication", on_delete=models.PROTECT, related_name="signed_files",
                                    verbose_name=_("publication"))
    language = models.CharField(_("language"), max_length=10)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    entry = models.OneToOneField(LogEntry, on_delete=models.PROTECT, related_name="signed_file",
                                 verbose_name=_("log entry"))

    class Meta:
        verbose_name = _("signed file")
        verbose_name_plural = _("signed files")
        constraints = [
            models.UniqueConstraint(fields=["publication", "language", "kind"], name="signedfile_one_per_file"),
        ]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.language} {self.kind}: {self.entry_id}"
