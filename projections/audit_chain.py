"""Tamper evidence: every stored record (case events and access records) chained by hash in
commit order, checked against the log and against signed checkpoints kept elsewhere.

Each link is ``sha256(previous link | position | topic | originator | version | sha256(stored
bytes))``. The stored bytes are hashed as they are (ciphertext when encryption is on), so the
chain proves the log unaltered without reading anyone's data. ``verify_chain`` walks the log
and the chain side by side and reports each record that was modified, deleted or inserted;
a checkpoint (position, count and head hash, HMAC-signed, exported and kept outside the
database) also catches a rewrite of both or a truncated tail.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from projections.base import Positioned, ReadModel
from projections.view import Change, ReadModelView, Row

GENESIS = "0" * 64
PAGE = 5000


def link(previous: str, position: int, topic: str, originator_id: Any, version: int, state: bytes) -> tuple[str, str]:
    """The state's hash and the new chain head after appending one record."""
    state_hash = hashlib.sha256(state).hexdigest()
    material = f"{previous}|{position}|{topic}|{originator_id}|{version}|{state_hash}".encode()
    return state_hash, hashlib.sha256(material).hexdigest()


class AuditChainView(ReadModelView):
    TABLES: ClassVar[dict[str, str]] = {
        "chain": "position BIGINT PRIMARY KEY, topic TEXT NOT NULL, originator_id TEXT NOT NULL, "
                 "originator_version INTEGER NOT NULL, state_sha256 TEXT NOT NULL, chain_hash TEXT NOT NULL",
    }
    STATEMENTS: ClassVar[dict[str, str]] = {
        "insert_link": "INSERT INTO {chain} (position, topic, originator_id, originator_version, state_sha256, "
                       "chain_hash) VALUES (%(position)s, %(topic)s, %(originator_id)s, %(originator_version)s, "
                       "%(state_sha256)s, %(chain_hash)s)",
    }

    def head(self, at_or_before: int | None = None) -> Row | None:
        condition = "" if at_or_before is None else "WHERE position <= %(p)s"
        rows = self.query(f"SELECT * FROM {{chain}} {condition} ORDER BY position DESC LIMIT 1", {"p": at_or_before})
        return rows[0] if rows else None

    def count(self, at_or_before: int) -> int:
        return self.query("SELECT COUNT(*) AS n FROM {chain} WHERE position <= %(p)s", {"p": at_or_before})[0]["n"]

    def links(self) -> Iterator[Row]:
        after = 0
        while True:
            page = self.query("SELECT * FROM {chain} WHERE position > %(after)s ORDER BY position LIMIT %(n)s",
                              {"after": after, "n": PAGE})
            yield from page
            if len(page) < PAGE:
                return
            after = page[-1]["position"]


class AuditChainProjection(ReadModel[AuditChainView]):
    name = "audit_chain"
    view_interface = AuditChainView
    topics = ()  # every record
    raw = True

    def changes(self, events: Iterable[Positioned]) -> list[Change]:
        head = self.view.head()
        previous = head["chain_hash"] if head else GENESIS
        rows = []
        for position, notification in events:
            state_hash, previous = link(previous, position, notification.topic, notification.originator_id,
                                        notification.originator_version, notification.state)
            rows.append({"position": position, "topic": notification.topic,
                         "originator_id": str(notification.originator_id),
                         "originator_version": notification.originator_version, "state_sha256": state_hash,
                         "chain_hash": previous})
        return [("insert_link", rows)]


@dataclass(frozen=True)
class ChainProblem:
    position: int
    kind: str  # modified | deleted | inserted | checkpoint
    detail_ja: str
    detail_en: str


@dataclass(frozen=True)
class Checkpoint:
    position: int
    count: int
    head_hash: str
    created_at: str
    signature: str = ""

    def payload(self) -> bytes:
        return json.dumps({k: v for k, v in asdict(self).items() if k != "signature"}, sort_keys=True).encode()

    def signed(self, key: bytes) -> Checkpoint:
        return Checkpoint(**{**asdict(self), "signature": hmac.new(key, self.payload(), hashlib.sha256).hexdigest()})

    def is_authentic(self, key: bytes) -> bool:
        return hmac.compare_digest(self.signed(key).signature, self.signature)


def make_checkpoint(view: AuditChainView, key: bytes) -> Checkpoint:
    head = view.head()
    position = head["position"] if head else 0
    return Checkpoint(position=position, count=view.count(position), head_hash=head["chain_hash"] if head else GENESIS,
                      created_at=datetime.now(UTC).isoformat()).signed(key)


def verify_chain(app: Any, view: AuditChainView, *, checkpoint: Checkpoint | None = None,
                 key: bytes | None = None) -> list[ChainProblem]:
    """Walk the stored log and the chain together; report every difference."""
    problems: list[ChainProblem] = []
    links = view.links()
    expected = next(links, None)
    previous = GENESIS
    for notification in app.notifications():
        while expected is not None and expected["position"] < notification.id:
            problems.append(_problem(expected["position"], "deleted"))
            previous = expected["chain_hash"]  # the next link was made on the deleted record's, so one deletion
            expected = next(links, None)       # is reported once, not again as a change to the record after it
        if expected is None:
            break  # records after the chain's head are not chained yet
        if expected["position"] > notification.id:
            problems.append(_problem(notification.id, "inserted"))
            continue
        state_hash, previous = link(previous, notification.id, notification.topic, notification.originator_id,
                                    notification.originator_version, notification.state)
        if state_hash != expected["state_sha256"] or previous != expected["chain_hash"]:
            problems.append(_problem(notification.id, "modified"))
            previous = expected["chain_hash"]  # resynchronise, so one change is reported once
        expected = next(links, None)
    while expected is not None:
        problems.append(_problem(expected["position"], "deleted"))
        expected = next(links, None)
    if checkpoint is not None:
        problems.extend(_check_checkpoint(view, checkpoint, key))
    return problems


def _check_checkpoint(view: AuditChainView, checkpoint: Checkpoint, key: bytes | None) -> list[ChainProblem]:
    if key is None or not checkpoint.is_authentic(key):
        return [ChainProblem(checkpoint.position, "checkpoint", "チェックポイントの署名が正しくありません。",
                             "The checkpoint's signature does not verify.")]
    head = view.head(checkpoint.position)
    if (head is None or head["chain_hash"] != checkpoint.head_hash
            or view.count(checkpoint.position) != checkpoint.count):
        return [ChainProblem(checkpoint.position, "checkpoint",
                             "チェックポイント時点までの記録が、書き出したときと一致しません（削除・書き換え・切り詰め）。",
                             "The records up to the checkpoint differ from when it was exported "
                             "(deleted, rewritten or truncated).")]
    return []


_PROBLEM_TEXT = {
    "modified": ("記録の内容が書き換えられています。", "The stored record was modified."),
    "deleted": ("記録が削除されています。", "A record was deleted."),
    "inserted": ("連鎖にない記録が挿入されています。", "A record not in the chain was inserted."),
}


def _problem(position: int, kind: str) -> ChainProblem:
    ja, en = _PROBLEM_TEXT[kind]
    return ChainProblem(position, kind, ja, en)

