from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoalitionConfig(AppConfig):
    """The coalition view (issue 26): other organisations running this app ("peers"),
    pinned by their publication key; their signed public documents, checked against
    that key and their transparency log before anything is stored; and the page that
    sets them beside this organisation's own. Above intake, reports and publications;
    nothing imports it (tests/test_layering.py)."""

    name = "coalition"
    verbose_name = _("Coalition")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401 - declares the app's audit actions
