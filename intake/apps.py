from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Intake")

    def ready(self):
        from django.urls import register_converter
        from django.urls.converters import get_converters

        from . import audit  # noqa: F401 - connects the login receivers
        from .converters import MonthConverter, PositiveConverter

        # The URL converters every app's patterns use: <month:...> (YYYY-MM) and
        # <positive:...> (1, 2, ...), registered once, before any URLconf is read.
        registered = get_converters()
        for name, converter in (("month", MonthConverter), ("positive", PositiveConverter)):
            if registered.get(name).__class__ is not converter:  # ready() may run again (migration tests)
                register_converter(converter, name)
