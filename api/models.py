"""API tokens and their monthly use. A token is shown once, when it is issued: only a
hash of it is stored, with a short prefix to find it by. Nothing finer than a month is
kept about anyone's action: the month a token was issued, its expiry as a date, and
how many times it was used in each month (no time, no address)."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from intake.models import Programme, first_of_month_constraint


class Profile(models.TextChoices):
    PARTNER = "partner", _("Partner")
    PUBLIC = "public", _("Public")


class ApiToken(models.Model):
    partner = models.CharField(_("partner"), max_length=100, help_text=_("Who the token is for, e.g. a newsroom."))
    profile = models.CharField(
        _("profile"), max_length=10, choices=Profile.choices,
        help_text=_("Which figures the token's holder sees: partner or public (both suppress small counts)."),
    )
    programmes = models.ManyToManyField(Programme, related_name="+", verbose_name=_("programmes"))
    expires_on = models.DateField(_("expires on"), help_text=_("The token stops working at the end of this day."))
    cors_origin = models.CharField(
        _("web page origin"), max_length=200, blank=True,
        validators=[RegexValidator(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?\Z",
                                   _("Enter an origin such as https://data.example.org, without a path."))],
        help_text=_("Only if the partner's web pages call the API from a browser, e.g. https://data.example.org. "
                    "Leave empty otherwise."),
    )
    revoked = models.BooleanField(_("revoked"), default=False)
    # The token's first characters, stored as they are, to find its row; the rest is
    # known only by its SHA-256.
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_in = models.DateField(_("issued in"), editable=False)

    class Meta:
        ordering = ["revoked", "partner", "pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        default_permissions = ()
        permissions = [("manage_apitoken", _("Can issue, list and revoke API tokens"))]
        constraints = [
            first_of_month_constraint("created_in", "apitoken_created_in_is_first_day"),
            models.CheckConstraint(condition=Q(profile__in=["partner", "public"]), name="apitoken_profile_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} ({self.prefix})"


class ApiUseQuerySet(models.QuerySet):
    def count_one(self, token: ApiToken, month) -> None:
        """One more use of `token` in `month`, added in the database (F), so that
        uses at the same time are all counted."""
        self.bulk_create([ApiUse(token=token, month=month, count=0)], ignore_conflicts=True)
        self.filter(token=token, month=month).update(count=F("count") + 1)


class ApiUse(models.Model):
    """How many requests a token made in a month."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="uses")
    month = models.DateField(_("month"))
    count = models.PositiveIntegerField(_("requests"), default=0)

    objects = ApiUseQuerySet.as_manager()

    class Meta:
        default_permissions = ()
        constraints = [
            first_of_month_constraint("month", "apiuse_month_is_first_day"),
            models.UniqueConstraint(fields=["token", "month"], name="apiuse_one_per_token_month"),
        ]

    def __str__(self) -> str:
        return f"{self.token_id} {self.month:%Y-%m}: {self.count}"
