"""What the database keeps, and for how long (docs/design.md, "Collapse" and "Emergency
purge").

Collapse: once a programme's month is accepted, the requests closed in it will not
change again, so their rows are replaced by their counts. The rows and references are
deleted; the counts table keeps every number and notes, per cell, how many of them are
counts only (`MonthlyCount.collapsed`), so reports, fingerprints and check_counts stay
exact. Entries that logged or moved a collapsed request keep their place in the record
but can no longer be undone (`Entry.collapsed`).
"""

import datetime as dt
from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import audit
from .models import Cell, Entry, HelpRequest, MonthlyCount, MonthReview, MovedRequest, Programme, Status, User
from .months import add_months, current_month, format_month

CELLS_PER_UPDATE = 200


def collapsible_count(*, programme: Programme, month: dt.date) -> int:
    """How many requests of `programme` closed in `month` are still rows: what a
    collapse of the month would delete. One query over the counts table."""
    cells = MonthlyCount.objects.filter(programme=programme, status=Status.CLOSED, closed_month=month)
    return cells.aggregate(n=Sum(F("requests") - F("collapsed")))["n"] or 0


def month_collapse(*, programme: Programme, month: dt.date, actor: User | None) -> int:
    """Delete the requests of `programme` closed in `month`, an accepted month that is
    locked, keeping them as counts; returns how many. ValidationError, and nothing
    changed, if the month is not accepted or is unlocked for corrections."""
    with transaction.atomic():
        review = MonthReview.objects.select_for_update().filter(programme=programme, month=month).first()
        names = {"month": date_format(month, "F Y"), "programme": programme.slug}
        if review is None or review.state != MonthReview.State.ACCEPTED:
            raise ValidationError(_("Only the requests of an accepted month can be collapsed; %(month)s of "
                                    "%(programme)s is not accepted.") % names)
        if review.is_unlocked():
            raise ValidationError(_("%(month)s of %(programme)s is unlocked for corrections: collapse it once it "
                                    "is locked again.") % names)
        closed = HelpRequest.objects.filter(programme=programme, status=Status.CLOSED, closed_month=month)
        collapsed = _collapse(closed)
        audit.record(actor, audit.Action.MONTH_COLLAPSED, f"{programme.slug} {format_month(month)}, {collapsed}")
    return collapsed


def _collapse(requests) -> int:
    """Delete `requests`, keeping them in the counts as counts only, and take the undo
    from the entries that logged or moved them. In the caller's transaction."""
    # The entries first, then the requests, each in the order of their ids: the order
    # an undo takes them in (intake/services.py), so the two wait for each other.
    entry_ids = set(requests.exclude(entry=None).values_list("entry_id", flat=True))
    entry_ids |= set(MovedRequest.objects.filter(request__in=requests).values_list("entry_id", flat=True))
    list(Entry.objects.select_for_update().filter(pk__in=entry_ids).order_by("pk").values_list("pk", flat=True))
    cells = Counter(
        Cell(*row[1:]) for row in requests.select_for_update().order_by("pk").values_list("pk", *Cell._fields)
    )
    if not cells:
        return 0
    Entry.objects.filter(pk__in=entry_ids).update(collapsed=True)
    MovedRequest.objects.filter(request__in=requests)._raw_delete(MovedRequest.objects.db)
    requests._raw_delete(requests.db)
    add_collapsed(cells)
    return sum(cells.values())


def add_collapsed(cells: Counter) -> None:
    """Note that `cells` hold that many more requests as counts only (their rows were
    just deleted): their numbers of requests do not change."""
    by_delta: dict[int, list[Cell]] = {}
    for cell, n in cells.items():
        by_delta.setdefault(n, []).append(cell)
    for n, same in by_delta.items():
        for start in range(0, len(same), CELLS_PER_UPDATE):
            matching = Q()
            for cell in same[start:start + CELLS_PER_UPDATE]:
                matching |= Q(**cell._asdict())
            MonthlyCount.objects.filter(matching).update(collapsed=F("collapsed") + n)


def months_to_collapse() -> list[MonthReview]:
    """The accepted, locked months accepted at least COLLAPSE_AFTER_MONTHS months ago
    that still have closed requests as rows; none while the setting is off."""
    after = settings.COLLAPSE_AFTER_MONTHS
    if after is None:
        return []
    reviews = MonthReview.objects.locking().filter(
        state=MonthReview.State.ACCEPTED, accepted_in__lte=add_months(current_month(), -after)
    ).select_related("programme").order_by("month", "programme__slug")
    return [review for review in reviews if collapsible_count(programme=review.programme, month=review.month)]


def collapse_due_months() -> int:
    """Collapse every month months_to_collapse names, one transaction each; returns
    how many requests were collapsed."""
    return sum(month_collapse(programme=review.programme, month=review.month, actor=None)
               for review in months_to_collapse())
