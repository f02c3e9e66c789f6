"""A row's commands, run through ``Tsunagu.execute`` on a scratch copy of the application before anything is
written to the ward's store.

The scratch application is the ward's own use cases — same registry, policy and clock — on an in-memory store.
A new case's rules look at nothing but that case, the registry and the clock, so a row that runs through
on the scratch copy runs through on the ward's store; its events are then saved there in one transaction
(:mod:`infra.ledger.run`). A row the rules refuse on the scratch copy leaves the ward's store untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, cast
from uuid import UUID

from domain.actor import Actor
from domain.application import Tsunagu
from domain.case import CaseEvent
from domain.commands import AddMember, CaseCommand, Command, OpenCase
from domain.errors import DomainError
from infra.ledger.rows import PENDING_CASE, PRINCIPAL

SCRATCH_ENV = {
    # Both spellings: eventsourcing reads TSUNAGU_X before X, and the process may have either set.
    "PERSISTENCE_MODULE": "eventsourcing.popo", "TSUNAGU_PERSISTENCE_MODULE": "eventsourcing.popo",
    "CIPHER_TOPIC": "", "TSUNAGU_CIPHER_TOPIC": "", "CIPHER_KEY": "", "TSUNAGU_CIPHER_KEY": "",
    "COMPRESSOR_TOPIC": "", "TSUNAGU_COMPRESSOR_TOPIC": "",
    "IS_SNAPSHOTTING_ENABLED": "n", "TSUNAGU_IS_SNAPSHOTTING_ENABLED": "n",
}


class StepRefused(Exception):
    """The domain refused one of the row's commands: which one, and the rule's own answer."""

    def __init__(self, command: str, error: DomainError) -> None:
        super().__init__(error.message_en)
        self.command = command
        self.error = error


@dataclass(frozen=True)
class Rehearsal:
    case_id: UUID
    events: tuple[CaseEvent, ...]
    """The case's events as ``execute`` recorded them, to be saved as they are."""


class Stage:
    """The scratch application for one import run (rows are separate cases, so one stage serves them all)."""

    def __init__(self, tsunagu: Tsunagu) -> None:
        self.app = Tsunagu(SCRATCH_ENV, registry=tsunagu.registry, clock=tsunagu.clock, policy=tsunagu.policy,
                           read_cache_cases=0)

    def rehearse(self, actor: Actor, commands: Sequence[Command]) -> Rehearsal:
        """Run ``commands`` in order as ``actor``; :class:`StepRefused` at the first the domain refuses."""
        case_id: UUID | None = None
        principal: str | None = None
        for command in commands:
            bound = bind(command, case_id, principal)
            try:
                result = self.app.execute(actor, bound)
            except DomainError as error:
                raise StepRefused(type(command).__name__, error) from None
            if isinstance(bound, OpenCase):
                case_id = UUID(result.created_id)
            elif isinstance(bound, AddMember) and bound.is_principal:
                principal = result.created_id
        assert case_id is not None, "a row's first command opens its case"
        return Rehearsal(case_id, tuple(cast("list[CaseEvent]", list(self.app.events.get(case_id)))))

    def close(self) -> None:
        self.app.close()


def bind(command: Command, case_id: UUID | None, principal: str | None) -> Command:
    """``command`` with the row's placeholders replaced by the ids created so far."""
    changes: dict[str, Any] = {}
    names = {f.name for f in fields(command)}
    if isinstance(command, CaseCommand) and command.case_id == PENDING_CASE:
        assert case_id is not None, "a command on the case comes after the case is opened"
        changes["case_id"] = case_id
    if getattr(command, "member_id", None) == PRINCIPAL:
        changes["member_id"] = principal
    for name in ("subjects", "tabled_subjects"):
        if name in names:
            changes[name] = tuple(principal if s == PRINCIPAL else s for s in getattr(command, name))
    return replace(command, **changes) if changes else command
