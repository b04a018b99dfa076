"""The audit log's events."""


from django.db import models
from django.utils.translation import gettext_lazy as _

from ..months import format_month
from .accounts import User
from .base import first_of_month_constraint


class AuditEvent(models.Model):
    """Who did what, and in which month: never an address, never a request's contents.
    Written by the app, read by staff and auditors, changed by nobody."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        ACCESS_REFUSED = "access_refused", _("Access refused")
        REQUESTS_LOGGED = "requests_logged", _("Requests logged")
        REQUEST_CHANGED = "request_changed", _("Request changed")
        REQUESTS_MOVED = "requests_moved", _("Requests moved")
        ENTRY_UNDONE = "entry_undone", _("Entry undone")
        REQUESTS_IMPORTED = "requests_imported", _("Requests imported")
        REPORT_REQUESTED = "report_requested", _("Report requested")
        REPORT_GENERATED = "report_generated", _("Report generated")
        REPORT_EXPORTED = "report_exported", _("Report exported")
        REPORT_VERIFIED = "report_verified", _("Report verified")
        AUDIT_LOG_EXPORTED = "audit_log_exported", _("Audit log exported")
        REFERENCE_FIGURE_ADDED = "reference_figure_added", _("Reference figure added")
        REFERENCE_FIGURE_CHANGED = "reference_figure_changed", _("Reference figure changed")
        REFERENCE_FIGURE_DELETED = "reference_figure_deleted", _("Reference figure deleted")
        SECOND_FACTOR_SET = "second_factor_set", _("Second factor set up")
        ACCOUNT_CREATED = "account_created", _("Account created")
        ACCOUNT_ACTIVATED = "account_activated", _("Account activated")
        ACCOUNT_DEACTIVATED = "account_deactivated", _("Account deactivated")
        ROLE_CHANGED = "role_changed", _("Roles changed")
        MEMBERSHIP_CHANGED = "membership_changed", _("Programme coordinators changed")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        MONTH_SUBMITTED = "month_submitted", _("Month submitted for review")
        MONTH_ACCEPTED = "month_accepted", _("Month accepted")
        MONTH_RETURNED = "month_returned", _("Month returned")
        MONTH_REOPENED = "month_reopened", _("Month reopened")
        UNLOCK_REQUESTED = "unlock_requested", _("Unlock asked for")
        UNLOCK_GRANTED = "unlock_granted", _("Unlock granted")
        MONTH_COLLAPSED = "month_collapsed", _("Month collapsed to counts")
        API_TOKEN_ISSUED = "api_token_issued", _("API token issued")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("account")
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    month = models.DateField(_("month"))
    # What it concerned, in the app's own terms ("desertion-help, 12 requests",
    # "report all 2023-11 v2"), composed by the app: never typed by a person.
    subject = models.CharField(_("concerning"), max_length=200, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        default_permissions = ("view",)
        constraints = [first_of_month_constraint("month", "auditevent_month_is_first_day")]

    def __str__(self) -> str:
        return f"{format_month(self.month)} {self.actor or '-'} {self.action} {self.subject}"
