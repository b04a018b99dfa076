from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignoffConfig(AppConfig):
    """Month sign-off: submitting a programme's month on a report version, accepting or
    returning it, unlocking an accepted one. Above intake and reports, whose rules and
    report checks it uses; the review state and the month locks themselves are the
    core's (intake.models.MonthReview), since every writer obeys them."""

    name = "signoff"
    verbose_name = _("Month sign-off")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401 - declares the app's audit actions
