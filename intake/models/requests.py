"""Help requests and their workflow.

No personal data, by construction: a help request has a programme, a month, choices
from fixed lists and a random reference. There is nowhere to put a name, a contact, a
place, an exact date or free text.
"""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..months import current_month, format_month
from .base import first_of_month_constraint
from .counts import Cell
from .entries import Entry
from .programmes import Category, Outcome, Programme, Status

# Eight characters from 31 unambiguous ones (no 0/O, 1/I/L): 31**8, about 8.5 * 10**11
# references, so a collision among a programme's requests is very unlikely and is
# caught by the unique constraint anyway.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


# Random bytes map to the alphabet by their value modulo 31; the 8 values from 248 up
# are dropped so that every character is equally likely.
_UNBIASED = 256 - 256 % len(REFERENCE_ALPHABET)
_TO_ALPHABET = bytes(ord(REFERENCE_ALPHABET[b % len(REFERENCE_ALPHABET)]) for b in range(256))
_BIASED = bytes(range(_UNBIASED, 256))


def new_references(n: int) -> list[str]:
    """n random opaque references such as K7Q2-9XWD, derived from nothing: one call to
    `secrets` for all of them, mapped to the alphabet without bias."""
    chars = b""
    while len(chars) < 8 * n:
        # About 3% of the bytes are dropped: draw a little more than needed.
        chars += secrets.token_bytes(8 * n - len(chars) + n // 16 + 8).translate(_TO_ALPHABET, _BIASED)
    text = chars[: 8 * n].decode("ascii")
    return [f"{text[i:i + 4]}-{text[i + 4:i + 8]}" for i in range(0, 8 * n, 8)]


def new_reference() -> str:
    """A random opaque reference such as K7Q2-9XWD, derived from nothing."""
    return new_references(1)[0]


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
    # Protected: an entry's requests are removed by entry_undo, which takes them off the
    # counts; a cascade would remove them behind the counts' back.
    entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="requests", verbose_name=_("entry")
    )

    objects = HelpRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        indexes = [
            models.Index(fields=["programme", "month"], name="helprequest_programme_month"),
            # The home page's list of requests waiting for action, in its order: a page
            # is read from this index, however many closed requests there are.
            models.Index(fields=["month", "programme", "id"], condition=~Q(status=Status.CLOSED),
                         name="helprequest_waiting"),
        ]
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

    @property
    def can_move_on(self) -> bool:
        """Whether work on the request can go on: it can be started or closed.
        Reopening a closed request is a correction, not work going on."""
        return self.can_start or self.can_close

    @classmethod
    def moves_on_from(cls, status: str) -> bool:
        """Whether requests in `status` can move on (can_move_on): the month grid offers
        to move those, and no others."""
        return cls(status=status).can_move_on

    @property
    def cell(self) -> Cell:
        return Cell(self.programme_id, self.month, self.category, self.status, self.outcome, self.closed_month)

    def check_unchanged(self, seen: str) -> None:
        """ChangedElsewhere unless the request is still in the status the person saw
        when they chose to change it."""
        if self.status != seen:
            raise ChangedElsewhere(self.status)

    def change_to(self, status: str, *, outcome: str = "", closed_month: dt.date | None = None) -> Cell:
        """Change status in memory by the workflow's rules, and return the cell the
        request was counted in before; TransitionError or ValidationError when the
        change is not allowed. `intake.services.request_move` saves it."""
        check_transition(self.status, status)
        loaded = self.cell
        self.status = status
        self.outcome = outcome if status == Status.CLOSED else ""
        self.closed_month = closed_month if status == Status.CLOSED else None
        self.clean()
        return loaded

    def check_can_start(self) -> None:
        if not self.can_start:
            raise TransitionError(_("Only a new request can be started."))

    def check_can_reopen(self) -> None:
        if not self.can_reopen:
            raise TransitionError(_("Only a closed request can be reopened."))
