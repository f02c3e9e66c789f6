"""Ota's own rows, with Ota's names, on both stores: SAPOTA's のべ支援件数 (うち新規相談件数), and the ward's table as
a download laid out like the plan's (title with the 令和 year, rows under their 基本目標, units, Shift_JIS)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from api.queries.indicators import indicators_spreadsheet, yearly_indicators
from domain.application import Tsunagu
from domain.registry import Registry
from infra.bootstrap import load_registry
from infra.demo.staff import with_demo_staff
from infra.settings import WARDS
from tests.integration.test_indicators import MARCH, caught_up, household, visit

pytestmark = pytest.mark.integration

SAPOTA = "demo-sapota-caseworker-1"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return with_demo_staff(load_registry(WARDS / "ota.json"))


def consult_at(app: Tsunagu, staff_id: str, case_id, at: datetime) -> None:
    from domain.commands import RecordConsultation
    from domain.vocabulary import Field, InformationCategory

    app.execute(app.registry.staff_member(staff_id).as_actor(), RecordConsultation(
        case_id=case_id, field=Field.HIKIKOMORI, category=InformationCategory.CONSULTATION, channel="電話",
        summary="相談", occurred_at=at))


def test_sapota_counts_every_contact_and_as_new_only_a_case_s_first_consultation_there(
        tsunagu: Tsunagu, store_env: dict[str, str]) -> None:
    may = datetime(2026, 5, 10, 1, 0, tzinfo=UTC)
    a, (a1,) = household(tsunagu, SAPOTA, "一郎")
    consult_at(tsunagu, SAPOTA, a, MARCH)  # A's first consultation: FY2025
    consult_at(tsunagu, SAPOTA, a, may)
    visit(tsunagu, SAPOTA, a, a1)
    b, (b1,) = household(tsunagu, SAPOTA, "次郎")
    visit(tsunagu, SAPOTA, b, b1, at=datetime(2026, 4, 20, 1, 0, tzinfo=UTC))  # a visit first: not a consultation
    consult_at(tsunagu, SAPOTA, b, may)  # B's first consultation: new in FY2026
    consult_at(tsunagu, SAPOTA, b, may)
    c, _ = household(tsunagu, "demo-jidokan-caseworker-1", "三郎")
    consult_at(tsunagu, "demo-jidokan-caseworker-1", c, may)  # another agency's: not SAPOTA's
    table = yearly_indicators(caught_up(tsunagu, store_env), tsunagu, 2026)
    row = next(r for r in table.rows if r.indicator == "sapota_support")
    assert row.indicator_ja == "ひきこもり支援室SAPOTAにおけるのべ支援件数" and row.of_which_ja == "うち新規相談件数"
    assert (row.value, row.of_which, row.unit) == (5, 1, "件")  # A: 1 consultation + 1 visit, B: 1 + 2; new: B
    jidokan = next(r for r in table.rows if r.indicator == "jidokan_consultations")
    assert jidokan.value == 1
    assert [r.goal for r in table.rows][:2] == ["goal-1", "goal-1"]  # grouped by 基本目標, as the plan's table


def test_the_table_downloads_like_the_ward_s_with_the_reiwa_year_and_in_shift_jis(
        tsunagu: Tsunagu, store_env: dict[str, str]) -> None:
    read_models = caught_up(tsunagu, store_env)
    response = indicators_spreadsheet(read_models, tsunagu, 2026, "csv", "shift_jis")
    assert "Shift_JIS" in response.headers["content-type"]
    rows = list(csv.reader(io.StringIO(bytes(response.body).decode("cp932"))))
    assert rows[0] == ["大田区地域福祉計画の基本目標と重層的支援体制整備事業におけるアウトプット指標（令和8年度）"]
    assert rows[1][:6] == ["基本目標", "法対象事業", "番号", "アウトプット指標", "内訳", "実績"]
    goals = [r[0] for r in rows[2:] if r[0]]
    assert goals == ["基本目標1 「つながりを感じることができる地域をめざします」",
                     "基本目標3 「安心して生活できる地域を支えます」"]  # named once per group; goal 2 has no case rows
    meetings = next(r for r in rows[2:] if r[3] == "重層的支援会議の開催回数")
    assert (meetings[2], meetings[5], meetings[8]) == ("5", "0", "回")
    xlsx = indicators_spreadsheet(read_models, tsunagu, 2026, "xlsx")
    assert xlsx.body[:2] == b"PK"
