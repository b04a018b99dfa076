"""Excel workbooks (.xlsx) both ways, with openpyxl: a table written for people to open
in Excel (the report's figures, the audit log), and an uploaded workbook's first sheet
read as rows of text, for the import to check like the lines of a CSV file.

Written: numbers stay numbers and every text cell is text, even one that starts like a
formula ("=", "+", "-", "@"), so that nothing in a cell is ever computed by Excel.
Read: the workbook's size unpacked is bounded before any of it is parsed, and cells are
read as values (never formulas computed), a sheet at a time, streamed.

openpyxl (and numpy, which it loads) is imported by the functions that use it, not with
this module: the processes that never write or read a workbook start without it.
"""

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Every .xlsx is a ZIP archive, and starts as one.
ZIP_MAGIC = b"PK\x03\x04"
# An import's workbook unpacked: a few MB for 5,000 rows. A larger one is refused before
# it is parsed (a small ZIP can unpack to gigabytes).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# Widest a column is made, in characters; wider text wraps in Excel as it is.
MAX_WIDTH = 60


class NotAWorkbook(ValueError):
    """The bytes are not a workbook that can be read, or one too large unpacked."""


def write_xlsx(sheet_title: str, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A workbook of one sheet: the header in bold, frozen above the rows; ints and floats
    as numbers, dates as dates, anything else as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.freeze_panes = "A2"
    header = [str(name) for name in header]
    widths = [len(name) for name in header]
    bold = Font(bold=True)

    # The widths must be set before the first row is written: read the rows first (a
    # report has a few hundred; the audit log's export, what its filter selects).
    table = [[_cell_value(value) for value in row] for row in rows]
    for row in table:
        for i, value in enumerate(row[:len(widths)]):
            widths[i] = max(widths[i], min(len(_shown(value)), MAX_WIDTH))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width + 2

    def cell(value: Any, font=None) -> WriteOnlyCell:
        made = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            made.data_type = "s"  # text, even "=1+1": never a formula
        if font is not None:
            made.font = font
        return made

    sheet.append([cell(name, font=bold) for name in header])
    for row in table:
        sheet.append([cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    # Excel's limits: 31 characters, none of []:*?/\
    return "".join("-" if c in "[]:*?/\\" else c for c in str(title))[:31] or "Sheet"


def _cell_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, dt.date)):
        return value
    return str(value)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def is_xlsx(data: bytes) -> bool:
    return data[:4] == ZIP_MAGIC


def read_xlsx_rows(data: bytes) -> Iterator[list[str]]:
    """The first sheet's rows, each as the text of its cells: a whole number as its
    digits ("12", not "12.0"), a date as YYYY-MM-DD, an empty cell as "". NotAWorkbook
    when the bytes are not a readable workbook or unpack to more than MAX_UNPACKED_BYTES."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise NotAWorkbook(str(exc)) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise NotAWorkbook("too large unpacked")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise NotAWorkbook(type(exc).__name__) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_text(value) for value in row]
    finally:
        workbook.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
