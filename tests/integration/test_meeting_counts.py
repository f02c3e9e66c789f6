"""開催回数と検討件数, on both stores: a sitting counts once however many cases it discussed, each case once per
sitting, in the fiscal year of the day it was held; the counts are the same live and after a rebuild."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from uuid import UUID

import pytest

from api.queries.meetings import sitting_counts
from domain.application import Tsunagu
from domain.commands import GrantConsent, HoldSitting, MeetingPart
from domain.indicators import IndicatorSet
from domain.registry import Registry
from domain.vocabulary import ConsentMethod, InformationCategory, MeetingKind
from infra.indicators import load_set
from projections import build_read_models
from projections.indicators import year_table
from projections.runner import BatchRunner
from tests.unit.test_meetings import actor, open_household, seat, unconsented_part, ward_with_bodies

pytestmark = pytest.mark.integration

OTA_MEETINGS = next(i for i in load_set("ota").indicators if i.id == "multi_layered_meetings")
"""Ota's row 5 「重層的支援会議の開催回数」: sittings holding either function, each once, by the day held."""


@pytest.fixture(scope="module")
def registry(registry: Registry) -> Registry:  # the demo ward, with its meeting bodies
    return ward_with_bodies(registry)


def bukai_sitting(case_id: UUID, member: str) -> HoldSitting:
    return HoldSitting(case_id=case_id, body_id="bukai", held_on=date(2026, 6, 1), start_time=time(10, 0),
                       parts=(unconsented_part(MeetingKind.SUPPORT, member, seat("tanaka-yui", "coordination"),
                                               seat("suzuki-kenta", "elderly-shiba"), until=date(2026, 7, 1)),))


def ota_sitting(tsunagu: Tsunagu, case_id: UUID, member: str, held_on: date) -> HoldSitting:
    tsunagu.execute(actor(tsunagu, "suzuki-kenta"), GrantConsent(
        case_id=case_id, member_id=member, agencies=("coordination", "elderly-shiba"),
        categories=(InformationCategory.BASIC,), purpose="支援プランの作成", method=ConsentMethod.WRITTEN,
        document_ref="同意書1", valid_until=date(2027, 5, 31)))
    team = MeetingPart(kind=MeetingKind.MULTI_LAYERED, purpose="チームづくり",
                       participants=(seat("tanaka-yui", "coordination"), seat("suzuki-kenta", "elderly-shiba")))
    outreach = unconsented_part(MeetingKind.SUPPORT, member, seat("tanaka-yui", "coordination"),
                                seat("takahashi-aoi", "hikikomori"), until=held_on.replace(day=28))
    return HoldSitting(case_id=case_id, body_id="ota-style", held_on=held_on, parts=(team, outreach))


def test_one_sitting_with_three_cases_counts_once_as_a_sitting_and_three_times_as_case_discussions(
        tsunagu: Tsunagu, store_env: dict[str, str]) -> None:
    read_models = build_read_models(store_env)
    runner = BatchRunner(tsunagu, [read_models.indicators], batch_size=1)  # each case's record in its own batch
    for name in ("佐藤家", "鈴木家", "高橋家"):
        tsunagu.execute(actor(tsunagu, "tanaka-yui"), bukai_sitting(*open_household(tsunagu, name)))
        runner.catch_up()
    counts = sitting_counts(read_models, 2026)
    assert (counts.sittings, counts.case_discussions) == (1, 3)
    support = next(k for k in counts.by_kind if k.kind == "support")
    assert (support.sittings, support.case_discussions) == (1, 3)
    assert [(b.body_id, b.sittings, b.case_discussions) for b in counts.by_body] == [("bukai", 1, 3)]
    assert year_table(read_models.indicators.view, tsunagu.registry, 2026)["support_meetings"] == {"": 1}
    runner.rebuild()
    assert sitting_counts(read_models, 2026) == counts


def test_an_ota_sitting_counts_once_with_a_consented_and_a_106_6_part_in_the_year_it_was_held(
        tsunagu: Tsunagu, store_env: dict[str, str], clock) -> None:
    read_models = build_read_models(store_env)
    runner = BatchRunner(tsunagu, [read_models.indicators])
    case_id, member = open_household(tsunagu)
    sitting = ota_sitting(tsunagu, case_id, member, date(2027, 3, 26))
    clock.now = datetime(2027, 4, 2, 1, 0, tzinfo=UTC)  # recorded in April of FY2027 …
    tsunagu.execute(actor(tsunagu, "tanaka-yui"), sitting)
    runner.catch_up()  # … for a sitting held in March: FY2026
    counts = sitting_counts(read_models, 2026)
    assert (counts.sittings, counts.case_discussions) == (1, 1)
    assert {k.kind: (k.sittings, k.case_discussions) for k in counts.by_kind if k.sittings} == {
        "multi_layered": (1, 1), "support": (1, 1)}
    assert [(b.body_id, b.sittings, b.case_discussions) for b in counts.by_body] == [("ota-style", 1, 1)]
    year = year_table(read_models.indicators.view, tsunagu.registry, 2026)  # the national set: a row per kind
    assert (year["multi_layered_meetings"], year["support_meetings"]) == ({"": 1}, {"": 1})
    row = OTA_MEETINGS.model_copy(update={"goal": None})
    ota = tsunagu.registry.model_copy(update={"indicators": IndicatorSet(indicators=(row,))})
    assert year_table(read_models.indicators.view, ota, 2026) == {"multi_layered_meetings": {"": 1}}  # once
    assert year_table(read_models.indicators.view, ota, 2027) == {"multi_layered_meetings": {"": 0}}
    assert sitting_counts(read_models, 2027).sittings == 0
