"""What subscribing agencies are told about referrals: an id-only message, read from the event log.

The notification log is the outbox. The Kafka relay and the HTTP event stream both read the
referral lifecycle events from it and turn each into one message per agency concerned: the
agency the case was referred (or handed over, or escalated) to, and the agency that sent it.
A message names ids, agencies, information categories and times, never personal content;
the details stay behind the audited API, at ``link``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, cast
from uuid import UUID, uuid5

from eventsourcing.utils import get_topic
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from domain.application import Tsunagu
from domain.case import Case, CaseEvent
from domain.vocabulary import InformationCategory

EVENT_TYPES: dict[str, str] = {
    "ReferralRequested": "referral.requested",
    "ReferralAccepted": "referral.accepted",
    "ReferralDeclined": "referral.declined",
    "ReferralCompleted": "referral.completed",
    "ReferralRevoked": "referral.revoked",
    "EscalatedToMultiAgency": "referral.escalated",
    "HandoverPlanned": "handover.planned",
    "HandoverCompleted": "handover.completed",
}
"""The case events agencies subscribe to, and the message type each becomes."""

LOG_TOPICS: tuple[str, ...] = tuple(get_topic(getattr(Case, name)) for name in EVENT_TYPES)
"""The stored-event topics to select from the notification log."""

EventType = Literal["referral.requested", "referral.accepted", "referral.declined", "referral.completed",
                    "referral.revoked", "referral.escalated", "handover.planned", "handover.completed"]

EVENT_ID_NAMESPACE = UUID("5b0f3c1e-8f1d-5a53-9d8e-2f6a7c1b4e90")
"""Fixed forever: event ids are derived from it, and consumers deduplicate on them."""


def event_id_for(case_id: UUID, case_version: int) -> UUID:
    """The stable id of a case event: the same on every delivery, on every channel."""
    return uuid5(EVENT_ID_NAMESPACE, f"{case_id}:{case_version}")


def timeline_link(case_id: UUID) -> str:
    """The one place a message may send its reader: the case's own audited timeline."""
    return f"/cases/{case_id}/timeline"


class ReferralEventV1(BaseModel):
    """A referral lifecycle event, addressed to one agency. Version 1 of the wire contract.

    Adding an optional field is compatible (readers ignore fields they do not know); any other
    change, a new category value included, is a new major version, on new topics.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    schema_version: Literal[1] = 1
    event_id: UUID = Field(description="Stable id of the case event; deduplicate on it.")
    type: EventType
    case_id: UUID
    case_version: int = Field(ge=1, description="The case's version at this event; fetch the timeline for details.")
    referral_id: str | None = None
    handover_id: str | None = None
    from_agency: str = Field(description="The sending agency (referrer, handing-over or escalating agency).")
    to_agency: str = Field(description="The receiving agency (referred to, handed over to, or coordination).")
    acted_by_agency: str = Field(description="The agency whose staff recorded this event.")
    recipient: str = Field(description="The agency this copy is addressed to.")
    recipient_role: Literal["receiver", "sender"]
    categories: tuple[InformationCategory, ...] = Field(description="Information categories the referral shares.")
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    link: str = Field(description="Where the recipient reads the details: the audited timeline.")


@dataclass(frozen=True)
class Parties:
    from_agency: str
    to_agency: str
    categories: tuple[str, ...] = ()


CaseAt = Callable[[UUID, int], Case]
"""The case as of a version: follow-up events carry only the referral's or handover's id."""


class ReferralTranslator:
    """Turns one case event into the messages for the agencies concerned (pure, given ``case_at``)."""

    def __init__(self, *, coordination_agency: str, case_at: CaseAt) -> None:
        self.coordination_agency = coordination_agency
        self.case_at = case_at

    def messages(self, event: CaseEvent) -> list[ReferralEventV1]:
        parties = self._parties(event)
        case_id = event.originator_id
        common = {
            "event_id": event_id_for(case_id, event.originator_version), "type": EVENT_TYPES[event.kind],
            "case_id": case_id, "case_version": event.originator_version,
            "referral_id": getattr(event, "referral_id", None), "handover_id": getattr(event, "handover_id", None),
            "from_agency": parties.from_agency, "to_agency": parties.to_agency, "acted_by_agency": event.by_agency,
            "categories": parties.categories, "occurred_at": event.occurred_at, "recorded_at": event.timestamp,
            "link": timeline_link(case_id),
        }
        recipients = {parties.to_agency: "receiver"}
        recipients.setdefault(parties.from_agency, "sender")
        return [ReferralEventV1(**common, recipient=agency, recipient_role=role)
                for agency, role in recipients.items()]

    def _parties(self, event: CaseEvent) -> Parties:
        if isinstance(event, Case.ReferralRequested):
            return Parties(event.from_agency, event.to_agency, tuple(event.categories))
        if isinstance(event, Case.HandoverPlanned):
            return Parties(event.from_agency, event.to_agency)
        case = self.case_at(event.originator_id, event.originator_version)
        if isinstance(event, Case.HandoverCompleted):
            handover = case.handovers[event.handover_id]
            return Parties(handover["from_agency"], handover["to_agency"])
        if isinstance(event, Case.EscalatedToMultiAgency):
            referral = case.referrals.get(event.referral_id) if event.referral_id else None
            return Parties(event.by_agency, self.coordination_agency,
                           tuple(referral["categories"]) if referral else ())
        referral = case.referrals[event.referral_id]  # type: ignore[attr-defined]  # accepted … revoked
        return Parties(referral["from_agency"], referral["to_agency"], tuple(referral["categories"]))


@dataclass(frozen=True)
class FeedItem:
    """One referral event at its log position, as the messages for each agency concerned."""

    position: int
    messages: tuple[ReferralEventV1, ...]


class ReferralFeed:
    """Referral lifecycle messages read from the application's notification log, in log order."""

    def __init__(self, app: Tsunagu, *, coordination_agency: str) -> None:
        app.registry.agency(coordination_agency)  # refuse an unknown agency at start-up
        self.app = app
        self.translator = ReferralTranslator(
            coordination_agency=coordination_agency,
            case_at=lambda case_id, version: app.repository.get(case_id, version=version))

    def read(self, *, after: int, limit: int) -> list[FeedItem]:
        notifications = self.app.recorder.select_notifications(
            start=after, limit=limit, topics=LOG_TOPICS, inclusive_of_start=False)
        return [FeedItem(n.id, tuple(self.translator.messages(cast(CaseEvent, self.app.mapper.to_domain_event(n)))))
                for n in notifications]

    def head(self) -> int:
        """The log's last position: a new subscriber starts here."""
        return self.app.recorder.max_notification_id() or 0


# ----- the signature on the wire ------------------------------------------------------------------

SIGNATURE_HEADER = "tsunagu-signature"
"""The Kafka header that carries ``keyid=<16 hex>,sha256=<64 hex>``: the HMAC of the record's value."""
SIGNATURE_CONTEXT = b"tsunagu.referral-event.v1\n"
"""Prefixed to the value before it is MACed, so that a signature means "a v1 referral record", nothing else."""
KEY_BYTES = 32


def wire_bytes(message: ReferralEventV1) -> bytes:
    """The canonical bytes of a message: the record's value, exactly what is signed and verified."""
    return message.model_dump_json().encode()


@dataclass(frozen=True)
class AgencyKey:
    """One agency's signing key: the relay signs what it sends to the agency's topic, its consumer verifies.

    Each agency holds only its own key, so no agency can sign for another; the relay derives them all
    from its secret (``infra.kafka.signing``). ``key_id`` names the key without revealing it.
    """

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_BYTES:
            raise ValueError(f"an agency key is {KEY_BYTES} bytes")

    @classmethod
    def decode(cls, text: str) -> AgencyKey:
        """From its distributed form (base64url, as ``encoded`` gives it); ValueError if it is not one."""
        try:
            secret = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
        except (binascii.Error, ValueError):
            raise ValueError("not base64url") from None
        return cls(secret)

    def encoded(self) -> str:
        return base64.urlsafe_b64encode(self.secret).rstrip(b"=").decode()

    @property
    def key_id(self) -> str:
        return hmac.new(self.secret, b"tsunagu.referrals key id", hashlib.sha256).hexdigest()[:16]

    def sign(self, value: bytes) -> bytes:
        """The signature header's value for a record whose value is ``value``."""
        return f"keyid={self.key_id},sha256={self._mac(value)}".encode()

    def verifies(self, value: bytes, signature: str) -> bool:
        """Whether ``signature`` (the hex digest of a header) is this key's for ``value``; constant time."""
        return hmac.compare_digest(self._mac(value).encode(), signature.encode())

    def _mac(self, value: bytes) -> str:
        return hmac.new(self.secret, SIGNATURE_CONTEXT + value, hashlib.sha256).hexdigest()
