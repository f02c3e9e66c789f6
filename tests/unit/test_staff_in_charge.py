"""担当者: the lead agency or a coordinator puts a staff member in charge, who must be able to work the case."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from uuid import UUID

import pytest

from domain.actor import Actor
from domain.application import Tsunagu
from domain.case import Case
from domain.commands import AddMember, AssignStaffInCharge, GrantConsent, OpenCase
from domain.errors import InvalidCommand, NotFound, NotPermitted, RuleViolation
from domain.registry import Registry
from domain.vocabulary import ConsentGiver, ConsentMethod, InformationCategory
from tests.conftest import Clock

ELDERLY, ELDERLY_2, HIKIKOMORI, COORDINATOR, AUDITOR = (
    "suzuki-kenta", "kondo-ayumi", "takahashi-aoi", "tanaka-yui", "watanabe-makoto")


@pytest.fixture
def app(registry: Registry, clock: Clock) -> Iterator[Tsunagu]:
    tsunagu = Tsunagu({"PERSISTENCE_MODULE": "eventsourcing.popo"}, registry=registry, clock=clock)
    yield tsunagu
    tsunagu.close()


@pytest.fixture
def case_id(app: Tsunagu, staff: Callable[[str], Actor]) -> UUID:
    opened = app.execute(staff(ELDERLY), OpenCase(household_name="佐藤家", household_name_kana="さとうけ",
                                                  district="shiba", summary="8050"))
    return UUID(opened.case_id)


def stored(app: Tsunagu, case_id: UUID) -> Case:
    return app.repository.get(case_id)


def test_the_lead_agency_puts_one_of_its_own_staff_in_charge(app, staff, case_id) -> None:
    app.execute(staff(ELDERLY), AssignStaffInCharge(case_id=case_id, staff=ELDERLY_2, note="地区担当"))
    in_charge = stored(app, case_id).staff_in_charge
    assert in_charge is not None and (in_charge["staff"], in_charge["agency"]) == (ELDERLY_2, "elderly-shiba")


def test_assigning_again_replaces_the_one_in_charge_and_the_same_person_twice_is_refused(app, staff, case_id) -> None:
    app.execute(staff(ELDERLY), AssignStaffInCharge(case_id=case_id, staff=ELDERLY_2))
    app.execute(staff(ELDERLY), AssignStaffInCharge(case_id=case_id, staff=ELDERLY))
    assert stored(app, case_id).staff_in_charge["staff"] == ELDERLY
    with pytest.raises(RuleViolation):
        app.execute(staff(ELDERLY), AssignStaffInCharge(case_id=case_id, staff=ELDERLY))


def test_an_agency_that_is_not_the_lead_may_not_assign_and_is_told_who_may(app, staff, case_id) -> None:
    member = app.execute(staff(ELDERLY), AddMember(case_id=case_id, name="佐藤 健一", name_kana="さとう けんいち",
                                                   birth_date=date(1975, 4, 2), relationship="長男",
                                                   is_principal=True)).created_id
    app.execute(staff(ELDERLY), GrantConsent(
        case_id=case_id, member_id=member, given_by=ConsentGiver.SELF, agencies=("hikikomori",),
        categories=tuple(InformationCategory), purpose="支援のため", method=ConsentMethod.WRITTEN,
        document_ref="同意書 1", valid_until=date(2027, 3, 31)))
    with pytest.raises(NotPermitted) as refused:
        app.execute(staff(HIKIKOMORI), AssignStaffInCharge(case_id=case_id, staff=HIKIKOMORI))
    assert "芝地区高齢者相談センター" in refused.value.message_ja, "the lead agency is named, not its id"
    assert stored(app, case_id).staff_in_charge is None


def test_a_reader_without_any_basis_gets_the_missing_case_answer(app, staff, case_id) -> None:
    with pytest.raises(NotFound):
        app.execute(staff(HIKIKOMORI), AssignStaffInCharge(case_id=case_id, staff=HIKIKOMORI))


def test_the_assignee_must_work_for_an_agency_with_a_basis_on_the_case(app, staff, case_id) -> None:
    with pytest.raises(RuleViolation) as refused:
        app.execute(staff(ELDERLY), AssignStaffInCharge(case_id=case_id, staff=HIKIKOMORI))
    assert "高橋 葵" in refused.value.message_ja and "港区ひきこもり支援専用相談窓口" in refused.value.message_ja
    assert "hikikomori" not in refused.value.message_ja and "takahashi-aoi" not in refused.value.message_ja


def test_an_auditor_cannot_be_put_in_charge_and_an_unknown_staff_id_is_invalid(app, staff, case_id) -> None:
    with pytest.raises(RuleViolation):
        app.execute(staff(ELDERLY), AssignStaffInCharge(case_id=case_id, staff=AUDITOR))
    with pytest.raises(InvalidCommand):
        app.execute(staff(ELDERLY), AssignStaffInCharge(case_id=case_id, staff="nobody-here"))


def test_what_a_reader_may_know_keeps_the_one_in_charge_like_the_lead_agency(app, staff, case_id) -> None:
    app.execute(staff(ELDERLY), AssignStaffInCharge(case_id=case_id, staff=ELDERLY_2))
    case = stored(app, case_id)
    known = Case.from_granted(case, list(app.events.get(case_id)), granted={1})
    assert known.staff_in_charge == case.staff_in_charge
