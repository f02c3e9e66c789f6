"""Reading a ledger: the same rows from UTF-8 CSV, Shift_JIS (CP932) CSV and Excel, numbered as in the file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from infra.ledger.reading import UnreadableLedger, read_ledger
from infra.ledger.rows import row_digest
from tests.ledger_samples import SAMPLE_CSV, SAMPLE_ROWS, sample_rows, write_cp932, write_xlsx


def test_a_utf8_csv_ledger_gives_its_header_and_rows_numbered_as_in_the_file() -> None:
    ledger = read_ledger(SAMPLE_CSV)
    assert ledger.header == tuple(sample_rows()[0])
    assert len(ledger.rows) == SAMPLE_ROWS
    assert [row.line for row in ledger.rows] == list(range(2, SAMPLE_ROWS + 2))
    assert ledger.rows[0].text("台帳番号") == "2024-001"


def test_a_shift_jis_csv_reads_the_same_as_the_utf8_one(tmp_path: Path) -> None:
    assert read_ledger(write_cp932(tmp_path / "sjis.csv")) == read_ledger(SAMPLE_CSV)


def test_an_excel_ledger_reads_the_same_rows_with_dates_as_dates(tmp_path: Path) -> None:
    csv_rows, xlsx_rows = read_ledger(SAMPLE_CSV).rows, read_ledger(write_xlsx(tmp_path / "ledger.xlsx")).rows
    assert [r.text("台帳番号") for r in xlsx_rows] == [r.text("台帳番号") for r in csv_rows]
    assert xlsx_rows[0].value("受付日") == date(2024, 4, 8) or xlsx_rows[0].value("受付日").date() == date(2024, 4, 8)
    assert [r.line for r in xlsx_rows] == [r.line for r in csv_rows]


def test_blank_rows_are_skipped_and_a_row_digest_ignores_how_a_cell_is_padded(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text("台帳番号,受付日\n 1 ,R6.4.1\n,\n2,R6.4.2\n", encoding="utf-8")
    rows = read_ledger(path).rows
    assert [row.line for row in rows] == [2, 4]
    padded = tmp_path / "padded.csv"
    padded.write_text("台帳番号,受付日\n1,R6.4.1\n", encoding="utf-8")
    assert row_digest(rows[0]) == row_digest(read_ledger(padded).rows[0])


@pytest.mark.parametrize(("name", "content"), [
    ("ledger.txt", b"a,b\n"),
    ("ledger.xlsx", b"not a workbook"),
    ("ledger.csv", b"\x85\x40,\x81\x20\n"),
    ("ledger.csv", b"a,a\n1,2\n"),
])
def test_a_file_that_is_not_a_readable_ledger_is_refused_with_a_reason(tmp_path: Path, name: str,
                                                                          content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableLedger) as refused:
        read_ledger(path)
    assert refused.value.message_ja and refused.value.message_en
