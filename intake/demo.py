"""Demo data: the Idite Lesom figures reported by The Moscow Times in late 2023.

Only June, September, October and November are in the article (stated, or derived
from its totals); the other months are illustrative values chosen to satisfy every
constraint the article states (docs/figures.md, A).
"""

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from .models import Category, HelpRequest, MonthlyCount, Outcome, Programme, Status, User, new_reference
from .months import add_months
from .services import requests_add

SLUG = "desertion-help"
NAME = "Desertion help (demo)"
NAME_RU = "Помощь в уходе из армии (демо)"
FIRST_MONTH = dt.date(2023, 4, 1)

ARTICLE = "article"
DERIVED = "derived"
ILLUSTRATIVE = "illustrative"
PROVENANCE_LABELS = {
    ARTICLE: _("stated in the article"),
    DERIVED: _("derived from the article's totals"),
    ILLUSTRATIVE: _("illustrative, not in the article"),
}

# month -> (requests, where the number comes from)
MONTHS: dict[dt.date, tuple[int, str]] = {
    dt.date(2023, 4, 1): (61, ILLUSTRATIVE),
    dt.date(2023, 5, 1): (74, ILLUSTRATIVE),
    dt.date(2023, 6, 1): (54, ARTICLE),
    dt.date(2023, 7, 1): (118, ILLUSTRATIVE),
    dt.date(2023, 8, 1): (133, ILLUSTRATIVE),
    dt.date(2023, 9, 1): (184, DERIVED),
    dt.date(2023, 10, 1): (218, ARTICLE),
    dt.date(2023, 11, 1): (175, ARTICLE),
}
LAST_MONTH = max(MONTHS)

# Demo accounts: fixed passwords, printed by load_demo. load_demo refuses to run
# with DEBUG off unless forced, so these never reach a real deployment by accident.
ACCOUNTS = {
    "coordinator": ("Coordinator", "coordinator-demo-pass"),
    "staff": ("Staff", "staff-demo-pass"),
    "auditor": ("Auditor", "auditor-demo-pass"),
    "admin": ("Administrator", "admin-demo-pass"),
}

# How the demo requests of a month stand at the end of November 2023, by how many
# months before November they came in: (share in %, status, outcome, months to close).
# Older requests are closed; the recent ones are still being worked on.
_CLOSED_MIX = [
    (40, Status.CLOSED, Outcome.LEFT_COUNTRY, 1),
    (20, Status.CLOSED, Outcome.SAFE_IN_RUSSIA, 0),
    (10, Status.CLOSED, Outcome.SURRENDERED, 1),
    (10, Status.CLOSED, Outcome.REFERRED, 0),
    (10, Status.CLOSED, Outcome.LOST_CONTACT, 1),
    (5, Status.CLOSED, Outcome.DETAINED, 0),
    (3, Status.CLOSED, Outcome.RETURNED_TO_UNIT, 0),
    (2, Status.CLOSED, Outcome.WITHDREW, 0),
]
_MIX_BY_AGE = {
    0: [(20, Status.CLOSED, Outcome.REFERRED, 0), (40, Status.IN_PROGRESS, "", None), (40, Status.NEW, "", None)],
    1: [(35, Status.CLOSED, Outcome.LEFT_COUNTRY, 1), (25, Status.CLOSED, Outcome.SAFE_IN_RUSSIA, 0),
        (30, Status.IN_PROGRESS, "", None), (10, Status.NEW, "", None)],
}


def _split(total: int, shares: list[int]) -> list[int]:
    """Split total by percentage shares, largest remainders first, so parts sum to total."""
    exact = [total * share / 100 for share in shares]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def requests_for_month(programme: Programme, month: dt.date, count: int) -> list[HelpRequest]:
    age = (LAST_MONTH.year - month.year) * 12 + LAST_MONTH.month - month.month
    mix = _MIX_BY_AGE.get(age, _CLOSED_MIX)
    made = []
    for n, (_share, status, outcome, close_after) in zip(_split(count, [m[0] for m in mix]), mix):
        closed_month = add_months(month, close_after) if close_after is not None else None
        made += [
            HelpRequest(programme=programme, month=month, category=Category.DESERTION, status=status,
                        outcome=outcome, closed_month=closed_month, reference=new_reference())
            for _ in range(n)
        ]
    return made


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create what is missing of the demo programme, its requests and accounts; a
    second run finds everything in place and changes nothing. Returns what it created."""
    programme, _created = Programme.objects.get_or_create(
        slug=SLUG, defaults={"name": NAME, "name_ru": NAME_RU, "first_month": FIRST_MONTH, "is_demo": True}
    )
    if not programme.name_ru:  # made before programmes had Russian names
        programme.name_ru = NAME_RU
        programme.save(update_fields=["name_ru"])
    existing = dict(
        MonthlyCount.objects.filter(programme=programme).values_list("month").annotate(n=Sum("requests"))
    )
    new_requests = []
    for month, (count, _source) in MONTHS.items():
        missing = count - existing.get(month, 0)
        if missing > 0:
            new_requests += requests_for_month(programme, month, count)[-missing:]
    requests_add(new_requests)

    from django.contrib.auth.models import Group

    accounts = 0
    for username, (role, password) in ACCOUNTS.items():
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": role == "Administrator"})
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role))
            if role == "Coordinator":
                programme.members.add(user)
            accounts += 1
    return {"requests": len(new_requests), "accounts": accounts}
