"""What the models of the app share."""


from django.db import models
from django.db.models import Q
from django.utils.translation import get_language


def first_of_month_constraint(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__day": 1}), name=name)


class Localized:
    """A model whose texts people type in English (`name`) and, for Russian pages, in
    Russian (`name_ru`)."""

    def localized(self, field: str) -> str:
        """The text of `field` for the active language: its translation when there is
        one, the English text otherwise (an empty translation falls back too)."""
        language = (get_language() or "en").split("-")[0]
        if language != "en":
            return getattr(self, f"{field}_{language}", "") or getattr(self, field)
        return getattr(self, field)
