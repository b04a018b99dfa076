"""Programmes, and the fixed lists a help request chooses from."""


from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .accounts import User
from .base import Localized, first_of_month_constraint


class Programme(Localized, models.Model):
    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_ru = models.CharField(
        _("name in Russian"), max_length=100, blank=True, help_text=_("Shown on Russian pages; if empty, they show the name.")
    )
    first_month = models.DateField(_("first month"), help_text=_("First day of the month the programme started."))
    members = models.ManyToManyField(User, related_name="programmes", blank=True, verbose_name=_("coordinators"))
    # Set only by load_demo: reports then say which of their figures are illustrative.
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            first_of_month_constraint("first_month", "programme_first_month_is_first_day"),
            # "all" names the scope of every programme together in report URLs.
            models.CheckConstraint(condition=~Q(slug="all"), name="programme_slug_not_all"),
        ]

    def __str__(self) -> str:
        # What forms' choices and the admin show: the name in the page's language.
        return self.localized("name")


class Category(models.TextChoices):
    DESERTION = "desertion", _("Desertion (leave a unit)")
    MOBILISATION = "mobilisation", _("Mobilisation (avoid call-up)")
    EMIGRATION = "emigration", _("Emigration (passports, border)")
    SURRENDER = "surrender", _("Voluntary surrender")
    LEGAL = "legal", _("Legal consultation")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    LEFT_COUNTRY = "left_country", _("Left the country")
    SAFE_IN_RUSSIA = "safe_in_russia", _("Safe in Russia")
    SURRENDERED = "surrendered", _("Surrendered")
    RETURNED_TO_UNIT = "returned_to_unit", _("Returned to unit")
    DETAINED = "detained", _("Detained")
    REFERRED = "referred", _("Referred elsewhere")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    WITHDREW = "withdrew", _("Withdrew the request")
