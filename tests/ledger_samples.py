"""The sample ledger in docs/samples/ledger/, and the same ledger as Excel and as Shift_JIS CSV (made here, so
that no binary file is kept in the repository)."""

from __future__ import annotations

import csv
from pathlib import Path

from infra.ledger.dates import parse_ledger_date

SAMPLES = Path(__file__).resolve().parents[1] / "docs" / "samples" / "ledger"
SAMPLE_CSV = SAMPLES / "minato-ledger.csv"
SAMPLE_MAPPING = SAMPLES / "mapping.yaml"
SAMPLE_ROWS = 20
BAD_LINES = {8: "unknown agency", 12: "future date", 15: "referral without consent", 18: "malformed date"}
"""The sample's deliberately bad rows, by line in the file."""
DATE_COLUMNS = ("受付日", "生年月日", "同意日", "つなぎ日", "会議日", "終結日")


def sample_rows() -> list[list[str]]:
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def write_cp932(path: Path) -> Path:
    path.write_bytes(SAMPLE_CSV.read_text(encoding="utf-8").encode("cp932"))
    return path


def write_xlsx(path: Path) -> Path:
    """The sample as an office would keep it in Excel: readable dates as real date cells, the rest as text."""
    from openpyxl import Workbook

    rows = sample_rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(rows[0])
    dated = [rows[0].index(column) for column in DATE_COLUMNS]
    for row in rows[1:]:
        cells: list[object] = list(row)
        for index in dated:
            try:
                cells[index] = parse_ledger_date(row[index]) if row[index] else None
            except ValueError:
                pass  # a malformed date stays text, as it would in a real ledger
        sheet.append(cells)
    workbook.save(path)
    return path
