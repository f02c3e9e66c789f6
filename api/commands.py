"""The one way routes write: translate a body into a case command and answer its result."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from api.schemas.base import CommandBody, CommandResultPublic
from domain.actor import Actor
from domain.application import CommandResult, Tsunagu
from domain.case import Case
from domain.idempotency import IdempotencyKey


def public(result: CommandResult) -> CommandResultPublic:
    return CommandResultPublic(case_id=result.case_id, version=result.version, position=result.position,
                               id=result.created_id)


def run_command(tsunagu: Tsunagu, actor: Actor, case_id: UUID, body: CommandBody,
                command: Callable[[Case, datetime], Any], *, expected_version: int | None,
                idempotency: IdempotencyKey | None, agencies: Iterable[str | None] = ()) -> CommandResultPublic:
    return public(tsunagu.update_case(actor, case_id, command, expected_version=expected_version,
                                      agencies=agencies, occurred_at=body.occurred_at, idempotency=idempotency))
