"""The audit log's actions of the coalition view, declared here (intake/models/audit_events.py,
`declare_actions`) and imported by the app's AppConfig.ready."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.models.audit_events import declare_actions


@declare_actions
class CoalitionAction(models.TextChoices):
    PEER_ADDED = "peer_added", _("Peer organisation added")
    PEER_REMOVED = "peer_removed", _("Peer organisation removed")
    PEER_DOCUMENT_IMPORTED = "peer_document_imported", _("Peer's document imported")
    PEER_DOCUMENT_REFUSED = "peer_document_refused", _("Peer's document refused")
