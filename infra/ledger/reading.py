"""Reading a ledger file: its header and rows, each row numbered as the office sees it (the spreadsheet's row).

CSV comes in UTF-8 (with or without the BOM Excel writes) or in Shift_JIS/CP932, Excel's default in Japanese
offices: UTF-8 is tried first, as CP932 bytes are almost never valid UTF-8. XLSX is read with openpyxl, values
only (no formulas), from the first sheet unless the mapping names one. Blank rows are skipped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

ENCODINGS = ("utf-8-sig", "cp932")


class UnreadableLedger(ValueError):
    """The file is not a ledger this reader understands (wrong type, encoding, sheet or header)."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_ja = message_ja
        self.message_en = message_en


Cell = str | date | datetime | int | float | None


@dataclass(frozen=True)
class LedgerRow:
    line: int
    """The row's number in the file (header = its own line), as the office would look it up."""
    cells: dict[str, Cell]

    def text(self, column: str | None) -> str:
        """The cell as text, stripped ('' when blank or when no column is mapped)."""
        if column is None:
            return ""
        value = self.cells.get(column)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def value(self, column: str | None) -> Cell:
        """The cell as stored (a date cell stays a date)."""
        value = self.cells.get(column) if column is not None else None
        return value.strip() or None if isinstance(value, str) else value


@dataclass(frozen=True)
class Ledger:
    header: tuple[str, ...]
    rows: tuple[LedgerRow, ...]


def read_ledger(path: Path, *, sheet: str | None = None, header_row: int = 1) -> Ledger:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _from_table(_csv_table(path.read_bytes()), header_row)
    if suffix in (".xlsx", ".xlsm"):
        return _from_table(_xlsx_table(path, sheet), header_row)
    raise UnreadableLedger("台帳は .xlsx か .csv のファイルにしてください。", "A ledger is an .xlsx or a .csv file.")


def _csv_table(data: bytes) -> list[list[Cell]]:
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    raise UnreadableLedger("CSV の文字コードを読めません（UTF-8 か Shift_JIS で保存してください）。",
                           "Cannot read the CSV's encoding (save it as UTF-8 or Shift_JIS).")


def _xlsx_table(path: Path, sheet: str | None) -> list[list[Cell]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not a workbook
        raise UnreadableLedger("Excel ファイルとして読めません。",
                               "Cannot read the file as an Excel workbook.") from error
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise UnreadableLedger("対応表で指定したシートがありません。",
                                   "The sheet the mapping names is not in the workbook.")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        return [list(row) for row in worksheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _from_table(table: list[list[Cell]], header_row: int) -> Ledger:
    if len(table) < header_row:
        raise UnreadableLedger("見出しの行がありません。", "The file has no header row.")
    header = tuple("" if cell is None else str(cell).strip() for cell in table[header_row - 1])
    named = [name for name in header if name]
    if len(set(named)) != len(named):
        raise UnreadableLedger("見出しに同じ列名が二つ以上あります。", "The header names a column twice.")
    rows = []
    for line, values in enumerate(table[header_row:], start=header_row + 1):
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
            continue
        rows.append(LedgerRow(line, {name: value for name, value in zip(header, values, strict=False) if name}))
    return Ledger(header=tuple(named), rows=tuple(rows))
