"""The record of a refused write: who tried which command on which case, and why it was refused.

A refused write is recorded like a denied read (each is its own aggregate, so recording never
conflicts with the case's writers). The record names the command and the requirement that refused
it, never the command's values: those may hold personal data the writer had no right to record.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.actor import Actor


class WriteRefusal(Aggregate):
    class Recorded(Aggregate.Created):
        actor_staff: str
        actor_agency: str
        actor_roles: list[str]
        case_id: str
        case_found: bool
        case_version: int
        command: str
        refused_by: str
        """The requirement of the command's rule that refused it (or ``case`` for the case's own rules)."""
        answer: str
        """What the writer was told: the error code (``not_found`` when the case or item was hidden)."""
        decided_at: datetime

    def __init__(self, *, actor_staff: str, actor_agency: str, actor_roles: list[str], case_id: str,
                 case_found: bool, case_version: int, command: str, refused_by: str, answer: str,
                 decided_at: datetime) -> None:
        self.actor_staff = actor_staff
        self.actor_agency = actor_agency
        self.actor_roles = actor_roles
        self.case_id = case_id
        self.case_found = case_found
        self.case_version = case_version
        self.command = command
        self.refused_by = refused_by
        self.answer = answer
        self.decided_at = decided_at

    @classmethod
    def of(cls, actor: Actor, case_id: UUID | str | None, *, case_version: int, command: str, refused_by: str,
           answer: str, at: datetime) -> WriteRefusal:
        return cls._create(cls.Recorded, id=uuid4(), actor_staff=actor.staff_id, actor_agency=actor.agency_id,
                           actor_roles=sorted(actor.roles), case_id="" if case_id is None else str(case_id),
                           case_found=case_version > 0, case_version=case_version, command=command,
                           refused_by=refused_by, answer=answer, decided_at=at)


WRITE_REFUSAL_TOPIC = get_topic(WriteRefusal.Recorded)
"""The topic refused writes have in the notification log."""
