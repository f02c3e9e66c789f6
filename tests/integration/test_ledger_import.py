"""Importing a ward's case ledger through the domain, on both stores: a re-run imports nothing twice, bad rows
are reported with the rule's reasons and leave nothing of themselves behind, and a dry run writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from domain.actor import Actor
from domain.application import Tsunagu
from domain.calendar import local_date
from infra.ledger.mapping import load_mapping
from infra.ledger.reading import read_ledger
from infra.ledger.run import ImportReport, Outcome, import_ledger
from tests.ledger_samples import BAD_LINES, SAMPLE_CSV, SAMPLE_MAPPING, SAMPLE_ROWS, write_xlsx

OPENED = "domain.case.aggregate:Case.Opened"


def _import(tsunagu: Tsunagu, actor: Actor, path: Path = SAMPLE_CSV, *, dry_run: bool = False) -> ImportReport:
    return import_ledger(tsunagu, actor, read_ledger(path), load_mapping(SAMPLE_MAPPING), dry_run=dry_run)


def _stored(tsunagu: Tsunagu) -> int:
    return sum(1 for _ in tsunagu.notifications())


def _household_names(tsunagu: Tsunagu) -> set[str]:
    names = set()
    for notification in tsunagu.notifications(topics=[OPENED]):
        case = tsunagu.repository.get(notification.originator_id)
        names.add(case.household_name)
    return names


@pytest.fixture
def keeper(staff: Callable[[str], Actor]) -> Actor:
    return staff("tanaka-yui")


def test_importing_the_sample_ledger_twice_gives_the_same_store(tsunagu: Tsunagu, keeper: Actor) -> None:
    first = _import(tsunagu, keeper)
    assert first.count(Outcome.IMPORTED) == SAMPLE_ROWS - len(BAD_LINES)
    stored = _stored(tsunagu)
    assert stored > 0

    second = _import(tsunagu, keeper)

    assert _stored(tsunagu) == stored  # zero new events
    assert second.count(Outcome.ALREADY_IMPORTED) == SAMPLE_ROWS - len(BAD_LINES)
    assert second.count(Outcome.IMPORTED) == 0


def test_the_same_ledger_kept_in_excel_is_recognised_as_already_imported(tsunagu: Tsunagu, keeper: Actor,
                                                                         tmp_path: Path) -> None:
    _import(tsunagu, keeper)
    stored = _stored(tsunagu)
    again = _import(tsunagu, keeper, write_xlsx(tmp_path / "ledger.xlsx"))
    assert _stored(tsunagu) == stored
    assert again.count(Outcome.IMPORTED) == 0


def test_bad_rows_are_reported_with_reasons_and_nothing_is_half_written(tsunagu: Tsunagu, keeper: Actor) -> None:
    report = _import(tsunagu, keeper)

    refused = {row.line: row for row in report.rows if row.outcome == Outcome.REFUSED}
    assert set(refused) == set(BAD_LINES)
    assert "対応表" in refused[8].message_ja and "mapping" in refused[8].message_en  # unknown agency
    assert refused[12].refused_by == "OpenCase" and "未来" in refused[12].message_ja  # future date
    assert refused[15].refused_by == "RequestReferral" and "同意" in refused[15].message_ja  # no consent
    assert "受付日" in refused[18].message_ja  # malformed date
    imported = [row for row in report.rows if row.outcome == Outcome.IMPORTED]
    # every imported row wholly (one event per command, and its idempotency record), nothing of any other row
    assert _stored(tsunagu) == sum(len(row.commands) + 1 for row in imported)
    assert len(list(tsunagu.notifications(topics=[OPENED]))) == len(imported)
    assert "試作 十三" not in _household_names(tsunagu)  # line 15 opened its case before its referral was refused


def test_a_dry_run_reports_every_row_and_writes_nothing(tsunagu: Tsunagu, keeper: Actor) -> None:
    report = _import(tsunagu, keeper, dry_run=True)

    assert _stored(tsunagu) == 0
    assert report.count(Outcome.WOULD_IMPORT) == SAMPLE_ROWS - len(BAD_LINES)
    assert {row.line for row in report.rows if row.outcome == Outcome.REFUSED} == set(BAD_LINES)
    assert report.rows[0].commands == ("OpenCase", "AddMember", "RecordConsultation", "GrantConsent",
                                       "RequestReferral", "HoldMultiLayeredMeeting")


def test_a_dry_run_after_an_import_reports_the_rows_already_imported(tsunagu: Tsunagu, keeper: Actor) -> None:
    _import(tsunagu, keeper)
    report = _import(tsunagu, keeper, dry_run=True)
    assert report.count(Outcome.ALREADY_IMPORTED) == SAMPLE_ROWS - len(BAD_LINES)
    assert report.count(Outcome.WOULD_IMPORT) == 0


def test_imported_records_are_dated_by_the_ledger_not_by_the_import(tsunagu: Tsunagu, keeper: Actor) -> None:
    _import(tsunagu, keeper)
    first = next(iter(tsunagu.notifications(topics=[OPENED])))
    case = tsunagu.repository.get(first.originator_id)
    assert local_date(case.opened_at) == date(2024, 4, 8)  # 令和6年4月8日; the test's clock is 2026-06-01
    assert case.lead_agency == "coordination"


def test_a_row_changed_after_its_import_is_reported_and_not_imported_again(tsunagu: Tsunagu, keeper: Actor,
                                                                           tmp_path: Path) -> None:
    _import(tsunagu, keeper)
    stored = _stored(tsunagu)
    changed = tmp_path / "changed.csv"
    changed.write_text(SAMPLE_CSV.read_text(encoding="utf-8").replace("物忘れが増え", "物忘れがひどく"),
                       encoding="utf-8")
    report = _import(tsunagu, keeper, changed)
    assert _stored(tsunagu) == stored
    assert [row.line for row in report.rows if row.outcome == Outcome.CHANGED_SINCE_IMPORT] == [2]
