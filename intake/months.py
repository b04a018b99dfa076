"""Months: the finest time grain the app knows. A month is the date of its first day."""

import datetime as dt
import re

from django.utils import timezone
from django.utils.dates import MONTHS_ALT
from django.utils.translation import pgettext, pgettext_lazy

# A month as written everywhere (URLs, forms, files, the API's schema): YYYY-MM in ASCII
# digits only, since \d and int() also read "٢٠٢٣-١١" and "２０２３-１１" as 2023-11.
MONTH_PATTERN = "[0-9]{4}-(?:0[1-9]|1[0-2])"
_MONTH_RE = re.compile(MONTH_PATTERN)


def parse_month(value: str) -> dt.date:
    """'2023-11' -> date(2023, 11, 1); ValueError naming the expected form otherwise."""
    value = value.strip()
    year, month = (int(value[:4]), int(value[5:])) if _MONTH_RE.fullmatch(value) else (0, 0)
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


# A month's name inside a sentence, in the case the sentence needs. English has one
# form ("March"); Russian lower-cases it and declines it: "март" (nominative, also
# after "за"), "марта" (genitive, after "с", "до"), "марте" (prepositional, after "в").
# The code picks the case its Russian sentence needs; each translation of a sentence
# with a month in it is written for that case. Headings and table cells, where the
# month stands alone, keep date's "F Y" ("Март 2026").
_IN_SENTENCE = {
    "nominative": (
        pgettext_lazy("month in a sentence", "January"), pgettext_lazy("month in a sentence", "February"),
        pgettext_lazy("month in a sentence", "March"), pgettext_lazy("month in a sentence", "April"),
        pgettext_lazy("month in a sentence", "May"), pgettext_lazy("month in a sentence", "June"),
        pgettext_lazy("month in a sentence", "July"), pgettext_lazy("month in a sentence", "August"),
        pgettext_lazy("month in a sentence", "September"), pgettext_lazy("month in a sentence", "October"),
        pgettext_lazy("month in a sentence", "November"), pgettext_lazy("month in a sentence", "December"),
    ),
    # Django's own alternative month names are the genitive ("марта") in Russian.
    "genitive": tuple(MONTHS_ALT[m] for m in range(1, 13)),
    "prepositional": (
        pgettext_lazy("month after 'in'", "January"), pgettext_lazy("month after 'in'", "February"),
        pgettext_lazy("month after 'in'", "March"), pgettext_lazy("month after 'in'", "April"),
        pgettext_lazy("month after 'in'", "May"), pgettext_lazy("month after 'in'", "June"),
        pgettext_lazy("month after 'in'", "July"), pgettext_lazy("month after 'in'", "August"),
        pgettext_lazy("month after 'in'", "September"), pgettext_lazy("month after 'in'", "October"),
        pgettext_lazy("month after 'in'", "November"), pgettext_lazy("month after 'in'", "December"),
    ),
}
CASES = tuple(_IN_SENTENCE)


def month_in_sentence(month: dt.date, case: str = "nominative") -> str:
    """The month and its year as a sentence says it in the active language: "March
    2026"; in Russian "март 2026 г.", "марта 2026 г." or "марте 2026 г." by `case`."""
    name = _IN_SENTENCE[case][month.month - 1]
    return pgettext("a month and its year in a sentence", "%(month)s %(year)s") % {"month": name, "year": month.year}
