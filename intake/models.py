"""Programmes, accounts and anonymised help requests.

No personal data, by construction: a help request has a programme, a month, choices
from fixed lists and a random reference. There is nowhere to put a name, a contact, a
place, an exact date or free text.
"""

import datetime as dt
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .months import add_months, current_month, format_month


class UserManager(BaseUserManager):
    def create_user(self, username: str, password: str | None = None, **extra) -> "User":
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account: a pseudonymous username and a password, nothing about the person."""

    username = models.CharField(
        _("username"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[\w.-]+\Z", _("Letters, digits and . - _ only."))],
        help_text=_("A pseudonym, not a real name."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("administrator"), default=False, help_text=_("Can open the administration pages.")
    )

    objects = UserManager()

    USERNAME_FIELD = "username"

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.username


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


# Eight characters from 31 unambiguous ones (no 0/O, 1/I/L): 31**8, about 8.5 * 10**11
# references, so a collision among a programme's requests is very unlikely and is
# caught by the unique constraint anyway.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    """A random opaque reference such as K7Q2-9XWD, derived from nothing."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


class EntryQuerySet(models.QuerySet):
    def in_programmes(self, programmes) -> "EntryQuerySet":
        return self.filter(programme__in=programmes)

    def recent(self) -> "EntryQuerySet":
        """The entries that can still be undone: of the current or the previous month."""
        return self.filter(month__gte=add_months(current_month(), -1))


class Entry(models.Model):
    """One act of logging (a single request, a count, a CSV import's rows for one
    programme): its requests can be undone together while they are recent."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("One request")
        COUNT = "count", _("Count")
        IMPORT = "import", _("CSV import")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="entries", verbose_name=_("programme"))
    # The earliest month of the requests logged: an entry is recent while it is the
    # current or the previous month.
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries", verbose_name=_("logged by")
    )

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [first_of_month_constraint("month", "entry_month_is_first_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_month(self.month)}"


class TransitionError(ValidationError):
    """A change of status the workflow does not allow."""


class ChangedElsewhere(ValidationError):
    """The request is no longer in the status the change was decided on: someone else
    changed it meanwhile, and nothing was saved."""

    def __init__(self, current: str):
        self.current = current
        super().__init__(
            _("This request was changed by someone else; it is now %(status)s. Your change was not saved: "
              "check the request as it is now and act again if it is still needed.")
            % {"status": Status(current).label.lower()}
        )


# The workflow: new -> in progress -> closed, and closed -> in progress (reopened).
# A new request may also be closed at once (e.g. referred elsewhere on first contact).
TRANSITIONS = {
    Status.NEW: {Status.IN_PROGRESS, Status.CLOSED},
    Status.IN_PROGRESS: {Status.CLOSED},
    Status.CLOSED: {Status.IN_PROGRESS},
}


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS[current]:
        raise TransitionError(
            _("A request that is %(current)s cannot become %(new)s.")
            % {"current": Status(current).label.lower(), "new": Status(new).label.lower()}
        )


class HelpRequestQuerySet(models.QuerySet):
    def in_programmes(self, programmes) -> "HelpRequestQuerySet":
        return self.filter(programme__in=programmes)

    def open(self) -> "HelpRequestQuerySet":
        return self.exclude(status=Status.CLOSED)


class HelpRequest(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="requests", verbose_name=_("programme"))
    month = models.DateField(_("month received"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    closed_month = models.DateField(_("month closed"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=9, unique=True, default=new_reference, editable=False)
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, null=True, blank=True, related_name="requests", verbose_name=_("entry")
    )

    objects = HelpRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        indexes = [models.Index(fields=["programme", "month"], name="helprequest_programme_month")]
        permissions = [
            ("act_in_all_programmes", _("Can work with the requests of every programme")),
            ("import_requests", _("Can import requests from a CSV file")),
        ]
        constraints = [
            first_of_month_constraint("month", "helprequest_month_is_first_day"),
            first_of_month_constraint("closed_month", "helprequest_closed_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="helprequest_category_valid"
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="helprequest_status_valid"),
            # Closed requests have an outcome and a closed month; open ones have neither.
            models.CheckConstraint(
                condition=(
                    Q(status=Status.CLOSED, outcome__in=Outcome.values, closed_month__isnull=False)
                    | (~Q(status=Status.CLOSED) & Q(outcome="", closed_month__isnull=True))
                ),
                name="helprequest_outcome_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(closed_month__isnull=True) | Q(closed_month__gte=models.F("month")),
                name="helprequest_closed_after_received",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        errors = {}
        this_month = current_month()
        if self.month and self.month > this_month:
            errors["month"] = _("The month received cannot be in the future.")
        if self.month and self.programme_id and self.month < self.programme.first_month:
            errors["month"] = _("The month received cannot be before the programme started (%(month)s).") % {
                "month": format_month(self.programme.first_month)
            }
        if self.closed_month and self.closed_month > this_month:
            errors["closed_month"] = _("The month closed cannot be in the future.")
        if self.closed_month and self.month and self.closed_month < self.month:
            errors["closed_month"] = _("The month closed cannot be before the month received.")
        if self.status == Status.CLOSED and not self.outcome:
            errors["outcome"] = _("A closed request needs an outcome.")
        if self.status != Status.CLOSED and self.outcome:
            errors["outcome"] = _("Only a closed request has an outcome.")
        if self.status == Status.CLOSED and not self.closed_month:
            errors.setdefault("closed_month", _("A closed request needs the month it was closed."))
        if self.status != Status.CLOSED and self.closed_month:
            errors.setdefault("closed_month", _("Only a closed request has a month closed."))
        if errors:
            raise ValidationError(errors)

    # What the workflow (TRANSITIONS) lets this request do now: the pages offer these
    # actions and no others. Starting and reopening both lead to "in progress": they
    # differ in where they start from.
    @property
    def can_start(self) -> bool:
        return self.status == Status.NEW and Status.IN_PROGRESS in TRANSITIONS[self.status]

    @property
    def can_close(self) -> bool:
        return Status.CLOSED in TRANSITIONS[self.status]

    @property
    def can_reopen(self) -> bool:
        return self.status == Status.CLOSED and Status.IN_PROGRESS in TRANSITIONS[self.status]

    def check_unchanged(self, seen: str) -> None:
        """ChangedElsewhere unless the request is still in the status the person saw
        when they chose to change it."""
        if self.status != seen:
            raise ChangedElsewhere(self.status)

    def move_to(self, status: str, *, outcome: str = "", closed_month: dt.date | None = None) -> None:
        """Change status by the workflow's rules and save; TransitionError or
        ValidationError, and nothing saved, when the change is not allowed;
        ChangedElsewhere, and nothing saved, when the stored request is no longer in
        the status this one was loaded with."""
        check_transition(self.status, status)
        loaded_status = self.status
        self.status = status
        self.outcome = outcome if status == Status.CLOSED else ""
        self.closed_month = closed_month if status == Status.CLOSED else None
        self.clean()
        # Saved only over the status the transition was checked against: a change
        # committed meanwhile leaves no row to update, instead of being overwritten.
        saved = HelpRequest.objects.filter(pk=self.pk, status=loaded_status).update(
            status=self.status, outcome=self.outcome, closed_month=self.closed_month
        )
        if not saved:
            self.refresh_from_db(fields=["status", "outcome", "closed_month"])
            raise ChangedElsewhere(self.status)

    def start(self) -> None:
        if not self.can_start:
            raise TransitionError(_("Only a new request can be started."))
        self.move_to(Status.IN_PROGRESS)

    def close(self, *, outcome: str, month: dt.date) -> None:
        self.move_to(Status.CLOSED, outcome=outcome, closed_month=month)

    def reopen(self) -> None:
        if not self.can_reopen:
            raise TransitionError(_("Only a closed request can be reopened."))
        self.move_to(Status.IN_PROGRESS)


class AuditEvent(models.Model):
    """Who did what, and in which month: never an address, never a request's contents.
    Written by the app, read by staff and auditors, changed by nobody."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        ACCESS_REFUSED = "access_refused", _("Access refused")
        REQUESTS_LOGGED = "requests_logged", _("Requests logged")
        REQUEST_CHANGED = "request_changed", _("Request changed")
        REQUESTS_MOVED = "requests_moved", _("Requests moved")
        ENTRY_UNDONE = "entry_undone", _("Entry undone")
        REQUESTS_IMPORTED = "requests_imported", _("Requests imported")
        REPORT_REQUESTED = "report_requested", _("Report requested")
        REPORT_GENERATED = "report_generated", _("Report generated")
        REPORT_EXPORTED = "report_exported", _("Report exported")
        REPORT_VERIFIED = "report_verified", _("Report verified")
        AUDIT_LOG_EXPORTED = "audit_log_exported", _("Audit log exported")
        REFERENCE_FIGURE_ADDED = "reference_figure_added", _("Reference figure added")
        REFERENCE_FIGURE_CHANGED = "reference_figure_changed", _("Reference figure changed")
        REFERENCE_FIGURE_DELETED = "reference_figure_deleted", _("Reference figure deleted")
        SECOND_FACTOR_SET = "second_factor_set", _("Second factor set up")
        ACCOUNT_CREATED = "account_created", _("Account created")
        ACCOUNT_ACTIVATED = "account_activated", _("Account activated")
        ACCOUNT_DEACTIVATED = "account_deactivated", _("Account deactivated")
        ROLE_CHANGED = "role_changed", _("Roles changed")
        MEMBERSHIP_CHANGED = "membership_changed", _("Programme coordinators changed")
        PASSWORD_CHANGED = "password_changed", _("Password changed")

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("account")
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
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

    def __str__(self) -> str:
        return f"{format_month(self.month)} {self.actor or '-'} {self.action} {self.subject}"
