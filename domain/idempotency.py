"""Idempotency keys: a retried command returns its first result and records nothing new.

The record of a keyed command is its own aggregate, saved in the same transaction as the
case it changed; its id derives from who sent the key, so a retry finds it (or, racing the
first attempt, collides with it and then finds it).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

NAMESPACE = uuid5(NAMESPACE_URL, "https://tsunagu.invalid/idempotency")


@dataclass(frozen=True)
class IdempotencyKey:
    """A client's key for one command, and a digest of the request it came with."""

    staff_id: str
    key: str
    request_digest: str

    @property
    def record_id(self) -> UUID:
        return uuid5(NAMESPACE, f"{self.staff_id}\n{self.key}")


class IdempotencyRecord(Aggregate):
    class Recorded(Aggregate.Created):
        request_digest: str
        case_id: str
        version: int
        created_id: str | None

    def __init__(self, *, request_digest: str, case_id: str, version: int, created_id: str | None) -> None:
        self.request_digest = request_digest
        self.case_id = case_id
        self.version = version
        self.created_id = created_id

    @classmethod
    def of(cls, key: IdempotencyKey, *, case_id: str, version: int, created_id: str | None) -> IdempotencyRecord:
        return cls._create(cls.Recorded, id=key.record_id, request_digest=key.request_digest, case_id=case_id,
                           version=version, created_id=created_id)
