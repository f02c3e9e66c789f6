"""The one way routes write: hand a named command to the application and answer its result."""

from __future__ import annotations

from api.schemas.base import CommandResultPublic
from domain.actor import Actor
from domain.application import CommandResult, Tsunagu
from domain.commands import Command
from domain.idempotency import IdempotencyKey


def public(result: CommandResult) -> CommandResultPublic:
    return CommandResultPublic(case_id=result.case_id, version=result.version, position=result.position,
                               id=result.created_id)


def execute(tsunagu: Tsunagu, actor: Actor, command: Command, *, expected_version: int | None = None,
            idempotency: IdempotencyKey | None = None) -> CommandResultPublic:
    return public(tsunagu.execute(actor, command, expected_version=expected_version, idempotency=idempotency))
