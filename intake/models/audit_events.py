"""The audit log's events."""


from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..months import format_month
from .accounts import User
from .base import first_of_month_constraint

# The actions of the audit log, code -> label, in the order the apps declare them.
_ACTIONS: dict[str, str] = {}


def declare_actions(actions: type[models.TextChoices]) -> type[models.TextChoices]:
    """Add an app's actions (a TextChoices class, used as a decorator) to those the audit
    log knows. Each app declares its own, in its `audit_actions` module, which its
    AppConfig.ready imports; a code declared twice is a mistake and stops start-up."""
    for code, label in actions.choices:
        if code in _ACTIONS:
            raise ImproperlyConfigured(f"The audit action {code!r} is declared twice.")
        _ACTIONS[code] = label
    return actions


def action_choices() -> list[tuple[str, str]]:
    """Every declared action, as (code, label)."""
    return list(_ACTIONS.items())


def action_label(code: str) -> str:
    """The label of an action; the code itself for one no app declares (any more)."""
    return str(_ACTIONS.get(code, code))


class AuditEvent(models.Model):
    """Who did what, and in which month: never an address, never a request's contents.
    Written by the app, read by staff and auditors, changed by nobody."""

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("account")
    )
    # One of the actions the apps declare (intake/audit.py, `declare`): not a list of
    # choices here, so that an app's new action needs no migration of this table.
    action = models.CharField(_("action"), max_length=30)
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
        # The log page's filters, each with the id it pages by (newest first): at a
        # million events a page reads its hundred rows from an index, whatever the filter.
        indexes = [
            models.Index(fields=["month", "id"], name="auditevent_month_id"),
            models.Index(fields=["action", "id"], name="auditevent_action_id"),
            models.Index(fields=["actor", "id"], name="auditevent_actor_id"),
        ]

    def __str__(self) -> str:
        return f"{format_month(self.month)} {self.actor or '-'} {self.action} {self.subject}"

    def get_action_display(self) -> str:
        return action_label(self.action)
