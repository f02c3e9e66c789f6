"""When an escalation to 多機関協働 is waiting to be taken up (the one rule; the case-state read model calls it).

A declined referral that escalates, or an explicit escalation, asks 多機関協働 to bring the agencies together.
It is waiting from that day until a meeting is held on the case after it (重層的支援会議, 支援会議 or another
statutory kind: convening is what taking it up means), or the case closes. A later escalation waits again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.calendar import local_date
from domain.case.meetings import MeetingsPart
from domain.case.referral import ReferralPart
from domain.case.transitions import TransitionsPart

TAKES_UP = (MeetingsPart.MeetingHeld, TransitionsPart.CaseClosed)


def escalation_waiting_after(event: Any, current: date | None) -> date | None:
    """The day an escalation has been waiting since, after ``event`` (None: none is waiting)."""
    if isinstance(event, ReferralPart.EscalatedToMultiAgency):
        return local_date(event.occurred_at)
    if isinstance(event, TAKES_UP):
        return None
    return current
