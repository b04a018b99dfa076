"""Months: the finest time grain the app knows. A month is the date of its first day."""

import datetime as dt
import re

from django.utils import timezone

# ASCII digits only: \d and int() also read "٢٠٢٣-١١" and "２０２３-１１" as 2023-11.
_MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_month(value: str) -> dt.date:
    """'2023-11' -> date(2023, 11, 1); ValueError naming the expected form otherwise."""
    match = _MONTH_RE.fullmatch(value.strip())
    year, month = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if not (dt.MINYEAR <= year and 1 <= month <= 12):
        raise ValueError(f"{value!r} is not a month in the form YYYY-MM")
    return dt.date(year, month, 1)


def format_month(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def current_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def start_of_month(moment: dt.datetime) -> dt.datetime:
    """Midnight on the first day of the moment's month, local time: what a time of
    someone's action that must be a datetime (django-otp's, the admin's) keeps."""
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def to_the_minute(moment: dt.datetime) -> dt.datetime:
    """The moment without its seconds: the finest time kept of the report worker's runs."""
    return moment.replace(second=0, microsecond=0)


def to_the_minute_now() -> dt.datetime:
    return to_the_minute(timezone.now())


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from first to last, inclusive; empty when last is before first."""
    months = []
    while first <= last:
        months.append(first)
        first = add_months(first, 1)
    return months
