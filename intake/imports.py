"""Reading a file of request counts, CSV or an Excel workbook (docs/design.md, Counts
and moves).

The header is exactly `month,programme,category,status,outcome,closed_month,count` (in
any order; each column may also be titled in words, in English or Russian), separated by
commas, semicolons or tabs; the text is UTF-8, UTF-16 or Windows-1251. Months may be
written as dates (01.12.2026), categories, statuses and outcomes by their names.
A file with any other column is refused before a single row is read (the message names
the column): such a column may hold personal data, so none of its values is stored,
logged or shown. Every bad
row is reported with its line number; one bad row means nothing is written. A file is
at most MAX_BYTES and its rows add up to at most MAX_IMPORT_REQUESTS requests.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from .models import Category, MonthLocks, Outcome, Programme, Status
from .months import parse_month
from .services import RequestSpec, check_count, check_import_total, parse_count
from .spreadsheets import NotAWorkbook, is_xlsx, read_xlsx_rows

COLUMNS = ("month", "programme", "category", "status", "outcome", "closed_month", "count")
# Enough for years of a large organisation's monthly counts; a larger file is
# probably not what the format expects.
MAX_ROWS = 5000
# How much of a refused column's name is shown.
NAME_SHOWN = 30
# 5,000 rows take some 200 KB; the limit is checked on an upload's size before it is read.
MAX_BYTES = 2 * 1024 * 1024


class ImportRefused(Exception):
    """The file cannot be imported; `errors` lists (line number or None, message)."""

    def __init__(self, errors: list[tuple[int | None, str]]):
        super().__init__("; ".join(f"line {line}: {message}" if line else message for line, message in errors))
        self.errors = errors


def read_csv(data: bytes, *, programmes: Iterable[Programme]) -> list[tuple[RequestSpec, int]]:
    """Check a whole file, CSV or an Excel workbook (.xlsx), and return its rows as (what,
    how many); ImportRefused with every problem found otherwise. `programmes` are the ones
    the importer may write to."""
    check_size(len(data))
    workbook = is_xlsx(data)
    lines = _xlsx_lines(data) if workbook else _csv_lines(decode(data))
    try:
        _line, cells = next(lines, (1, []))
    except _Unreadable as exc:
        raise ImportRefused([(exc.line, exc.message)]) from None
    header = [column_of(cell) for cell in cells]
    _check_header(header)
    programmes = list(programmes)
    # A programme by its short name, or by its name in either language (short names first).
    by_name = {name.casefold(): programme for programme in programmes for name in (programme.name_ru, programme.name)
               if name} | {programme.slug: programme for programme in programmes}
    names = _choice_names()
    locks = MonthLocks()  # a row into a locked month is a line's error, like any other
    groups, errors = [], []
    while True:
        try:
            line, row = next(lines)
        except StopIteration:
            break
        except _Unreadable as exc:
            # The reader cannot go on reliably past such a line: report it with the rest.
            errors.append((exc.line, exc.message))
            break
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(groups) + len(errors) >= MAX_ROWS:
            raise ImportRefused([(line, _("The file has more than %(max)s rows.") % {"max": number_format(MAX_ROWS, force_grouping=True)})])
        if workbook and len(row) < len(header):
            row = row + [""] * (len(header) - len(row))  # a sheet's row ends at its last filled cell
        if len(row) != len(header):
            errors.append((line, _("expected %(expected)s values, found %(found)s.") % {
                "expected": len(header), "found": len(row)}))
            continue
        try:
            groups.append(_read_row(dict(zip(header, (cell.strip() for cell in row))), by_name, names, locks))
        except ValidationError as exc:
            errors.append((line, " ".join(exc.messages)))
    try:
        check_import_total(sum(count for _spec, count in groups))
    except ValidationError as exc:
        errors.extend((None, message) for message in exc.messages)
    if errors:
        raise ImportRefused(errors)
    if not groups:
        raise ImportRefused([(None, _("The file has no rows."))])
    return groups


class _Unreadable(Exception):
    """A line, or the whole file, that cannot be read: (line number or None, message)."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def _csv_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _Unreadable(reader.line_num or 1, _unreadable(exc)) from None
        yield reader.line_num, row


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows, numbered as Excel numbers them, without the empty cells
    after the last filled one."""
    try:
        for number, row in enumerate(read_xlsx_rows(data), start=1):
            while row and not row[-1].strip():
                row.pop()
            yield number, row
    except NotAWorkbook:
        raise _Unreadable(None, _(
            "The file cannot be read as an Excel workbook. Save it again in Excel as \"Excel Workbook (*.xlsx)\" "
            "or as \"CSV UTF-8\", and import it again.")) from None


# What each column may be called in the header: its name in the format, or its title in
# English or Russian (as a person filling in a sheet may write it).
COLUMN_TITLES = {
    "month": pgettext_lazy("an import column", "month received"),
    "programme": pgettext_lazy("an import column", "programme"),
    "category": pgettext_lazy("an import column", "category"),
    "status": pgettext_lazy("an import column", "status"),
    "outcome": pgettext_lazy("an import column", "outcome"),
    "closed_month": pgettext_lazy("an import column", "month closed"),
    "count": pgettext_lazy("an import column", "count"),
}


def _known(text: str) -> str:
    return " ".join(text.replace("_", " ").casefold().split())


def _in_every_language(texts: dict[str, Any]) -> dict[str, str]:
    """{the text in English or Russian, or the code itself, folded: its code}."""
    known = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            known.update({_known(str(text)): code for code, text in texts.items()})
    return known | {_known(code): code for code in texts}


def column_of(title: str) -> str:
    """The format's name of a header's column ("month", "closed_month"), for its name or
    its title in either language; the title, folded, when it is no column of the format."""
    return _in_every_language(COLUMN_TITLES).get(_known(title), title.strip().lower())


def _choice_names() -> dict[str, dict[str, str]]:
    """For category, status and outcome: {a code or a name in either language, folded: code}."""
    return {field: _in_every_language(dict(choices.choices))
            for field, choices in (("category", Category), ("status", Status), ("outcome", Outcome))}


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without the BOM Excel writes), UTF-16 with its BOM
    (Excel's "Unicode text"), or else Windows-1251, Excel's default for Cyrillic, when its
    first line reads as text in it (not as the bytes of some other kind of file);
    ImportRefused naming the encodings tried otherwise."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = None
    if text is not None and all(c.isprintable() or c in "\t\r" for c in text.split("\n", 1)[0]):
        return text
    raise ImportRefused([(None, _(
        "The file is neither UTF-8 nor Windows-1251 text. In Excel, save it as \"CSV UTF-8\" and import it again."))])


# Excel writes commas, or semicolons where the comma is the decimal separator (a
# Russian locale), or tabs ("Unicode text").
DELIMITERS = (",", ";", "\t")


def delimiter_of(text: str) -> str:
    """The delimiter the header line uses most: the header names only the format's
    columns, so it holds no other of these characters."""
    header = text.split("\n", 1)[0]
    return max(DELIMITERS, key=header.count)


def check_size(size: int) -> None:
    """ImportRefused for a file over MAX_BYTES: call it with an upload's size before reading it."""
    if size > MAX_BYTES:
        message = _("The file is larger than %(size)s MB; split it into smaller files and import each.")
        raise ImportRefused([(None, message % {"size": MAX_BYTES // (1024 * 1024)})])


def _unreadable(error: csv.Error) -> str:
    # csv's messages name no value, but are not translated: say what they mean.
    if "field larger than field limit" in str(error):
        return _("a value is longer than %(max)s characters; no value in this format is that long.") % {
            "max": number_format(csv.field_size_limit(), force_grouping=True)}
    return _("the line cannot be read as CSV; check its quotes.")


def _check_header(header: list[str]) -> None:
    if not header:
        raise ImportRefused([(None, _("The file is empty."))])
    unknown = [column for column in header if column not in COLUMNS]
    if unknown:
        # Named, shortened: a header names columns; the values below it are never read.
        names = ", ".join(pgettext("a column's name, quoted", "\u201c%(name)s\u201d")
                          % {"name": column[:NAME_SHOWN] + ("…" if len(column) > NAME_SHOWN else "")}
                          for column in unknown[:5])
        raise ImportRefused([(1, _(
            "The file has columns that are not in the format: %(names)s. It was refused without "
            "reading any row, since such columns may hold personal data. Remove them; the columns must be: "
            "%(columns)s."
        ) % {"names": names, "columns": ",".join(COLUMNS)})])
    missing = [column for column in COLUMNS if column not in header]
    if missing or len(header) != len(set(header)):
        raise ImportRefused([(1, _("The header must name each of these columns once: %(columns)s.") % {
            "columns": ",".join(COLUMNS)})])


# Months as Excel writes a date in a cell it has read as one: 2026-12-01 (with a time, or
# in a workbook), 01.12.2026 (a Russian locale), 12/1/2026 (English, US) or 1/12/2026
# (English, UK). Any day of the month stands for the month.
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?")
_DOTTED = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_MONTH_DOT_YEAR = re.compile(r"([0-9]{1,2})\.([0-9]{4})")
_SLASHED = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


class AmbiguousDate(ValueError):
    """A date such as 3/4/2026: April in an English (US) locale, March in a British one."""


def month_of(value: str) -> dt.date:
    """The month a cell names: YYYY-MM, or a date in one of the forms Excel writes;
    ValueError otherwise, AmbiguousDate when the day and the month may be either way round."""
    value = value.strip()
    try:
        return parse_month(value)
    except ValueError:
        pass
    if found := _ISO_DATE.fullmatch(value):
        year, month, day = map(int, found.groups())
    elif found := _DOTTED.fullmatch(value):
        day, month, year = map(int, found.groups())
    elif found := _MONTH_DOT_YEAR.fullmatch(value):
        (month, year), day = map(int, found.groups()), 1
    elif found := _SLASHED.fullmatch(value):
        first, second, year = map(int, found.groups())
        # Month first (US) or day first (UK): the reading that is a real date; of two,
        # the one that falls on the first of a month, as a month written as a date does.
        readings = {(m, d) for m, d in ((first, second), (second, first)) if _is_date(year, m, d)}
        if len({m for m, _d in readings}) > 1:
            firsts = [(m, d) for m, d in readings if d == 1]
            if len(firsts) != 1:
                raise AmbiguousDate(value)
            readings = set(firsts)
        if not readings:
            raise ValueError(value)
        month, day = min(readings)
    else:
        raise ValueError(value)
    if not _is_date(year, month, day):
        raise ValueError(value)
    return dt.date(year, month, 1)


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _read_row(values: dict[str, str], programmes: dict[str, Programme], names: dict[str, dict[str, str]],
              locks: MonthLocks) -> tuple[RequestSpec, int]:
    problems = []

    def choice(field: str, choices, *, blank: bool = False) -> str:
        value = values[field]
        if blank and not value:
            return ""
        code = names[field].get(_known(value))
        if code is None:
            problems.append(_("%(field)s must be one of %(choices)s.") % {
                "field": field, "choices": ", ".join(choices.values)})
        return code or value

    def month(field: str, *, blank: bool = False):
        value = values[field]
        if blank and not value:
            return None
        try:
            return month_of(value)
        except AmbiguousDate:
            problems.append(_("%(field)s: %(date)s could be a date in either of two months (the day and the month "
                              "may be either way round); write the month as YYYY-MM.") % {
                "field": field, "date": value[:NAME_SHOWN]})
        except ValueError:
            problems.append(_("%(field)s must be a month as YYYY-MM, or a date in it such as 01.12.2026.") % {
                "field": field})
        return None

    programme = programmes.get(values["programme"].casefold())
    if programme is None:
        problems.append(_("unknown programme, or one you may not import into."))
    received = month("month")
    category = choice("category", Category)
    status = choice("status", Status)
    outcome = choice("outcome", Outcome, blank=True)
    closed_month = month("closed_month", blank=True)
    try:
        count = parse_count(values["count"])
        check_count(count)
    except ValueError:
        problems.append(_("count must be written in digits, e.g. 12."))
    except ValidationError as exc:
        problems.extend(exc.messages)
    if problems:
        raise ValidationError(problems)
    spec = RequestSpec(programme=programme, month=received, category=category, status=status,
                       outcome=outcome, closed_month=closed_month)
    spec.validate(locks=locks)  # months not in the future, outcome and closed month if and only if closed, ...
    return spec, count
