from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Intake")

    def ready(self):
        from django.urls import register_converter

        from . import audit  # noqa: F401 - connects the login receivers
        from .converters import MonthConverter, PositiveConverter

        # The URL converters every app's patterns use: <month:...> (YYYY-MM) and
        # <positive:...> (1, 2, ...), registered once, before any URLconf is read.
        register_converter(MonthConverter, "month")
        register_converter(PositiveConverter, "positive")
