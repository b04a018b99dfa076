"""The audit log's actions of the core: logins, accounts, requests, collapse, declared here (intake/models/audit_events.py,
`declare_actions`) and imported by the app's AppConfig.ready."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models.audit_events import declare_actions


@declare_actions
class Action(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    REQUESTS_LOGGED = "requests_logged", _("Requests logged")
    REQUEST_CHANGED = "request_changed", _("Request changed")
    REQUESTS_MOVED = "requests_moved", _("Requests moved")
    ENTRY_UNDONE = "entry_undone", _("Entry undone")
    REQUESTS_IMPORTED = "requests_imported", _("Requests imported")
    ACCOUNT_CREATED = "account_created", _("Account created")
    ACCOUNT_ACTIVATED = "account_activated", _("Account activated")
    ACCOUNT_DEACTIVATED = "account_deactivated", _("Account deactivated")
    ROLE_CHANGED = "role_changed", _("Roles changed")
    MEMBERSHIP_CHANGED = "membership_changed", _("Programme coordinators changed")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    MONTH_COLLAPSED = "month_collapsed", _("Month collapsed to counts")
