"""What an agency's consumer checks before it files a record: who signed it, and that it is what it says.

Anyone who can write to an agency's topic can put a record there; only the relay can sign one with
the agency's key. A record is filed only if it is signed with that key (HMAC-SHA256 over its value,
header ``tsunagu-signature``), small, a valid ``ReferralEventV1``, its ``event_id`` the one derived
from its case and version, its ``link`` the case's own timeline, and addressed to this agency on this
agency's topic. Anything else is refused with a reason, and the consumer quarantines it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import ValidationError

from domain.referral_feed import SIGNATURE_HEADER, AgencyKey, ReferralEventV1, event_id_for, timeline_link
from domain.vocabulary import InformationCategory

SIGNATURE = re.compile(r"keyid=([0-9a-f]{16}),sha256=([0-9a-f]{64})")


class Refusal(StrEnum):
    """Why a record was not filed (the quarantine's ``reason``), in the order the checks run."""

    WRONG_TOPIC = "wrong-topic"
    OVERSIZED = "oversized"
    UNSIGNED = "unsigned"
    MALFORMED_SIGNATURE = "malformed-signature"
    UNKNOWN_KEY = "unknown-key"
    BAD_SIGNATURE = "bad-signature"
    UNKNOWN_SCHEMA = "unknown-schema"
    FIELD_TOO_LONG = "field-too-long"
    EVENT_ID_NOT_DERIVED = "event-id-not-derived"
    FOREIGN_LINK = "foreign-link"
    NOT_ADDRESSED_HERE = "not-addressed-here"
    CONFLICTING_DUPLICATE = "conflicting-duplicate"
    """Signed and valid, but its event id is in the inbox with other content: an alert."""


@dataclass(frozen=True)
class Limits:
    """A v1 record is about 550 bytes; these leave room for growth and none for a payload."""

    record_bytes: int = 4096
    header_bytes: int = 1024
    headers: int = 16
    id_characters: int = 64  # referral, handover and agency ids
    categories: int = len(InformationCategory)


@dataclass(frozen=True)
class Verdict:
    refusal: Refusal | None
    event: ReferralEventV1 | None = None
    """The record parsed, if it could be: verified only when ``refusal`` is None."""


Headers = Sequence[tuple[str, bytes | None]]


class RecordVerifier:
    """Verifies the records of one agency's topic with that agency's keys (current first, then previous)."""

    def __init__(self, agency_id: str, topic: str, keys: Sequence[AgencyKey], limits: Limits = Limits()) -> None:
        if not keys:
            raise ValueError("a consumer needs its agency's signing key")
        self.agency_id = agency_id
        self.topic = topic
        self.keys = {key.key_id: key for key in keys}
        self.limits = limits

    def verify(self, topic: str, value: bytes | None, headers: Headers) -> Verdict:
        if topic != self.topic:
            return Verdict(Refusal.WRONG_TOPIC)
        value = b"" if value is None else value  # a tombstone: unsigned, or no v1 message
        if self._oversized(value, headers):
            return Verdict(Refusal.OVERSIZED)
        try:
            event: ReferralEventV1 | None = ReferralEventV1.model_validate_json(value)
        except ValidationError:
            event = None
        refusal = self._signature_refusal(value, headers)
        if refusal is None:
            refusal = Refusal.UNKNOWN_SCHEMA if event is None else self._content_refusal(event)
        return Verdict(refusal, event)

    def _oversized(self, value: bytes, headers: Headers) -> bool:
        header_bytes = sum(len(name.encode()) + len(raw or b"") for name, raw in headers)
        return (len(value) > self.limits.record_bytes or len(headers) > self.limits.headers
                or header_bytes > self.limits.header_bytes)

    def _signature_refusal(self, value: bytes, headers: Headers) -> Refusal | None:
        signatures = [raw for name, raw in headers if name == SIGNATURE_HEADER]
        if not signatures:
            return Refusal.UNSIGNED
        match = SIGNATURE.fullmatch((signatures[0] or b"").decode("ascii", "replace"))
        if len(signatures) > 1 or match is None:
            return Refusal.MALFORMED_SIGNATURE
        key = self.keys.get(match[1])
        if key is None:
            return Refusal.UNKNOWN_KEY
        return None if key.verifies(value, match[2]) else Refusal.BAD_SIGNATURE

    def _content_refusal(self, event: ReferralEventV1) -> Refusal | None:
        ids = (event.referral_id or "", event.handover_id or "", event.from_agency, event.to_agency,
               event.acted_by_agency, event.recipient)
        if max(map(len, ids)) > self.limits.id_characters or len(event.categories) > self.limits.categories:
            return Refusal.FIELD_TOO_LONG
        if event.event_id != event_id_for(event.case_id, event.case_version):
            return Refusal.EVENT_ID_NOT_DERIVED
        if event.link != timeline_link(event.case_id):
            return Refusal.FOREIGN_LINK
        if event.recipient != self.agency_id:
            return Refusal.NOT_ADDRESSED_HERE
        return None
