"""担当者: the staff member in charge of a case (one at a time), assigned by the lead agency or a coordinator.

Who is in charge is the case's own fact, like its lead agency: it names a member of the ward's staff,
never anything about the household. Assigning again replaces the one in charge.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.actor import Actor
from domain.case.base import CaseEvent, CasePart
from domain.errors import RuleViolation
from domain.vocabulary import InformationCategory


class AssignmentPart(CasePart):
    staff_in_charge: dict[str, Any] | None
    """``{"staff", "agency", "since", "seq"}`` of the staff member in charge, or None."""

    class StaffInChargeAssigned(CaseEvent):
        staff: str
        agency: str
        note: str

        CATEGORY = InformationCategory.SUPPORT
        LABEL_JA, LABEL_EN = "担当者の決定", "Staff in charge assigned"

        def apply(self, case: AssignmentPart) -> None:
            case.staff_in_charge = {"staff": self.staff, "agency": self.agency, "since": self.occurred_at,
                                    "seq": self.originator_version}

    def assign_staff_in_charge(self, actor: Actor, at: datetime, *, staff: str, agency: str, note: str = "") -> None:
        self.check_open()
        current = getattr(self, "staff_in_charge", None)
        if current is not None and current["staff"] == staff:
            raise RuleViolation("この職員はすでにこのケースの担当者です。",
                                "This staff member is already in charge of the case.")
        self._record(self.StaffInChargeAssigned, actor, at, staff=staff, agency=agency, note=note)
