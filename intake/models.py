"""Programmes, accounts and anonymised help requests.

No personal data, by construction: a help request has a programme, a month, choices
from fixed lists and a random reference. There is nowhere to put a name, a contact, a
place, an exact date or free text.
"""

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Mapping
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .months import add_months, current_month, format_month, month_in_sentence, month_range


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

    # No record of when anyone last logged in (issue 17: the finest time kept about
    # anyone's action is the month). Without the field, Django does not connect its
    # update_last_login; each login is in the audit log, by month.
    last_login = None

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


class EntryQuerySet(models.QuerySet):
    def in_programmes(self, programmes) -> "EntryQuerySet":
        return self.filter(programme__in=programmes)

    def recent(self) -> "EntryQuerySet":
        """The entries that can still be undone: of the current or the previous month."""
        return self.filter(month__gte=add_months(current_month(), -1))


class Entry(models.Model):
    """One act of logging (a single request, a count, a CSV import) or one move of
    requests: undone as a whole while it is recent. An import's programme is that of
    its first row; its requests may belong to others. A move's month is the month it
    was made, and its requests are listed in MovedRequest."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("One request")
        COUNT = "count", _("Count")
        IMPORT = "import", _("CSV import")
        MOVE = "move", pgettext_lazy("kind of entry", "Move")  # a noun here, a verb on buttons

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="entries", verbose_name=_("programme"))
    # The earliest month of the requests logged: an entry is recent while it is the
    # current or the previous month.
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries", verbose_name=_("logged by")
    )
    # How many requests it logged, stored so that no page counts them (an entry's
    # requests are only ever removed all together, with the entry).
    size = models.PositiveIntegerField(_("requests"), default=0)
    # Some of its requests were collapsed into counts (their month closed is accepted,
    # intake/retention.py): the entry stays in the record, but can no longer be undone.
    collapsed = models.BooleanField(_("kept as counts only"), default=False, editable=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [first_of_month_constraint("month", "entry_month_is_first_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_month(self.month)}"

    def undo_contents(self) -> list[dict]:
        """What undoing would change, in groups: for a move, how many go back from where
        to where; otherwise how many requests are removed, by programme, month, status
        and outcome. One query over this entry's rows only (at most an import's)."""
        if self.kind == self.Kind.MOVE:
            keys = ("request__month", "request__category", "from_status", "from_outcome", "to_status", "to_outcome")
            rows = self.moved.values_list(*keys).annotate(n=models.Count("pk")).order_by(*keys)
            return [{"month": month, "category": Category(category).label, "from": _status_label(fs, fo),
                     "to": _status_label(ts, to), "n": n} for month, category, fs, fo, ts, to, n in rows]
        keys = ("programme__name", "programme__name_ru", "month", "category", "status", "outcome")
        rows = self.requests.values_list(*keys).annotate(n=models.Count("pk")).order_by(*keys)
        return [{"programme": Programme(name=name, name_ru=name_ru).localized("name"), "month": month,
                 "category": Category(category).label, "status": _status_label(status, outcome),
                 "changed": status != Status.NEW, "n": n}
                for name, name_ru, month, category, status, outcome, n in rows]


def _status_label(status: str, outcome: str) -> str:
    label = str(Status(status).label)
    return f"{label} ({Outcome(outcome).label})" if outcome else label


class MovedRequest(models.Model):
    """One request a move changed, and where it was and went: undoing the move puts it
    back, provided it is still where the move put it."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="moved")
    # Undoing the entry that logged the request removes it from the move too; the
    # move then no longer covers all it moved and refuses to be undone.
    request = models.ForeignKey("HelpRequest", on_delete=models.CASCADE, related_name="+")
    from_status = models.CharField(max_length=20)
    from_outcome = models.CharField(max_length=20, blank=True)
    from_closed_month = models.DateField(null=True, blank=True)
    to_status = models.CharField(max_length=20)
    to_outcome = models.CharField(max_length=20, blank=True)
    to_closed_month = models.DateField(null=True, blank=True)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["entry", "request"], name="movedrequest_once_per_move"),
            first_of_month_constraint("from_closed_month", "movedrequest_from_closed_month_is_first_day"),
            first_of_month_constraint("to_closed_month", "movedrequest_to_closed_month_is_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.request_id} {self.from_status} -> {self.to_status}"


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


class Cell(NamedTuple):
    """Where a request is counted: one row of the counts table."""

    programme_id: int
    month: dt.date
    category: str
    status: str
    outcome: str
    closed_month: dt.date | None


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

    def move_to(self, status: str, *, outcome: str = "", closed_month: dt.date | None = None,
                by: "User | None" = None) -> None:
        """Change status by the workflow's rules and save; TransitionError or
        ValidationError, and nothing saved, when the change is not allowed;
        ChangedElsewhere, and nothing saved, when the stored request is no longer as
        this one was loaded (in the same status, outcome and month closed)."""
        check_transition(self.status, status)
        loaded = self.cell
        self.status = status
        self.outcome = outcome if status == Status.CLOSED else ""
        self.closed_month = closed_month if status == Status.CLOSED else None
        self.clean()
        with transaction.atomic():
            # Saved only over the request as it was loaded: a change committed meanwhile
            # leaves no row to update, instead of being overwritten, and the cell it
            # leaves in the counts is exactly the one it was loaded in.
            saved = HelpRequest.objects.filter(pk=self.pk, **loaded._asdict()).update(
                status=self.status, outcome=self.outcome, closed_month=self.closed_month
            )
            if saved:
                MonthlyCount.objects.apply({loaded: -1, self.cell: 1}, by=by)
        if not saved:
            self.refresh_from_db(fields=["status", "outcome", "closed_month"])
            raise ChangedElsewhere(self.status)

    # `by`: the account that makes the change (None: the command line, the schedule).

    def start(self, *, by: "User | None" = None) -> None:
        if not self.can_start:
            raise TransitionError(_("Only a new request can be started."))
        self.move_to(Status.IN_PROGRESS, by=by)

    def close(self, *, outcome: str, month: dt.date, by: "User | None" = None) -> None:
        self.move_to(Status.CLOSED, outcome=outcome, closed_month=month, by=by)

    def reopen(self, *, by: "User | None" = None) -> None:
        if not self.can_reopen:
            raise TransitionError(_("Only a closed request can be reopened."))
        self.move_to(Status.IN_PROGRESS, by=by)


class CountsOutOfStep(RuntimeError):
    """The counts table lacks requests that are being removed: it no longer matches the
    requests (`manage.py check_counts` lists the difference and mends it)."""


CELLS_PER_UPDATE = 200


class MonthlyCountQuerySet(models.QuerySet):
    def apply(self, deltas: Mapping[Cell, int], *, by: "User | None", check_locks: bool = True) -> None:
        """Add each delta to its cell's number of requests, mark the months touched as
        changed, and note `by` (the acting account; None for the command line, the
        schedule and the worker) as a writer of each month whose own cells change
        (MonthWriter), in the caller's transaction. Every write of requests calls this.

        The months' data versions are bumped first, in a fixed order: that locks them, so
        writers of the same programme and month wait for each other there (and never
        deadlock), and the cells below are then changed by one writer at a time. The
        numbers are changed in the database (`requests + n`), never read into Python.

        MonthLocked, and nothing saved, if the change would alter a month under review or
        accepted (MonthLocks); only check_counts --fix, which makes the table tell the
        truth about requests already stored, passes check_locks=False."""
        deltas = {cell: n for cell, n in deltas.items() if n}
        if not deltas:
            return
        DataVersion.objects.bump(sorted({(cell.programme_id, cell.month) for cell in deltas}))
        if check_locks:
            # After the bump: a review that locks a month holds the same rows first
            # (MonthReview.hold_months), so what is read here is what it committed.
            MonthLocks().refuse(deltas)
        # A cell gains its row (at 0) the first time a request enters it; rows are kept
        # at 0 afterwards, and readers skip them.
        self.bulk_create(
            [MonthlyCount(**cell._asdict(), requests=0) for cell, n in sorted(deltas.items()) if n > 0],
            ignore_conflicts=True,
        )
        by_delta: dict[int, list[Cell]] = {}
        for cell, n in deltas.items():
            by_delta.setdefault(n, []).append(cell)
        for n, cells in by_delta.items():
            # A few hundred cells an UPDATE: SQLite refuses a WHERE nested deeper than 1,000.
            for start in range(0, len(cells), CELLS_PER_UPDATE):
                chunk = cells[start:start + CELLS_PER_UPDATE]
                matching = Q()
                for cell in chunk:
                    matching |= Q(**cell._asdict())
                # Going below 0 breaks the check constraint: the transaction fails instead.
                changed = self.filter(matching).update(requests=F("requests") + n)
                if changed != len(chunk):
                    raise CountsOutOfStep(f"{len(chunk) - changed} cell(s) to take requests from are missing")
        MonthWriter.objects.note(by, cells_months(deltas))


def cells_months(cells) -> set[tuple[int, dt.date]]:
    """The (programme id, month) whose own cells these are: the month each request was
    received in, and the month it was closed in (month_changed's "cells")."""
    months = {(cell.programme_id, cell.month) for cell in cells}
    return months | {(cell.programme_id, cell.closed_month) for cell in cells if cell.closed_month}


class MonthlyCount(models.Model):
    """How many requests of a programme share a month received, category, status,
    outcome and month closed: the one table that anything counting requests reads
    (intake/counts.py). Kept in the same transaction as every change to requests."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    category = models.CharField(max_length=20, choices=Category.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    closed_month = models.DateField(null=True, blank=True)
    requests = models.IntegerField(default=0)
    # How many of `requests` are counts only: their rows were deleted by a collapse or
    # an emergency purge (intake/retention.py). The rest are rows of HelpRequest, which
    # check_counts compares them with.
    collapsed = models.IntegerField(default=0)

    objects = MonthlyCountQuerySet.as_manager()

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["programme", "month"], name="monthlycount_programme_month")]
        constraints = [
            first_of_month_constraint("month", "monthlycount_month_is_first_day"),
            first_of_month_constraint("closed_month", "monthlycount_closed_month_is_first_day"),
            models.CheckConstraint(condition=Q(requests__gte=0), name="monthlycount_requests_not_negative"),
            # Removing a request that is a row never takes a collapsed one off the count.
            models.CheckConstraint(condition=Q(collapsed__gte=0, collapsed__lte=F("requests")),
                                   name="monthlycount_collapsed_within_requests"),
            # One row per cell. The month closed is empty for open requests, and NULLs
            # are distinct in a unique index (SQLite has no NULLS NOT DISTINCT): one
            # constraint for open cells, one for closed ones.
            models.UniqueConstraint(
                fields=["programme", "month", "category", "status", "outcome"],
                condition=Q(closed_month__isnull=True), name="monthlycount_one_open_cell",
            ),
            models.UniqueConstraint(
                fields=["programme", "month", "category", "status", "outcome", "closed_month"],
                condition=Q(closed_month__isnull=False), name="monthlycount_one_closed_cell",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {format_month(self.month)} {self.category} {self.status}: {self.requests}"


class DataVersionQuerySet(models.QuerySet):
    def bump(self, months: list[tuple[int, dt.date]]) -> None:
        """Add one to the version of each (programme id, month), in the order given."""
        self._upsert(months, step=1)

    def hold(self, months: list[tuple[int, dt.date]]) -> None:
        """Lock the rows of these (programme id, month), sorted, until the transaction
        ends, as a writer's bump does, without changing them: writers of those months
        wait, and the holder waits for the writers already there."""
        self._upsert(sorted(months), step=0)

    def _upsert(self, months: list[tuple[int, dt.date]], *, step: int) -> None:
        table = connection.ops.quote_name(DataVersion._meta.db_table)
        # One upsert, valid on PostgreSQL and SQLite: rows are locked in the order of
        # the VALUES, so writers that share months take them in the same order.
        values = ", ".join([f"(%s, %s, {step:d})"] * len(months))
        params = [value for programme_id, month in months
                  for value in (programme_id, connection.ops.adapt_datefield_value(month))]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (programme_id, month, version) VALUES {values} "  # nosec B608: no user input
                f"ON CONFLICT (programme_id, month) DO UPDATE SET version = {table}.version + {step:d}",
                params,
            )


class DataVersion(models.Model):
    """How many times the requests of a programme received in a month have changed. A
    report keeps the sum over its scope and months; a different sum later means its
    data may have changed, found without counting anything."""

    # Protected: the sum must never go down, or a report could look unchanged again.
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    version = models.PositiveBigIntegerField(default=0)

    objects = DataVersionQuerySet.as_manager()

    class Meta:
        default_permissions = ()
        constraints = [
            first_of_month_constraint("month", "dataversion_month_is_first_day"),
            models.UniqueConstraint(fields=["programme", "month"], name="dataversion_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {format_month(self.month)} v{self.version}"


class MonthWriterQuerySet(models.QuerySet):
    def note(self, account: "User | None", months) -> None:
        """Note `account` as a writer of each (programme id, month), once."""
        if account is None:
            return
        self.bulk_create([MonthWriter(programme_id=programme_id, month=month, account=account)
                          for programme_id, month in sorted(set(months))], ignore_conflicts=True)

    def wrote(self, account: "User", programme: "Programme", month: dt.date) -> bool:
        return self.filter(account=account, programme=programme, month=month).exists()


class MonthWriter(models.Model):
    """An account that changed the cells of a programme's month: logged, imported,
    moved, started, closed, reopened or undid requests received in it or closed in it
    (MonthlyCount.apply notes it with the write). Kept for the separation of duties:
    such an account cannot accept the month. A row stays whatever becomes of the write
    (undone, or its requests collapsed into counts): who undid a write wrote too."""

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


class MonthReviewQuerySet(models.QuerySet):
    def locking(self, now: dt.datetime | None = None) -> "MonthReviewQuerySet":
        """The reviews whose months are locked at `now`: submitted, returned, or accepted
        and not unlocked (an unlock that has run out locks the month again by itself)."""
        now = now or timezone.now()
        State = MonthReview.State
        unlocked = Q(state=State.ACCEPTED, unlocked_until__gt=now)
        return self.filter(state__in=[State.SUBMITTED, State.RETURNED, State.ACCEPTED]).exclude(unlocked)

    def awaiting_auditor(self) -> "MonthReviewQuerySet":
        """Months submitted, and accepted months whose unlock staff have asked for."""
        return self.filter(Q(state=MonthReview.State.SUBMITTED) | ~Q(unlock_reason=""))

    def of(self, programme: Programme, month: dt.date) -> "MonthReview":
        """The review of a programme's month; an unsaved open one if it has none yet."""
        review = self.filter(programme=programme, month=month).first()
        return review or MonthReview(programme=programme, month=month)


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
        names = {"month": self.month_name, "programme": self.programme.slug}
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
    # the services in intake/review.py lock the row first, save it and note it.

    def _refuse_unless(self, allowed: bool, message) -> None:
        if not allowed:
            raise ValidationError(message % {"month": self.month_name, "programme": self.programme.slug,
                                             "state": self.get_state_display().lower()})

    def submit(self, *, version: int, by: User | None) -> None:
        self.check_can_submit()
        self.state, self.report_version, self.submitted_by = self.State.SUBMITTED, version, by

    def check_can_submit(self) -> None:
        self._refuse_unless(self.state == self.State.OPEN,
                            _("Only an open month can be submitted; %(month)s of %(programme)s is %(state)s."))
        if self.month >= current_month():
            raise ValidationError(_("%(month)s has not ended yet: submit it once it is over.")
                                  % {"month": self.month_name})
        if self.month < self.programme.first_month:
            raise ValidationError(_("%(month)s is before %(programme)s started.")
                                  % {"month": self.month_name, "programme": self.programme.slug})

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
        MONTH_SUBMITTED = "month_submitted", _("Month submitted for review")
        MONTH_ACCEPTED = "month_accepted", _("Month accepted")
        MONTH_RETURNED = "month_returned", _("Month returned")
        MONTH_REOPENED = "month_reopened", _("Month reopened")
        UNLOCK_REQUESTED = "unlock_requested", _("Unlock asked for")
        UNLOCK_GRANTED = "unlock_granted", _("Unlock granted")
        MONTH_COLLAPSED = "month_collapsed", _("Month collapsed to counts")
        API_TOKEN_ISSUED = "api_token_issued", _("API token issued")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")

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
