"""A household written through an in-memory Tsunagu, each refusal checked as recorded (for command tests)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.application import Tsunagu
from domain.commands import AddMember, GrantConsent, OpenCase
from domain.vocabulary import ConsentMethod, InformationCategory
from tests.support import write_refusals

ELDERLY, COORDINATOR = "suzuki-kenta", "tanaka-yui"


class Ward:
    def __init__(self, app: Tsunagu, staff: Any, clock: Any) -> None:
        self.app, self.staff, self.clock = app, staff, clock

    def do(self, staff_id: str, command: Any) -> str | None:
        self.clock.advance(minutes=5)
        return self.app.execute(self.staff(staff_id), command).created_id

    def refused(self, staff_id: str, command: Any, error: type[Exception], refused_by: str) -> Exception:
        before = len(write_refusals(self.app))
        with pytest.raises(error) as raised:
            self.do(staff_id, command)
        [refusal] = write_refusals(self.app)[before:]
        assert (refusal.command, refusal.refused_by) == (type(command).__name__, refused_by)
        return raised.value

    def household(self) -> tuple[UUID, str]:
        case = UUID(self.do(ELDERLY, OpenCase(household_name="佐藤家", household_name_kana="さとうけ",
                                              district="shiba", summary="相談")))
        child = self.do(ELDERLY, AddMember(case_id=case, name="佐藤 蓮", name_kana="さとう れん",
                                           birth_date=date(2008, 6, 20), relationship="子", is_principal=True))
        assert child is not None
        return case, child

    def consent(self, case: UUID, member: str, agencies: tuple[str, ...],
                categories: tuple[InformationCategory, ...] = tuple(InformationCategory)) -> str:
        consent = self.do(ELDERLY, GrantConsent(case_id=case, member_id=member, agencies=agencies,
                                                categories=categories, purpose="支援", method=ConsentMethod.WRITTEN,
                                                document_ref="同意書", valid_until=date(2027, 3, 31)))
        assert consent is not None
        return consent
