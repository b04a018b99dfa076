"""Reading a CSV file of request counts (docs/design.md, Counts and moves).

The header is exactly `month,programme,category,status,outcome,closed_month,count` (in
any order), separated by commas, semicolons or tabs; the text is UTF-8 or Windows-1251.
A file with any other column is refused before a single row is read (the message names
the column): such a column may hold personal data, so none of its values is stored,
logged or shown. Every bad
row is reported with its line number; one bad row means nothing is written. A file is
at most MAX_BYTES and its rows add up to at most MAX_IMPORT_REQUESTS requests.
"""

import csv
import io
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import Category, MonthLocks, Outcome, Programme, Status
from .months import parse_month
from .services import RequestSpec, check_count, check_import_total, parse_count

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
    """Check a whole file and return its rows as (what, how many); ImportRefused with
    every problem found otherwise. `programmes` are the ones the importer may write to."""
    check_size(len(data))
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    try:
        header = [column.strip().lower() for column in next(reader, [])]
    except csv.Error as exc:
        raise ImportRefused([(1, _unreadable(exc))]) from None
    _check_header(header)
    by_slug = {programme.slug: programme for programme in programmes}
    locks = MonthLocks()  # a row into a locked month is a line's error, like any other
    groups, errors = [], []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The reader cannot go on reliably past such a line: report it with the rest.
            errors.append((reader.line_num, _unreadable(exc)))
            break
        if not any(cell.strip() for cell in row):
            continue  # blank line
        line = reader.line_num
        if len(groups) + len(errors) >= MAX_ROWS:
            raise ImportRefused([(line, _("The file has more than %(max)s rows.") % {"max": number_format(MAX_ROWS, force_grouping=True)})])
        if len(row) != len(header):
            errors.append((line, _("expected %(expected)s values, found %(found)s.") % {
                "expected": len(header), "found": len(row)}))
            continue
        try:
            groups.append(_read_row(dict(zip(header, (cell.strip() for cell in row))), by_slug, locks))
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


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without the BOM Excel writes), or else
    Windows-1251, Excel's default for Cyrillic, when the header (ASCII in this format)
    says it is no other kind of file; ImportRefused naming the encodings tried otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    header = data.split(b"\n", 1)[0]
    try:
        if header.isascii():
            return data.decode("cp1251")
    except UnicodeDecodeError:
        pass
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


def _read_row(values: dict[str, str], programmes: dict[str, Programme], locks: MonthLocks) -> tuple[RequestSpec, int]:
    problems = []

    def choice(field: str, choices, *, blank: bool = False) -> str:
        value = values[field]
        if blank and not value:
            return ""
        if value not in choices.values:
            problems.append(_("%(field)s must be one of %(choices)s.") % {
                "field": field, "choices": ", ".join(choices.values)})
        return value

    def month(field: str, *, blank: bool = False):
        value = values[field]
        if blank and not value:
            return None
        try:
            return parse_month(value)
        except ValueError:
            problems.append(_("%(field)s must be a month as YYYY-MM.") % {"field": field})
            return None

    programme = programmes.get(values["programme"])
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
