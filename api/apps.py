from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The read-only JSON API for partners (/api/) and the staff pages that issue its
    tokens: an interface over intake and reports, as the shell is the site's."""

    name = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from . import audit_actions  # noqa: F401 - declares the app's audit actions
