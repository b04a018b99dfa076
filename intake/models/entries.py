"""Entries: one act of logging or one move, undone as a whole."""


from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ..months import format_month
from .accounts import User
from .base import first_of_month_constraint
from .counts import Cell
from .month_reviews import MonthLocks, MonthReview
from .programmes import Category, Outcome, Programme, Status

# Who may undo an entry: its author, or an account with this permission (staff).
STAFF_UNDO_PERMISSION = "intake.act_in_all_programmes"


def collapsed_entry_message() -> str:
    return gettext("This entry can no longer be undone: some of its requests were closed in a month that has been "
                   "accepted, and were kept as counts only.")


class EntryQuerySet(models.QuerySet):
    def in_programmes(self, programmes) -> "EntryQuerySet":
        return self.filter(programme__in=programmes)

    def undoable(self) -> "EntryQuerySet":
        """The entries that can still be undone, as a list shows them: none of their
        programme's months from theirs on is locked (submitted, returned, or accepted and
        not unlocked), since undoing would change that month or the figures it counts;
        Entry.check_undo is the same rule, exact to the cells the undo changes. Entries
        kept as counts only stay in (in an unlocked month), their page saying why not."""
        locked = MonthReview.objects.locking().filter(programme=models.OuterRef("programme"),
                                                      month__gte=models.OuterRef("month"))
        return self.exclude(models.Exists(locked))

    def undoable_by(self, user: User) -> "EntryQuerySet":
        """The entries `user` may undo now: their own, or anyone's for staff."""
        entries = self.undoable()
        return entries if user.has_perm(STAFF_UNDO_PERMISSION) else entries.filter(author=user)


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
    # The earliest month of the requests logged: an entry can be undone while no month
    # of its programme from this one on is locked.
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

    def check_undo_by(self, user: User) -> None:
        """PermissionDenied unless `user` may undo this entry: its author, or staff."""
        if self.author_id != user.pk and not user.has_perm(STAFF_UNDO_PERMISSION):
            raise PermissionDenied(_("Only its author or staff can undo an entry."))

    def check_undo(self) -> None:
        """ValidationError, saying why, if this entry can no longer be undone: some of its
        requests are counts only, or undoing it would change a locked month (MonthLocked,
        naming the month and who can unlock it). The one rule of undo, for its page and
        for the undo itself (which cells_apply checks once more, under the write's locks)."""
        if self.collapsed:
            raise ValidationError(collapsed_entry_message())
        MonthLocks().refuse(self.undo_deltas())

    def undo_deltas(self) -> Counter:
        """How undoing would change each count cell: a logged request leaves the cell it
        is in now; a moved one goes from there back to where it was. One query."""
        deltas: Counter = Counter()
        if self.kind == self.Kind.MOVE:
            now = ("request__programme_id", "request__month", "request__category", "request__status",
                   "request__outcome", "request__closed_month")
            keys = (*now, "from_status", "from_outcome", "from_closed_month")
            for *fields, n in self.moved.values_list(*keys).annotate(n=models.Count("pk")).order_by():
                deltas[Cell(*fields[:6])] -= n
                deltas[Cell(*fields[:3], *fields[6:])] += n
            return deltas
        keys = ("programme_id", "month", "category", "status", "outcome", "closed_month")
        for *fields, n in self.requests.values_list(*keys).annotate(n=models.Count("pk")).order_by():
            deltas[Cell(*fields)] -= n
        return deltas

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
