"""The record of one read: who read which entries of which case, on which bases.

Each read is its own aggregate (a single event with a fresh id), so readers of one
case never conflict with each other or with the case's writers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.access import RULES_VERSION, Decision
from domain.actor import Actor
from domain.vocabulary import Basis


class AccessRecord(Aggregate):
    class Recorded(Aggregate.Created):
        reader_staff: str
        reader_agency: str
        reader_roles: list[str]
        case_id: str
        case_found: bool
        case_version: int
        purpose: str
        channel: str
        decided_at: datetime
        shown: dict[str, list[int]]
        grounds: dict[str, list[str]]
        withheld: list[int]
        active_consents: list[str]
        rules: int
        """The version of the reading rules the decisions were made under (see ``domain.access``)."""
        ground_seqs: dict[str, list[int]]
        """Each ground (a consent ``id+id``, a meeting, a grant) with the entries shown on it."""

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """A record made under the first rules: replayed under them, its grounds per basis only."""
            state.update(rules=1, ground_seqs={})

    def __init__(self, *, reader_staff: str, reader_agency: str, reader_roles: list[str], case_id: str,
                 case_found: bool, case_version: int, purpose: str, channel: str, decided_at: datetime,
                 shown: dict[str, list[int]], grounds: dict[str, list[str]], withheld: list[int],
                 active_consents: list[str], rules: int, ground_seqs: dict[str, list[int]]) -> None:
        self.reader_staff = reader_staff
        self.reader_agency = reader_agency
        self.reader_roles = reader_roles
        self.case_id = case_id
        self.case_found = case_found
        self.case_version = case_version
        self.purpose = purpose
        self.channel = channel
        self.decided_at = decided_at
        self.shown = shown
        self.grounds = grounds
        self.withheld = withheld
        self.active_consents = active_consents
        self.rules = rules
        self.ground_seqs = ground_seqs

    @classmethod
    def of_read(cls, reader: Actor, case_id: UUID | str, *, case_version: int, decisions: list[Decision],
                active_consents: list[str], purpose: str, channel: str, at: datetime) -> AccessRecord:
        shown: dict[str, list[int]] = {}
        grounds: dict[str, set[str]] = {}
        ground_seqs: dict[str, list[int]] = {}
        for decision in decisions:
            if decision.basis is None:
                continue
            shown.setdefault(decision.basis.value, []).append(decision.seq)
            if decision.ground:
                grounds.setdefault(decision.basis.value, set()).add(decision.ground)
                ground_seqs.setdefault(decision.ground, []).append(decision.seq)
        return cls._create(
            cls.Recorded, id=uuid4(), reader_staff=reader.staff_id, reader_agency=reader.agency_id,
            reader_roles=sorted(reader.roles), case_id=str(case_id), case_found=case_version > 0,
            case_version=case_version, purpose=purpose, channel=channel, decided_at=at, shown=shown,
            grounds={basis: sorted(ids) for basis, ids in grounds.items()},
            withheld=[d.seq for d in decisions if d.basis is None], active_consents=active_consents,
            rules=RULES_VERSION, ground_seqs=ground_seqs,
        )

    @property
    def granted(self) -> bool:
        return bool(self.shown)

    @property
    def bases(self) -> list[Basis]:
        return sorted(Basis(b) for b in self.shown)

    @property
    def unconsented(self) -> bool:
        return any(b.is_unconsented for b in self.bases)


ACCESS_RECORD_TOPIC = get_topic(AccessRecord.Recorded)
"""The topic access records have in the notification log."""
