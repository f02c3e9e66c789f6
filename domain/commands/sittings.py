"""A case's record of a sitting (開催) of a meeting body: one or more parts, one per kind of meeting.

A body's sitting is named by the body and its start (``domain.case.meetings.sitting_id_for``), so the
records of every case discussed at it name the same sitting: counted once as a sitting, once per case as a
case discussion. An Ota-style 重層的支援会議 holds both its functions in one sitting — a consented part
(チームづくり) and a 106-6 part (アウトリーチ支援等調整) — each part under its own kind's rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.case import Case
from domain.commands.base import Context, staff_who_record
from domain.commands.meetings import (
    HoldMultiLayeredMeeting,
    HoldSupportMeeting,
    MeetingPart,
    SittingCommand,
    basis_for_consented_parts,
    registered_participants,
    support_meeting_office,
)
from domain.vocabulary import MeetingKind


@dataclass(frozen=True, kw_only=True)
class HoldSitting(SittingCommand):
    """This case's parts of a sitting: each part of a kind with consent needs the consent to cover its
    participants and the convener; each part without consent is the convening office's, bounded like a 支援会議.
    Answers the parts' meeting ids, comma-separated, in the order given."""

    parts: tuple[MeetingPart, ...]

    LABEL_JA = "会議体の開催の記録"
    RULE = (staff_who_record, basis_for_consented_parts, support_meeting_office, registered_participants)

    def meeting_parts(self) -> tuple[MeetingPart, ...]:
        return self.parts

    def apply(self, case: Case, context: Context) -> str:
        return ",".join(self.hold(case, context))


def hold_meeting(kind: MeetingKind, **values: Any) -> SittingCommand:
    """The command for a one-part meeting of ``kind`` (for entry points that take the kind as a value): the
    two kinds of the 重層的支援体制 have their own commands; another statutory kind is a sitting of its body."""
    if kind == MeetingKind.SUPPORT:
        return HoldSupportMeeting(**values)
    if kind == MeetingKind.MULTI_LAYERED:
        return HoldMultiLayeredMeeting(**values)
    sitting = {name: values.pop(name) for name in ("case_id", "occurred_at", "held_on", "body_id", "start_time",
                                                   "place", "next_on") if name in values}
    return HoldSitting(**sitting, parts=(MeetingPart(kind=kind, **values),))
