"""The audit log's actions of the site (access, the audit log, the second factor), declared here (intake/models/audit_events.py,
`declare_actions`) and imported by the app's AppConfig.ready."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.models.audit_events import declare_actions


@declare_actions
class ShellAction(models.TextChoices):
    ACCESS_REFUSED = "access_refused", _("Access refused")
    AUDIT_LOG_EXPORTED = "audit_log_exported", _("Audit log exported")
    SECOND_FACTOR_SET = "second_factor_set", _("Second factor set up")
