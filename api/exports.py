"""Downloads people can open in a spreadsheet: CSV (UTF-8 with BOM, for Excel) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, Literal
from urllib.parse import quote

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Encoding = Literal["utf-8", "shift_jis"]
"""A CSV's encoding: UTF-8 with a BOM, or Shift_JIS for tools that read nothing else."""
Column = tuple[str, str]
"""A row key and its (Japanese) header."""


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never let a spreadsheet run a cell as a formula
    return value


def csv_response(filename: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]], *,
                 title: str | None = None, encoding: Encoding = "utf-8") -> Response:
    """UTF-8 with a BOM (Excel reads it as such), or Shift_JIS (Windows' cp932) for older tools; ``title``: a
    first line above the headers. A character Shift_JIS lacks becomes 「?」."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if title is not None:
        writer.writerow([_cell(title)])
    writer.writerow([label for _, label in columns])
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key, _ in columns])
    if encoding == "shift_jis":
        return Response(content=buffer.getvalue().encode("cp932", errors="replace"),
                        media_type="text/csv; charset=Shift_JIS",
                        headers={"Content-Disposition": _disposition(filename)})
    return Response(content="\ufeff" + buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": _disposition(filename)})


def xlsx_response(filename: str, sheet_title: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]], *,
                  title: str | None = None) -> Response:
    """A sheet with the headers in bold; ``title``: a bold first row above them."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    if title is not None:
        sheet.append([_cell(title)])
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    sheet.append([label for _, label in columns])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(row.get(key)) for key, _ in columns])
    for index, (_, label) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(label) * 2 + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(content=buffer.getvalue(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": _disposition(filename)})
