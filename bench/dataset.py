"""The bench's data: four programmes over 36 months of requests in a plausible mix,
loaded in bulk past the services (and the counts table brought in line after), the
report task's body and the baseline it is compared with."""

import datetime as dt
import io
import random
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice

from django.core.management import call_command
from django.db import connection, transaction

from intake import counts
from intake.models import AuditEvent, Category, Entry, HelpRequest, MonthlyCount, Outcome, Programme, Status, User
from intake.months import add_months, current_month

# Programmes, accounts and nothing else: what the bench makes, so what it may wipe.
BENCH_PREFIX = "bench-"
BENCH_PARTNER = "bench"  # the partner named on the bench's API token
MONTHS = 36
SEED = 2023


# THE COUNTS TABLE, which every report and page reads (intake.models.MonthlyCount).
# The bulk load writes requests with COPY, past the services that keep the counts:
# `counts_rebuild` brings the table in line with the requests after each load, as an
# operator would after a restore (`manage.py check_counts --fix`). The baseline of the
# report body is a plain SELECT of the counts a report needs (`counts_select`);
# `report_body` is the report task's work, without claiming and storing the row.


def counts_rebuild() -> None:
    call_command("check_counts", "--fix", stdout=io.StringIO())


def report_body(month: dt.date) -> dict:
    """What the report task computes for the scope of all programmes (the task body less
    claiming and storing the row)."""
    from reports.models import Report
    from reports.services import report_compute

    document, _basis = report_compute(report=Report(programme=None, month=month, version=1))
    return document


# =====================================================================================
# Bench data: requests of several programmes over 36 months, in a plausible mix.
# =====================================================================================


@dataclass(frozen=True)
class BenchProgramme:
    slug: str
    name: str
    share: int  # % of all requests
    starts: int  # months after the first month of the bench
    paused: tuple[int, ...] = ()  # months without a single request
    categories: dict[str, int] = field(default_factory=dict)  # category -> weight


PROGRAMMES = [
    BenchProgramme("bench-desertion", "Desertion help (bench)", 40, 0, (), {
        Category.DESERTION: 55, Category.MOBILISATION: 5, Category.EMIGRATION: 15,
        Category.SURRENDER: 10, Category.LEGAL: 10, Category.OTHER: 5}),
    BenchProgramme("bench-mobilisation", "Mobilisation advice (bench)", 30, 0, (), {
        Category.DESERTION: 5, Category.MOBILISATION: 60, Category.EMIGRATION: 20,
        Category.LEGAL: 10, Category.OTHER: 5}),
    BenchProgramme("bench-emigration", "Emigration (bench)", 20, 6, (), {
        Category.DESERTION: 10, Category.MOBILISATION: 15, Category.EMIGRATION: 65,
        Category.LEGAL: 5, Category.OTHER: 5}),
    BenchProgramme("bench-legal", "Legal consultations (bench)", 10, 0, (14, 15), {
        Category.DESERTION: 15, Category.MOBILISATION: 15, Category.EMIGRATION: 10,
        Category.SURRENDER: 5, Category.LEGAL: 50, Category.OTHER: 5}),
]
# The fewest months the bench loads: every programme's late start and pauses fall in them.
MIN_MONTHS = 1 + max(max((p.starts, *p.paused)) for p in PROGRAMMES)
# The coordinator of the bench works in these programmes (the home page shows theirs).
COORDINATED = ("bench-desertion", "bench-legal")

# (new, in progress, closed) in % by the age of a request in months at the last month:
# old requests are nearly all closed, this month's mostly still open.
STATUS_BY_AGE = {0: (40, 40, 20), 1: (15, 30, 55), 2: (5, 15, 80)}
STATUS_OLDER = (1, 3, 96)
OUTCOMES = {
    Outcome.LEFT_COUNTRY: 35, Outcome.SAFE_IN_RUSSIA: 20, Outcome.REFERRED: 12, Outcome.LOST_CONTACT: 12,
    Outcome.SURRENDERED: 8, Outcome.DETAINED: 5, Outcome.RETURNED_TO_UNIT: 4, Outcome.WITHDREW: 4,
}
# Months from receiving a request to closing it -> weight.
CLOSE_DELAYS = {0: 45, 1: 35, 2: 12, 3: 5, 6: 3}


def month_weight(m: int, months: int = MONTHS) -> float:
    """Requests in month m (0..35) relative to the others: the work grows 2.5-fold over
    the months, with a mobilisation wave in months 8 to 10."""
    return (1 + 1.5 * m / (months - 1)) * {8: 2.5, 9: 2.0, 10: 1.5}.get(m, 1.0)


def split(total: int, weights: Iterable[float]) -> list[int]:
    """`total` split in proportion to `weights`, largest remainders first: whole parts
    that add up to `total`, the same every time."""
    weights = list(weights)
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    for i in sorted(range(len(parts)), key=lambda i: exact[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


# (programme index, month index, category, status, outcome, closed month index or None)
GroupKey = tuple[int, int, str, str, str, int | None]


def plan(total: int, *, months: int = MONTHS, programmes: list[BenchProgramme] = PROGRAMMES) -> dict[GroupKey, int]:
    """How many of `total` requests share each programme, month, category, status,
    outcome and closed month, over `months` months."""
    last = months - 1
    cells = [(p, m) for p, prog in enumerate(programmes) for m in range(months)
             if m >= prog.starts and m not in prog.paused]
    # Each programme gets its share, spread over its months as the months weigh.
    groups: dict[GroupKey, int] = {}
    per_programme = split(total, [prog.share for prog in programmes])
    for p, prog in enumerate(programmes):
        in_programme = [m for q, m in cells if q == p]
        for m, in_month in zip(in_programme, split(per_programme[p], [month_weight(m, months) for m in in_programme])):
            for category, in_category in zip(prog.categories, split(in_month, prog.categories.values())):
                new, in_progress, closed = split(in_category, STATUS_BY_AGE.get(last - m, STATUS_OLDER))
                groups[(p, m, category, Status.NEW, "", None)] = new
                groups[(p, m, category, Status.IN_PROGRESS, "", None)] = in_progress
                for outcome, n in zip(OUTCOMES, split(closed, OUTCOMES.values())):
                    for delay, k in zip(CLOSE_DELAYS, split(n, CLOSE_DELAYS.values())):
                        key = (p, m, category, Status.CLOSED, outcome, min(m + delay, last))
                        groups[key] = groups.get(key, 0) + k
    return {key: n for key, n in groups.items() if n}


# References: unique by construction (a random draw among a million would collide
# about every other run), spread over the whole space like the app's random ones.
_REFERENCE_SPACE = 31 ** 8
_REFERENCE_STEP = 3 ** 18  # shares no factor with 31**8, so i -> reference is one-to-one
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def bench_reference(i: int) -> str:
    value = (i * _REFERENCE_STEP + 123_456_789) % _REFERENCE_SPACE
    chars = []
    for _ in range(8):
        value, digit = divmod(value, 31)
        chars.append(_ALPHABET[digit])
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


REQUEST_FIELDS = ("programme", "month", "category", "status", "outcome", "closed_month", "reference", "entry")


def _request_rows(groups: dict[GroupKey, int], months: list[dt.date], programme_ids: list[int],
                  entry_ids: dict[tuple[int, int], int]) -> Iterator[tuple]:
    """Rows in the order of REQUEST_FIELDS, month by month, each month's requests of all
    programmes and kinds shuffled together as they would arrive."""
    by_month: dict[int, list[tuple[GroupKey, int]]] = {}
    for key, n in groups.items():
        by_month.setdefault(key[1], []).append((key, n))
    rng = random.Random(SEED)
    index = 0
    for m in sorted(by_month):
        arrivals = [key for key, n in by_month[m] for _ in range(n)]
        rng.shuffle(arrivals)
        for p, _m, category, status, outcome, closed in arrivals:
            yield (programme_ids[p], months[m], category, status, outcome,
                   None if closed is None else months[closed], bench_reference(index), entry_ids[(p, m)])
            index += 1


def _quoted_columns(model, names: Iterable[str]) -> str:
    quote_name = connection.ops.quote_name
    return ", ".join(quote_name(model._meta.get_field(name).column) for name in names)


def insert_rows(model, names: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany in batches on SQLite."""
    table, columns = connection.ops.quote_name(model._meta.db_table), _quoted_columns(model, names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(names))
        # nosec below: names quoted from the models' metadata, values as parameters.
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # nosec B608
        rows = iter(rows)
        while batch := [tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row)
                        for row in islice(rows, 20_000)]:
            cursor.executemany(sql, batch)


@dataclass
class BenchData:
    programmes: list[Programme]
    first: dt.date
    last: dt.date

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1


def wipe() -> None:
    """Every programme and everything that hangs off it (requests, entries, counts,
    reports, reviews), the audit log and the bench's API tokens: the bench's accounts
    stay."""
    from api.models import ApiToken
    from publications.models import SignedFile
    from reports.models import Publication, Report

    ApiToken.objects.filter(partner=BENCH_PARTNER).delete()
    if connection.vendor != "postgresql":
        AuditEvent.objects.all().delete()
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Programme, Report, AuditEvent))
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        return
    with transaction.atomic():
        HelpRequest.objects.all().delete()  # first: the largest, in one statement
        # What an earlier run published protects its reports: its signed files first (the
        # log entries they point at stay, as TRUNCATE ... CASCADE leaves them above).
        SignedFile.objects.all().delete()
        Publication.objects.all().delete()
        # Whatever points at a programme (entries, reports, counts...), then the programmes.
        # Hidden relations too (related_name="+"): the counts and the protected data versions.
        for relation in Programme._meta.get_fields(include_hidden=True):
            if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one):
                relation.related_model._base_manager.all().delete()
        Programme.objects.all().delete()


def load(total: int, *, author: User, coordinator: User, months: int = MONTHS) -> BenchData:
    """Wipe, then load `total` requests over the `months` months up to this one (36;
    at least MIN_MONTHS, so that a programme starts late and one has two months without a request)."""
    wipe()
    last = current_month()
    first = add_months(last, -(months - 1))
    groups = plan(total, months=months)
    calendar = [add_months(first, m) for m in range(months)]
    with transaction.atomic():
        programmes = Programme.objects.bulk_create(
            Programme(slug=p.slug, name=p.name, first_month=calendar[p.starts]) for p in PROGRAMMES
        )
        coordinator.programmes.set(p for p in programmes if p.slug in COORDINATED)
        # One import entry per programme and month, as if each month came in a CSV file.
        cells = sorted({(key[0], key[1]) for key in groups})
        entries = Entry.objects.bulk_create(
            Entry(programme=programmes[p], month=calendar[m], kind=Entry.Kind.IMPORT, author=author) for p, m in cells
        )
        entry_ids = {cell: entry.pk for cell, entry in zip(cells, entries)}
        insert_rows(HelpRequest, REQUEST_FIELDS, _request_rows(groups, calendar, [p.pk for p in programmes], entry_ids))
        counts_rebuild()
    # Statistics and a visibility map, as autovacuum leaves a table in use.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return BenchData(programmes=programmes, first=first, last=last)


def counted(month: dt.date) -> int:
    """Every request up to `month`, as the reports count them."""
    return sum(row.requests for row in counts.count_rows(programme=None, until=month))


def foreign_data() -> list[str]:
    """What the database holds that the bench did not make, and would wipe."""
    from reports.models import ReferenceFigure

    found = []
    programmes = Programme.objects.exclude(slug__startswith=BENCH_PREFIX).count()
    accounts = User.objects.exclude(username__startswith=BENCH_PREFIX).count()
    figures = ReferenceFigure.objects.count()
    for n, one, many in ((programmes, "programme", "programmes"), (accounts, "account", "accounts"),
                         (figures, "reference figure", "reference figures")):
        if n:
            found.append(f"{n} {one if n == 1 else many}")
    return found


def bench_account(username: str, role: str, password: str) -> User:
    from django.contrib.auth.models import Group

    user = User.objects.filter(username=username).first() or User(username=username)
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


def counts_select(table: str) -> Callable[[dt.date], list]:
    """select(month): a plain SELECT of every count row up to `month` from `table`
    (shaped as the counts table), as the driver returns them: the report body's baseline."""
    quote_name = connection.ops.quote_name
    columns = _quoted_columns(MonthlyCount, ("month", "category", "status", "outcome", "closed_month", "requests"))
    # nosec below: names quoted from the models' metadata, the month as a parameter.
    sql = f"SELECT {columns} FROM {quote_name(table)} WHERE {quote_name('month')} <= %s"  # nosec B608

    def select(month: dt.date) -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, [month])
            return cursor.fetchall()

    return select


# =====================================================================================
# Counts without requests: the larger sizes and the long history.
#
# Reports read the counts table only. The cells a size's requests would make are
# exactly the plan's groups (check_counts --fix makes one row per group), so the sizes
# the report body is compared at, and the 120-month history, are written as counts
# straight from the plan: loading 5,000,000 requests by COPY would take minutes to make
# the same cells. `check_plan_counts` checks that claim at the size loaded as requests.
# =====================================================================================

COUNT_FIELDS = ("programme", "month", "category", "status", "outcome", "closed_month", "requests", "collapsed")


def _count_rows(groups: dict[GroupKey, int], months: list[dt.date], programme_ids: list[int]) -> Iterator[tuple]:
    for (p, m, category, status, outcome, closed), n in groups.items():
        yield (programme_ids[p], months[m], category, status, outcome,
               None if closed is None else months[closed], n, 0)


def plan_counts(total: int, data: BenchData) -> list[tuple]:
    """The counts rows `total` requests of the bench's plan make, in COUNT_FIELDS order."""
    months = [add_months(data.first, m) for m in range(data.months)]
    return list(_count_rows(plan(total, months=data.months), months, [p.pk for p in data.programmes]))


def check_plan_counts(total: int, data: BenchData) -> None:
    """BenchError unless the counts table, rebuilt from the loaded requests, holds
    exactly the rows the plan says."""
    from bench import BenchError

    keys = COUNT_FIELDS[:-1]
    table = set(MonthlyCount.objects.filter(requests__gt=0).values_list(*keys))
    planned = {row[:-1] for row in plan_counts(total, data)}
    if table != planned:
        raise BenchError(f"The counts rebuilt from the requests differ from the plan's in {len(table ^ planned)} rows.")


@contextmanager
def size_tables(sizes: list[int], data: BenchData) -> Iterator[Callable[[int], None]]:
    """Yields switch(size): from then on this connection's queries of the counts table
    read the counts of `size` requests, until the next switch; the real table again
    after the block. The same code (the report task's body, the plain SELECT) then runs
    over each size in turn, interleaved.

    PostgreSQL: a schema per size holding its own counts table (same columns and
    indexes), found first on the search_path. SQLite: a temporary table of the same
    name, which hides the real one, refilled at each switch (slow at large sizes, but
    untimed)."""
    counts = connection.ops.quote_name(MonthlyCount._meta.db_table)
    rows = {size: plan_counts(size, data) for size in sizes}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW search_path")
            saved = cursor.fetchone()[0]
            for size in sizes:
                cursor.execute(f"DROP SCHEMA IF EXISTS bench_size_{size} CASCADE")
                cursor.execute(f"CREATE SCHEMA bench_size_{size}")
                cursor.execute(f"CREATE TABLE bench_size_{size}.{counts} (LIKE public.{counts} INCLUDING ALL)")
                cursor.execute(f"SET search_path TO bench_size_{size}, public")
                with transaction.atomic():
                    insert_rows(MonthlyCount, COUNT_FIELDS, rows[size])
                cursor.execute(f"ANALYZE bench_size_{size}.{counts}")
            cursor.execute(f"SET search_path TO {saved}")

        def switch(size: int) -> None:
            with connection.cursor() as cursor:
                cursor.execute(f"SET search_path TO bench_size_{size}, public")

        try:
            yield switch
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"SET search_path TO {saved}")
                for size in sizes:
                    cursor.execute(f"DROP SCHEMA IF EXISTS bench_size_{size} CASCADE")
        return

    with connection.cursor() as cursor:  # the same declaration (its date columns read back as dates)
        cursor.execute("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = %s",
                       [MonthlyCount._meta.db_table])
        declaration = cursor.fetchone()[0].replace("CREATE TABLE", "CREATE TEMPORARY TABLE", 1)
    # A temporary table cannot refer to the main database's tables.
    declaration = re.sub(r'REFERENCES "\w+" \("\w+"\)( DEFERRABLE INITIALLY DEFERRED)?', "", declaration)

    def refill(size: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS temp.{counts}")
            cursor.execute(declaration)
        with transaction.atomic():
            insert_rows(MonthlyCount, COUNT_FIELDS, rows[size])

    try:
        yield refill
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS temp.{counts}")


LONG = BenchProgramme("bench-long-history", "Long history (bench)", 100, 0, (), {
    Category.DESERTION: 40, Category.MOBILISATION: 25, Category.EMIGRATION: 20, Category.LEGAL: 10,
    Category.OTHER: 5})


def add_long_history(total: int, months: int, data: BenchData) -> Programme:
    """A programme of `months` months up to the bench's last month, its `total`
    requests written as counts: the reports of all programmes then cover `months`."""
    first = add_months(data.last, -(months - 1))
    programme = Programme.objects.create(slug=LONG.slug, name=LONG.name, first_month=first)
    month_list = [add_months(first, m) for m in range(months)]
    with transaction.atomic():
        insert_rows(MonthlyCount, COUNT_FIELDS,
                    _count_rows(plan(total, months=months, programmes=[LONG]), month_list, [programme.pk]))
    return programme


# =====================================================================================
# The audit log: events of every kind over the 36 months.
# =====================================================================================

AUDIT_FIELDS = ("actor", "action", "month", "subject")


def load_audit_events(total: int, data: BenchData, actors: list[User]) -> None:
    """`total` audit events, written by COPY: logins and failed logins, requests
    logged and reports made, month by month, by the bench's accounts and by no account."""
    from intake.audit_actions import Action

    actions = [Action.LOGIN] * 5 + [Action.REQUESTS_LOGGED] * 3 + [Action.LOGIN_FAILED, Action.REQUEST_CHANGED]
    months = [add_months(data.first, m) for m in range(data.months)]
    who = [actor.pk for actor in actors] + [None]

    def rows() -> Iterator[tuple]:
        for i in range(total):
            action = actions[i % len(actions)]
            yield (who[i % len(who)], action, months[i * len(months) // total], "bench" if action != Action.LOGIN else "")

    with transaction.atomic():
        insert_rows(AuditEvent, AUDIT_FIELDS, rows())
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(AuditEvent._meta.db_table)}")
