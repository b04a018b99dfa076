"""Writing the audit log (AuditEvent): one call per thing done."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .audit_actions import Action
from .models import AuditEvent, User
from .models.audit_events import action_choices, action_label
from .months import current_month

__all__ = ["Action", "action_choices", "action_label", "record"]


def record(actor: User | None, action: str, subject: str = "") -> None:
    """Note that `actor` (None: the command line or nobody known) did `action`."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    AuditEvent.objects.create(actor=actor, action=action, month=current_month(), subject=subject[:200])


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(user, Action.LOGIN)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Only an existing account is named: a mistyped username may be a password.
    user = User.objects.filter(username=credentials.get("username", "")).first()
    record(user, Action.LOGIN_FAILED)
