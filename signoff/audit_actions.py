"""The audit log's actions of month sign-off, declared here (intake/models/audit_events.py,
`declare_actions`) and imported by the app's AppConfig.ready."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.models.audit_events import declare_actions


@declare_actions
class Action(models.TextChoices):
    MONTH_SUBMITTED = "month_submitted", _("Month submitted for review")
    MONTH_ACCEPTED = "month_accepted", _("Month accepted")
    MONTH_RETURNED = "month_returned", _("Month returned")
    MONTH_REOPENED = "month_reopened", _("Month reopened")
    UNLOCK_REQUESTED = "unlock_requested", _("Unlock asked for")
    UNLOCK_GRANTED = "unlock_granted", _("Unlock granted")
