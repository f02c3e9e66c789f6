"""What an agency's consumer files: only records the relay signed with that agency's key, that are what
they claim (id derived from case and version, the case's own link, small, addressed to the agency)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from consumers.verification import Limits, RecordVerifier, Refusal
from domain.referral_feed import SIGNATURE_HEADER, AgencyKey, ReferralEventV1, event_id_for, wire_bytes
from domain.vocabulary import InformationCategory
from infra.kafka.settings import (
    ConsumerSigningSettings,
    RelaySigningSettings,
    SettingRefused,
    refuse_unsafe,
)
from infra.kafka.signing import derive_agency_key

SECRET = "unit-test-relay-secret-0123456789abcdef"
AGENCY, TOPIC = "hikikomori", "tsunagu.referrals.v1.hikikomori"
KEY = derive_agency_key(SECRET, AGENCY)
CASE_ID = UUID("3f1c2b7e-9a4d-4c1e-8b2a-6d5e4f3a2b1c")


def message(**changes: object) -> ReferralEventV1:
    fields: dict[str, object] = dict(
        event_id=event_id_for(CASE_ID, 5), type="referral.requested", case_id=CASE_ID, case_version=5,
        referral_id="a1b2c3d4e5f6", from_agency="elderly-shiba", to_agency=AGENCY, acted_by_agency="elderly-shiba",
        recipient=AGENCY, recipient_role="receiver", categories=("basic", "support"),
        occurred_at=datetime(2026, 6, 1, 1, 30, tzinfo=UTC), recorded_at=datetime(2026, 6, 1, 1, 30, tzinfo=UTC),
        link=f"/cases/{CASE_ID}/timeline")
    return ReferralEventV1.model_validate({**fields, **changes})


def signed(value: bytes, key: AgencyKey = KEY) -> list[tuple[str, bytes | None]]:
    return [("event_id", b"x"), ("schema", b"tsunagu.referral-event.v1"), (SIGNATURE_HEADER, key.sign(value))]


def refusal(value: bytes, headers: list[tuple[str, bytes | None]], *, topic: str = TOPIC,
            keys: tuple[AgencyKey, ...] = (KEY,)) -> Refusal | None:
    return RecordVerifier(AGENCY, TOPIC, keys).verify(topic, value, headers).refusal


def test_a_record_the_relay_signed_for_this_agency_is_filed_as_sent() -> None:
    value = wire_bytes(message())
    verdict = RecordVerifier(AGENCY, TOPIC, [KEY]).verify(TOPIC, value, signed(value))
    assert (verdict.refusal, verdict.event) == (None, message())


# ----- the signature ------------------------------------------------------------------------------

def test_an_unsigned_record_is_refused_however_well_formed() -> None:
    value = wire_bytes(message())
    assert refusal(value, []) is Refusal.UNSIGNED
    assert refusal(value, signed(value)[:2]) is Refusal.UNSIGNED


def test_a_record_signed_with_another_agencys_key_is_refused() -> None:
    value = wire_bytes(message())
    assert refusal(value, signed(value, derive_agency_key(SECRET, "livelihood"))) is Refusal.UNKNOWN_KEY
    assert refusal(value, signed(value, derive_agency_key(SECRET + "x", AGENCY))) is Refusal.UNKNOWN_KEY


def test_a_forged_signature_under_the_agencys_key_id_is_refused() -> None:
    """Anyone who reads the topic sees the key id; it does not help them sign."""
    forged = wire_bytes(message(type="referral.completed", case_version=6, event_id=event_id_for(CASE_ID, 6)))
    header = f"keyid={KEY.key_id},sha256={'0' * 64}".encode()
    assert refusal(forged, [(SIGNATURE_HEADER, header)]) is Refusal.BAD_SIGNATURE


def test_the_signature_covers_every_byte_of_the_value() -> None:
    value = wire_bytes(message())
    headers = signed(value)
    assert refusal(value.replace(b"a1b2c3d4e5f6", b"a1b2c3d4e5f7"), headers) is Refusal.BAD_SIGNATURE
    assert refusal(value + b" ", headers) is Refusal.BAD_SIGNATURE


def test_the_signature_is_hmac_sha256_of_the_v1_context_and_the_value_as_documented() -> None:
    """What an agency's own system recomputes to verify a record without our code (README)."""
    value = wire_bytes(message())
    mac = hmac.new(KEY.secret, b"tsunagu.referral-event.v1\n" + value, hashlib.sha256).hexdigest()
    assert KEY.sign(value) == f"keyid={KEY.key_id},sha256={mac}".encode()
    assert KEY.key_id == hmac.new(KEY.secret, b"tsunagu.referrals key id", hashlib.sha256).hexdigest()[:16]


@pytest.mark.parametrize("headers", [
    pytest.param(lambda v: signed(v) + signed(v)[2:], id="two signatures"),
    pytest.param(lambda v: [(SIGNATURE_HEADER, KEY.sign(v).upper())], id="not lower-case hex"),
    pytest.param(lambda v: [(SIGNATURE_HEADER, KEY.sign(v)[:-1])], id="truncated"),
    pytest.param(lambda v: [(SIGNATURE_HEADER, None)], id="empty header"),
    pytest.param(lambda v: [(SIGNATURE_HEADER, b"\xff\xfe")], id="not ascii"),
])
def test_a_malformed_signature_header_is_refused(headers) -> None:
    value = wire_bytes(message())
    assert refusal(value, headers(value)) is Refusal.MALFORMED_SIGNATURE


def test_the_previous_key_still_verifies_while_the_relay_secret_is_rotated() -> None:
    value = wire_bytes(message())
    previous = derive_agency_key("the-previous-relay-secret-0123456789", AGENCY)
    assert refusal(value, signed(value, previous), keys=(KEY, previous)) is None
    assert refusal(value, signed(value, previous)) is Refusal.UNKNOWN_KEY


# ----- what the signed record says ----------------------------------------------------------------

def test_a_signed_record_that_is_not_a_v1_referral_event_is_refused() -> None:
    version_2 = json.dumps({**json.loads(wire_bytes(message())), "schema_version": 2}).encode()
    for value in (b"\xff not json", b"", version_2):
        assert refusal(value, signed(value)) is Refusal.UNKNOWN_SCHEMA
    assert RecordVerifier(AGENCY, TOPIC, [KEY]).verify(TOPIC, None, []).refusal is Refusal.UNSIGNED  # a tombstone


def test_a_tombstone_signed_as_an_empty_value_is_refused_as_no_v1_message() -> None:
    """The signature verifies (it covers the empty value), so the reason shown is the content's, not the key's."""
    assert RecordVerifier(AGENCY, TOPIC, [KEY]).verify(TOPIC, None, signed(b"")).refusal is Refusal.UNKNOWN_SCHEMA


@pytest.mark.parametrize("event_id", [
    pytest.param(event_id_for(CASE_ID, 6), id="the next version's id"),
    pytest.param(event_id_for(uuid4(), 5), id="another case's id"),
    pytest.param(uuid4(), id="a random id"),
])
def test_an_event_id_not_derived_from_the_records_case_and_version_is_refused(event_id: UUID) -> None:
    value = wire_bytes(message(event_id=event_id))
    assert refusal(value, signed(value)) is Refusal.EVENT_ID_NOT_DERIVED


@pytest.mark.parametrize("link", [
    "https://tsunagu-login.example/cases/timeline",
    f"https://evil.example/cases/{CASE_ID}/timeline",
    f"//evil.example/cases/{CASE_ID}/timeline",
    f"/cases/{uuid4()}/timeline",
    f"/cases/{CASE_ID}/timeline/../../../login",
    f"/cases/{CASE_ID}/timeline?next=https://evil.example",
    f"cases/{CASE_ID}/timeline",
    f"/cases/{str(CASE_ID).upper()}/timeline",
])
def test_a_link_other_than_the_cases_own_timeline_is_refused(link: str) -> None:
    value = wire_bytes(message(link=link))
    assert refusal(value, signed(value)) is Refusal.FOREIGN_LINK


def test_a_record_addressed_to_another_agency_or_read_from_another_topic_is_refused() -> None:
    value = wire_bytes(message(recipient="livelihood"))
    assert refusal(value, signed(value)) is Refusal.NOT_ADDRESSED_HERE
    value = wire_bytes(message())
    assert refusal(value, signed(value), topic="tsunagu.referrals.v1.livelihood") is Refusal.WRONG_TOPIC


# ----- sizes --------------------------------------------------------------------------------------

def test_a_real_message_is_far_below_the_limits() -> None:
    assert len(wire_bytes(message())) < Limits().record_bytes // 4


def test_an_oversized_record_is_refused_even_when_signed() -> None:
    value = wire_bytes(message(referral_id="x" * 900_000))
    assert refusal(value, signed(value)) is Refusal.OVERSIZED
    value = wire_bytes(message(referral_id="x" * (Limits().record_bytes - 500)))
    assert refusal(value, signed(value)) is Refusal.OVERSIZED


@pytest.mark.parametrize("field", ["referral_id", "handover_id", "from_agency", "to_agency", "acted_by_agency"])
def test_a_field_beyond_its_limit_is_refused_though_the_record_is_small(field: str) -> None:
    value = wire_bytes(message(**{field: "x" * (Limits().id_characters + 1)}))
    assert len(value) <= Limits().record_bytes
    assert refusal(value, signed(value)) is Refusal.FIELD_TOO_LONG
    value = wire_bytes(message(**{field: "x" * Limits().id_characters}))
    assert refusal(value, signed(value)) is None


def test_a_record_at_exactly_the_limits_is_filed_and_one_byte_or_header_more_is_refused() -> None:
    exact = wire_bytes(message(categories=list(InformationCategory)))
    assert len(message(categories=list(InformationCategory)).categories) == Limits().categories
    assert refusal(exact, signed(exact)) is None, "every category once"
    value = wire_bytes(message())
    padded = value + b" " * (Limits().record_bytes - len(value))  # JSON allows the trailing blanks
    assert refusal(padded, signed(padded)) is None
    assert refusal(padded + b" ", signed(padded + b" ")) is Refusal.OVERSIZED

    headers = signed(value)
    fillers = [("h", b"")] * (Limits().headers - len(headers))
    assert refusal(value, headers + fillers) is None
    assert refusal(value, headers + fillers + [("h", b"")]) is Refusal.OVERSIZED
    used = sum(len(name.encode()) + len(raw or b"") for name, raw in headers)
    padding = ("padding", b"x" * (Limits().header_bytes - used - len("padding")))
    assert refusal(value, headers + [padding]) is None
    assert refusal(value, headers + [(padding[0], padding[1] + b"x")]) is Refusal.OVERSIZED


def test_a_verifier_without_a_key_is_refused_saying_what_is_missing() -> None:
    with pytest.raises(ValueError, match="^a consumer needs its agency's signing key$"):
        RecordVerifier(AGENCY, TOPIC, [])


def test_too_many_categories_or_bulky_headers_are_refused() -> None:
    value = wire_bytes(message(categories=["basic"] * (Limits().categories + 1)))
    assert refusal(value, signed(value)) is Refusal.FIELD_TOO_LONG
    value = wire_bytes(message())
    assert refusal(value, signed(value) + [("padding", b"x" * Limits().header_bytes)]) is Refusal.OVERSIZED
    assert refusal(value, signed(value) + [("h", b"")] * Limits().headers) is Refusal.OVERSIZED


# ----- keys and settings --------------------------------------------------------------------------

def test_agency_keys_are_derived_per_agency_and_the_derivation_is_pinned() -> None:
    """HKDF-SHA256 (RFC 5869), computed here by hand; changing it would invalidate every key given out."""
    prk = hmac.new(b"tsunagu.referrals.v1", SECRET.encode(), hashlib.sha256).digest()
    assert KEY.secret == hmac.new(prk, b"agency signing key:hikikomori\x01", hashlib.sha256).digest()
    assert (KEY.key_id, KEY.encoded()) == ("f4ca2332b07de46d", "xmPFnTkJDc1SQ7sWw8VViZCN29cUip5IgxXNvhu1dQc")
    assert KEY == derive_agency_key(SECRET, AGENCY) != derive_agency_key(SECRET, "livelihood")
    assert AgencyKey.decode(KEY.encoded()) == KEY and len(KEY.encoded()) == 43
    assert KEY.encoded() not in repr(KEY) and SECRET not in repr(KEY)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no .env
    for name in ("SIGNING_SECRET", "SIGNING_KEY", "SIGNING_KEY_PREVIOUS"):
        monkeypatch.delenv(f"TSUNAGU_KAFKA_{name}", raising=False)
    return monkeypatch


def test_the_relay_refuses_to_start_without_a_strong_signing_secret_and_never_echoes_it(environment) -> None:
    with pytest.raises(SettingRefused, match="TSUNAGU_KAFKA_SIGNING_SECRET is not set"):
        refuse_unsafe(RelaySigningSettings)
    for weak in (" " * 40, "ab" * 20, "short-Secret-9"):
        environment.setenv("TSUNAGU_KAFKA_SIGNING_SECRET", weak)
        with pytest.raises(SettingRefused, match="TSUNAGU_KAFKA_SIGNING_SECRET is too weak") as refused:
            refuse_unsafe(RelaySigningSettings)
        assert not weak.strip() or weak.strip() not in str(refused.value)
    environment.setenv("TSUNAGU_KAFKA_SIGNING_SECRET", SECRET)
    assert refuse_unsafe(RelaySigningSettings).signing_secret.get_secret_value() == SECRET


def test_a_consumer_refuses_to_start_without_its_agency_key_and_never_echoes_it(environment) -> None:
    with pytest.raises(SettingRefused, match="TSUNAGU_KAFKA_SIGNING_KEY is not set"):
        refuse_unsafe(ConsumerSigningSettings)
    environment.setenv("TSUNAGU_KAFKA_SIGNING_KEY", "not-a-key-but-a-password-someone-pasted")
    with pytest.raises(SettingRefused, match="TSUNAGU_KAFKA_SIGNING_KEY is not an agency signing key") as refused:
        refuse_unsafe(ConsumerSigningSettings)
    assert "pasted" not in str(refused.value)
    previous = derive_agency_key("the-previous-relay-secret-0123456789", AGENCY)
    environment.setenv("TSUNAGU_KAFKA_SIGNING_KEY", KEY.encoded())
    environment.setenv("TSUNAGU_KAFKA_SIGNING_KEY_PREVIOUS", previous.encoded())
    assert refuse_unsafe(ConsumerSigningSettings).keys() == (KEY, previous)
