"""Peers and what was verified of them. Only what peers published to everyone is
stored: their public documents (disclosure-controlled aggregates), signatures and
checkpoints. No time finer than the month (shell/time_policy.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.models import first_of_month_constraint


class Peer(models.Model):
    """Another organisation running this app: its publication key, pinned, and
    optionally the base address of its instance (fetched daily when given)."""

    name = models.SlugField(_("name"), max_length=60, unique=True,
                            help_text=_("A short name for commands and addresses, e.g. hochu-zhit."))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    key_id = models.CharField(_("key ID"), max_length=16)
    public_key = models.CharField(_("public key"), max_length=60)  # minisign's base64 line
    url = models.URLField(_("address of its instance"), max_length=300, blank=True)
    # The outcome of the last import or fetch: "" (none yet), "ok", or a PeerAttempt kind.
    last_outcome = models.CharField(_("last outcome"), max_length=20, blank=True, editable=False)
    last_reason = models.TextField(_("reason"), blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("peer organisation")
        verbose_name_plural = _("peer organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.organisation or self.name


class PeerCheckpoint(models.Model):
    """A checkpoint of the peer's log that verified (signed by its key, consistent with
    every earlier one seen): the last one is what the next must extend."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="checkpoints")
    size = models.PositiveBigIntegerField(_("tree size"))
    root_hash = models.CharField(_("root hash"), max_length=64)
    note = models.TextField(_("signed note"))
    month = models.DateField(_("month seen"))

    class Meta:
        ordering = ["peer", "size"]
        constraints = [models.UniqueConstraint(fields=["peer", "size"], name="peercheckpoint_one_per_size"),
                       first_of_month_constraint("month", "peercheckpoint_month_is_first_day")]

    def __str__(self) -> str:
        return f"{self.peer} checkpoint {self.size}"


class PeerDocument(models.Model):
    """A peer's public document that verified: signature, trusted comment, inclusion
    in the peer's log under `checkpoint`, that checkpoint consistent with earlier ones."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="documents")
    log_index = models.PositiveBigIntegerField(_("log index"))
    name = models.CharField(_("file name"), max_length=120)
    scope = models.CharField(_("scope"), max_length=80)
    month = models.DateField(_("month"))
    version = models.PositiveIntegerField(_("version"))
    content = models.BinaryField(_("content"))
    signature = models.TextField(_("signature"))
    trusted_comment = models.TextField(_("trusted comment"))
    checkpoint = models.TextField(_("checkpoint"))
    fetched_month = models.DateField(_("month fetched"))

    class Meta:
        ordering = ["peer", "log_index"]
        constraints = [models.UniqueConstraint(fields=["peer", "log_index"], name="peerdocument_one_per_index"),
                       first_of_month_constraint("month", "peerdocument_month_is_first_day"),
                       first_of_month_constraint("fetched_month", "peerdocument_fetched_month_is_first_day")]

    def __str__(self) -> str:
        return f"{self.peer} {self.log_index} {self.name}"


class PeerAttempt(models.Model):
    """An import or fetch that was refused or failed, with the reason: shown to staff.
    The kinds that mean the peer's publications cannot be trusted are alarms."""

    class Kind(models.TextChoices):
        FORK = "fork", _("Rewritten history (fork)")
        WRONG_KEY = "wrong_key", _("Wrong key")
        CHANGED = "changed", _("Changed after signing")
        NOT_IN_LOG = "not_in_log", _("Not in the peer's log")
        BAD_ANSWER = "bad_answer", _("Unusable answer")
        TOO_LARGE = "too_large", _("Answer too large")
        TIMEOUT = "timeout", _("No answer in time")
        UNREACHABLE = "unreachable", _("Peer unreachable")

    ALARMS = (Kind.FORK, Kind.WRONG_KEY, Kind.CHANGED, Kind.NOT_IN_LOG)

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="attempts")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    document = models.CharField(_("document"), max_length=200, blank=True)
    month = models.DateField(_("month"))

    class Meta:
        ordering = ["-pk"]
        constraints = [first_of_month_constraint("month", "peerattempt_month_is_first_day")]

    def __str__(self) -> str:
        return f"{self.peer} {self.kind}"

    @property
    def is_alarm(self) -> bool:
        return self.kind in self.ALARMS
