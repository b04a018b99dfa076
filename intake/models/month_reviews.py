"""The review state of each programme's month, and the locks it puts on writers."""

import datetime as dt
from collections import Counter
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..months import current_month, format_month, month_in_sentence, month_range
from .accounts import User
from .base import first_of_month_constraint
from .counts import Cell, DataVersion
from .programmes import Programme, Status

# Month sign-off (docs/design.md, "Month review"). A programme's month is open until
# staff submit it, naming the version of its report; an auditor accepts it or returns
# it with a reason; staff reopen a returned month to correct it. Only an open month can
# change: one that is submitted, returned or accepted is locked, and an accepted one
# can be unlocked for a while by two people (staff ask, an auditor grants).


# How long an unlock lasts unless the auditor says otherwise (a week for a
# correction), and at most (longer is no longer a temporary unlock).
UNLOCK_DAYS = 7
MAX_UNLOCK_DAYS = 31


class MonthLocked(ValidationError):
    """A change refused because it would alter a month that is locked."""

    def __init__(self, review: "MonthReview", *, through_earlier: bool):
        self.review = review
        super().__init__(review.locked_message(through_earlier=through_earlier), code="month_locked")


def month_changed(deltas: Mapping[Cell, int], month: dt.date) -> str | None:
    """How moving requests between cells by `deltas` (all of one programme) changes a
    month: "cells" if it changes the month's own cells (requests received in it, or
    closed in it), "figures" if it changes its report's figures through the months
    before it (the requests received in each, or how many were closed by the month's
    end), None if the month stays as it is."""
    received_before: Counter[dt.date] = Counter()
    closed_by_its_end = 0
    for cell, n in deltas.items():
        if not n:
            continue
        if cell.month == month or cell.closed_month == month:
            return "cells"
        if cell.month < month:
            received_before[cell.month] += n
            if cell.status == Status.CLOSED and cell.closed_month < month:
                closed_by_its_end += n
    if closed_by_its_end or any(received_before.values()):
        return "figures"
    return None


class MonthLocks:
    """The months locked now, read once for each programme asked about: one query for
    a write, one per programme for all the rows of an import."""

    def __init__(self, now: dt.datetime | None = None):
        self.now = now or timezone.now()
        self._locked: dict[int, list[MonthReview]] = {}

    def refuse(self, deltas: Mapping[Cell, int]) -> None:
        """MonthLocked, naming the earliest month concerned, if `deltas` would change a
        locked month or the figures of one."""
        by_programme: dict[int, dict[Cell, int]] = {}
        for cell, n in deltas.items():
            if n:
                by_programme.setdefault(cell.programme_id, {})[cell] = n
        self._load([programme_id for programme_id in by_programme if programme_id not in self._locked])
        for programme_id, cells in sorted(by_programme.items()):
            earliest = min(cell.month for cell in cells)
            for review in self._locked[programme_id]:
                if review.month < earliest:
                    continue
                changed = month_changed(cells, review.month)
                if changed:
                    raise MonthLocked(review, through_earlier=changed == "figures")

    def _load(self, programme_ids: list[int]) -> None:
        if not programme_ids:
            return
        for programme_id in programme_ids:
            self._locked[programme_id] = []
        for review in MonthReview.objects.locking(self.now).filter(programme_id__in=programme_ids).select_related(
            "programme"
        ).order_by("month"):
            self._locked[review.programme_id].append(review)


def _unlocked(now: dt.datetime | None) -> Q:
    return Q(state=MonthReview.State.ACCEPTED, unlocked_until__gt=now or timezone.now())


class MonthReviewQuerySet(models.QuerySet):
    def locking(self, now: dt.datetime | None = None) -> "MonthReviewQuerySet":
        """The reviews whose months are locked at `now`: submitted, returned, or accepted
        and not unlocked (an unlock that has run out locks the month again by itself)."""
        State = MonthReview.State
        return self.filter(state__in=[State.SUBMITTED, State.RETURNED, State.ACCEPTED]).exclude(_unlocked(now))

    def unlocked(self, now: dt.datetime | None = None) -> "MonthReviewQuerySet":
        """Accepted months unlocked for corrections at `now`."""
        return self.filter(_unlocked(now))

    def awaiting_auditor(self) -> "MonthReviewQuerySet":
        """Months submitted, and accepted months whose unlock staff have asked for."""
        return self.filter(Q(state=MonthReview.State.SUBMITTED) | ~Q(unlock_reason=""))

    def of(self, programme: Programme, month: dt.date) -> "MonthReview":
        """The review of a programme's month; an unsaved open one if it has none yet."""
        review = self.filter(programme=programme, month=month).first()
        return review or MonthReview(programme=programme, month=month)


class MonthWriterQuerySet(models.QuerySet):
    def note(self, account: User | None, months) -> None:
        """Note `account` as a writer of each (programme id, month), once."""
        if account is None:
            return
        self.bulk_create([MonthWriter(programme_id=programme_id, month=month, account=account)
                          for programme_id, month in sorted(set(months))], ignore_conflicts=True)

    def wrote(self, account: User, programme: Programme, month: dt.date) -> bool:
        return self.filter(account=account, programme=programme, month=month).exists()


class MonthWriter(models.Model):
    """An account that changed the cells of a programme's month: logged, imported,
    moved, started, closed, reopened or undid requests received in it or closed in it
    (intake.cells.cells_apply notes it with the write). Kept for the separation of
    duties: such an account cannot accept the month. A row stays whatever becomes of
    the write (undone, or its requests collapsed into counts): who undid a write wrote
    too."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    account = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    objects = MonthWriterQuerySet.as_manager()

    class Meta:
        default_permissions = ()
        constraints = [
            first_of_month_constraint("month", "monthwriter_month_is_first_day"),
            models.UniqueConstraint(fields=["programme", "month", "account"], name="monthwriter_once"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {format_month(self.month)} {self.account_id}"


class MonthReview(models.Model):
    """The sign-off of one programme's month. No row means open."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted for review")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    class ReturnReason(models.TextChoices):
        FIGURES_DISAGREE = "figures_disagree", _("Figures disagree with the source")
        LATE_DATA = "late_data", _("Data entered late")
        DUPLICATES = "duplicates", _("Duplicates suspected")
        OTHER = "other", _("Other")

    class UnlockReason(models.TextChoices):
        CORRECTION = "correction", _("Figures need correcting")
        LATE_DATA = "late_data", _("Late data to enter")
        DUPLICATES = "duplicates", _("Duplicates found")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("programme"))
    month = models.DateField(_("month"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    # The version of the programme's report of this month that was submitted, and is
    # accepted: intake knows reports only by this number (the caller checks it).
    report_version = models.PositiveIntegerField(_("report version"), null=True, blank=True)
    return_reason = models.CharField(_("reason returned"), max_length=20, choices=ReturnReason.choices, blank=True)
    # Kept for the separation of duties: whoever submitted a month cannot accept it.
    submitted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The month it was accepted in, shown on its reports; who did it is in the audit log.
    accepted_in = models.DateField(_("accepted in"), null=True, blank=True)
    # An unlock staff have asked for and no auditor has granted yet.
    unlock_reason = models.CharField(_("unlock asked for"), max_length=20, choices=UnlockReason.choices, blank=True)
    unlock_requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # When a granted unlock ends: a time of the month's lock, not of anyone's action
    # (it is always the end of a day, so it does not tell the moment of the grant).
    unlocked_until = models.DateTimeField(_("unlocked until"), null=True, blank=True)

    objects = MonthReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "programme__name"]
        verbose_name = _("month review")
        verbose_name_plural = _("month reviews")
        default_permissions = ("view",)
        permissions = [
            ("submit_month", _("Can submit a month for review, reopen a returned one and ask for an unlock")),
            ("decide_month", _("Can accept or return a submitted month and grant an unlock")),
        ]
        constraints = [
            first_of_month_constraint("month", "monthreview_month_is_first_day"),
            first_of_month_constraint("accepted_in", "monthreview_accepted_in_is_first_day"),
            models.UniqueConstraint(fields=["programme", "month"], name="monthreview_one_per_month"),
            models.CheckConstraint(condition=Q(state__in=["open", "submitted", "accepted", "returned"]),
                                   name="monthreview_state_valid"),
            # A submitted or accepted month rests on a report version.
            models.CheckConstraint(
                condition=Q(state__in=["open", "returned"]) | Q(report_version__isnull=False),
                name="monthreview_submitted_has_version",
            ),
            # A returned month has its reason, and only a returned one.
            models.CheckConstraint(
                condition=Q(state="returned", return_reason__in=["figures_disagree", "late_data", "duplicates", "other"])
                | (~Q(state="returned") & Q(return_reason="")),
                name="monthreview_reason_iff_returned",
            ),
            # Accepted months know when; unlocks, asked for or granted, are of accepted months only.
            models.CheckConstraint(
                condition=Q(state="accepted", accepted_in__isnull=False)
                | (~Q(state="accepted") & Q(accepted_in__isnull=True, unlock_reason="", unlocked_until__isnull=True)),
                name="monthreview_unlock_only_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {format_month(self.month)} {self.state}"

    @property
    def month_name(self) -> str:
        """The month as the messages below say it, mid-sentence ("март 2026 г.")."""
        return month_in_sentence(self.month)

    def is_unlocked(self, now: dt.datetime | None = None) -> bool:
        return (self.state == self.State.ACCEPTED and self.unlocked_until is not None
                and self.unlocked_until > (now or timezone.now()))

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        return self.state != self.State.OPEN and not self.is_unlocked(now)

    @property
    def unlocked_through(self) -> dt.date | None:
        """The last day of a granted unlock (it ends at midnight after it)."""
        if self.unlocked_until is None:
            return None
        return timezone.localtime(self.unlocked_until - dt.timedelta(microseconds=1)).date()

    def locked_message(self, *, through_earlier: bool = False) -> str:
        """Why a change of this month is refused, and who can let it through."""
        names = {"month": self.month_name, "programme": self.programme.localized("name")}
        if self.state == self.State.SUBMITTED:
            message = _("%(month)s of %(programme)s is submitted for review and locked until an auditor accepts "
                        "or returns it.")
        elif self.state == self.State.RETURNED:
            message = _("%(month)s of %(programme)s was returned by an auditor and stays locked until staff reopen "
                        "it on its review page.")
        else:
            message = _("%(month)s of %(programme)s is accepted and locked. Staff can ask an auditor to unlock it "
                        "on its review page.")
        message = message % names
        if through_earlier:
            # The change is in an earlier month, which the locked month's figures count.
            message = _("This would change the figures of %(month)s, which count every month up to it.") % names \
                + " " + message
        return message

    # The transitions. Each checks that the month may take it and changes this object;
    # the services in signoff/services.py lock the row first, save it and note it.

    def _refuse_unless(self, allowed: bool, message) -> None:
        if not allowed:
            raise ValidationError(message % {"month": self.month_name, "programme": self.programme.localized("name"),
                                             "state": self.get_state_display().lower()})

    def submit(self, *, version: int, by: User | None) -> None:
        self.check_can_submit()
        if self.state == self.State.ACCEPTED:  # a correction: its new version waits for an auditor again
            self.accepted_in, self.unlocked_until, self.unlock_reason, self.unlock_requested_by = None, None, "", None
        self.state, self.report_version, self.submitted_by = self.State.SUBMITTED, version, by

    def check_can_submit(self) -> None:
        """An open month, or an accepted one unlocked for a correction, may be submitted."""
        self._refuse_unless(self.state == self.State.OPEN or self.is_unlocked(),
                            _("Only an open month can be submitted; %(month)s of %(programme)s is %(state)s."))
        if self.month >= current_month():
            raise ValidationError(_("%(month)s has not ended yet: submit it once it is over.")
                                  % {"month": self.month_name})
        if self.month < self.programme.first_month:
            raise ValidationError(_("%(month)s is before %(programme)s started.")
                                  % {"month": self.month_name, "programme": self.programme.localized("name")})

    def acceptance_refused(self, user: User) -> str | None:
        """Why `user` may not accept this month (separation of duties), or None."""
        if self.submitted_by_id is not None and self.submitted_by_id == user.pk:
            return _("You submitted this month, so another auditor must accept it.")
        if MonthWriter.objects.wrote(user, self.programme, self.month):
            return _("You changed requests of this month (logged, imported, moved, started, closed, reopened or "
                     "undid them), so another auditor must accept it.")
        return None

    def accept(self, *, by: User) -> None:
        self._refuse_unless(self.state == self.State.SUBMITTED,
                            _("Only a submitted month can be accepted; %(month)s of %(programme)s is %(state)s."))
        refused = self.acceptance_refused(by)
        if refused:
            raise ValidationError(refused)
        self.state, self.accepted_in = self.State.ACCEPTED, current_month()

    def return_to_staff(self, *, reason: str) -> None:
        self._refuse_unless(self.state == self.State.SUBMITTED,
                            _("Only a submitted month can be returned; %(month)s of %(programme)s is %(state)s."))
        if reason not in self.ReturnReason.values:
            raise ValidationError({"reason": _("Choose why the month is returned.")})
        self.state, self.return_reason = self.State.RETURNED, reason

    def reopen(self) -> None:
        self._refuse_unless(self.state == self.State.RETURNED,
                            _("Only a returned month can be reopened; %(month)s of %(programme)s is %(state)s."))
        self.state, self.return_reason, self.report_version = self.State.OPEN, "", None

    def request_unlock(self, *, reason: str, by: User | None, now: dt.datetime | None = None) -> None:
        self._refuse_unless(self.state == self.State.ACCEPTED,
                            _("Only an accepted month can be unlocked; %(month)s of %(programme)s is %(state)s."))
        if self.is_unlocked(now):
            raise ValidationError(_("%(month)s is unlocked already, until the end of %(day)s.")
                                  % {"month": self.month_name, "day": date_format(self.unlocked_through, "j E Y")})
        if self.unlock_reason:
            raise ValidationError(_("An unlock of %(month)s has been asked for already; an auditor has yet to "
                                    "grant it.") % {"month": self.month_name})
        if reason not in self.UnlockReason.values:
            raise ValidationError({"reason": _("Choose why the month must be unlocked.")})
        self.unlock_reason, self.unlock_requested_by = reason, by

    def grant_unlock(self, *, by: User, days: int, now: dt.datetime | None = None) -> None:
        self._refuse_unless(self.state == self.State.ACCEPTED and bool(self.unlock_reason),
                            _("Nobody has asked to unlock %(month)s of %(programme)s."))
        if self.unlock_requested_by_id is not None and self.unlock_requested_by_id == by.pk:
            raise ValidationError(_("You asked for this unlock, so another person must grant it."))
        if not 1 <= days <= MAX_UNLOCK_DAYS:
            raise ValidationError({"days": _("An unlock lasts from 1 to %(max)s days.") % {"max": MAX_UNLOCK_DAYS}})
        # To the end of the last day: the stored time then says the day it was
        # granted, not the moment.
        last_day = timezone.localdate(now or timezone.now()) + dt.timedelta(days=days)
        self.unlocked_until = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time()))
        self.unlock_reason, self.unlock_requested_by = "", None

    def check_can_collapse(self) -> None:
        """ValidationError unless the month's closed requests may be kept as counts only:
        the month is accepted and locked (intake/retention.py)."""
        names = {"month": date_format(self.month, "F Y"), "programme": self.programme.localized("name")}
        if self.state != self.State.ACCEPTED:
            # The month mid-sentence here; it starts the sentence below.
            raise ValidationError(_("Only the requests of an accepted month can be collapsed; %(month)s of "
                                    "%(programme)s is not accepted.") % {**names, "month": month_in_sentence(self.month)})
        if self.is_unlocked():
            raise ValidationError(_("%(month)s of %(programme)s is unlocked for corrections: collapse it once it "
                                    "is locked again.") % names)

    def hold_months(self) -> None:
        """Lock, until the transaction ends, every month whose requests this month's
        cells and figures depend on (the programme's months up to this one), as
        writers do before they change requests: a write under way finishes first, and
        any later one finds this month locked (MonthLocks)."""
        first = min(self.programme.first_month, self.month)
        earliest = DataVersion.objects.filter(programme=self.programme).order_by("month").values_list(
            "month", flat=True).first()
        if earliest is not None:
            first = min(first, earliest)
        DataVersion.objects.hold([(self.programme.pk, month) for month in month_range(first, self.month)])
