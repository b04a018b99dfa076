"""The audit log's actions of the API's tokens, declared here (intake/models/audit_events.py,
`declare_actions`) and imported by the app's AppConfig.ready."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.models.audit_events import declare_actions


@declare_actions
class ApiAction(models.TextChoices):
    API_TOKEN_ISSUED = "api_token_issued", _("API token issued")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
