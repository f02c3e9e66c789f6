"""A ward reorganises (Ota's 令和8年8月1日: the 子ども家庭支援センター becomes part of the こども家庭センター):
a record made for a day after an agency ended cannot name it, and is told which agency took over; a record
back-dated to a day it still existed can."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from domain.application import Tsunagu
from domain.commands import AddMember, GrantConsent, OpenCase
from domain.errors import InvalidCommand
from domain.registry import Registry
from domain.vocabulary import ConsentMethod, InformationCategory
from infra.settings import WARDS
from tests.conftest import Clock

ENDED = date(2026, 7, 31)


@pytest.fixture
def reorganised() -> Registry:
    """Minato's registry, as if its livelihood centre had ended on 2026-07-31, succeeded by the 社協."""
    ward = json.loads((WARDS / "minato.json").read_text(encoding="utf-8"))
    for agency in ward["agencies"]:
        if agency["id"] == "livelihood":
            agency.update(valid_until=ENDED.isoformat(), succeeded_by="shakyo")
    return Registry.model_validate(ward)


@pytest.fixture
def app(reorganised: Registry) -> Iterator[Tsunagu]:
    tsunagu = Tsunagu({"PERSISTENCE_MODULE": "eventsourcing.popo"}, registry=reorganised,
                      clock=Clock(datetime(2026, 9, 1, 1, 0, tzinfo=UTC)))
    yield tsunagu
    tsunagu.close()


def consent_to(case_id: UUID, member: str, agency: str, on: date | None = None) -> GrantConsent:
    return GrantConsent(case_id=case_id, member_id=member, agencies=(agency,), categories=(InformationCategory.BASIC,),
                        purpose="支援のため", method=ConsentMethod.WRITTEN, document_ref="同意書 1",
                        valid_until=date(2027, 3, 31),
                        occurred_at=None if on is None else datetime(on.year, on.month, on.day, 1, tzinfo=UTC))


def test_a_record_cannot_name_an_agency_on_a_day_after_it_ended_and_is_told_who_took_over(app) -> None:
    writer = app.registry.staff_member("suzuki-kenta").as_actor()
    case_id = UUID(app.execute(writer, OpenCase(household_name="佐藤家", household_name_kana="さとうけ",
                                                district="shiba", summary="相談",
                                                occurred_at=datetime(2026, 7, 1, 1, tzinfo=UTC))).case_id)
    son = app.execute(writer, AddMember(case_id=case_id, name="佐藤 健一", name_kana="さとう けんいち",
                                        birth_date=date(1975, 4, 2), relationship="長男")).created_id
    assert son is not None
    with pytest.raises(InvalidCommand) as refused:
        app.execute(writer, consent_to(case_id, son, "livelihood"))
    livelihood, shakyo = app.registry.agency("livelihood"), app.registry.agency("shakyo")
    assert refused.value.message_ja == (f"{livelihood.name_ja}は2026年9月1日には存在しません"
                                        f"（{shakyo.name_ja}に引き継がれています）。")
    assert refused.value.message_en == (f"{livelihood.name_en} does not exist on 2026-09-01 (it was succeeded by "
                                        f"{shakyo.name_en}).")
    app.execute(writer, consent_to(case_id, son, "livelihood", on=ENDED))  # recorded late, for a day it existed
    app.execute(writer, consent_to(case_id, son, "shakyo"))
