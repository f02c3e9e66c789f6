"""The relay publishes referral events from the event log to each agency's topic on a real broker,
at least once, keyed by case, and resumes from its recorded position (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from datetime import date

import pytest

from domain.application import Tsunagu
from domain.commands import (
    AcceptReferral,
    CompleteHandover,
    CompleteReferral,
    DeclineReferral,
    GrantConsent,
    PlanHandover,
    RevokeReferral,
)
from domain.referral_feed import LOG_TOPICS, SIGNATURE_HEADER, ReferralFeed
from domain.vocabulary import ConsentMethod, InformationCategory
from infra.kafka.relay import ReferralRelay
from infra.kafka.settings import KafkaSettings
from tests.kafka_support import (
    RECEIVER,
    REFERRER,
    agency_key,
    event_ids,
    isolated_kafka_settings,
    records_for,
    refer,
    relay_keys,
    verifier_for,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def kafka(kafka_bootstrap: str) -> KafkaSettings:
    return isolated_kafka_settings(kafka_bootstrap)


def new_relay(tsunagu: Tsunagu, kafka: KafkaSettings) -> ReferralRelay:
    return ReferralRelay.from_settings(ReferralFeed(tsunagu, coordination_agency="coordination"), kafka, relay_keys())


def drain(relay: ReferralRelay) -> int:
    try:
        return relay.run(threading.Event(), until_idle=True)
    finally:
        relay.close()


def by_case(records) -> dict[str, list[str]]:
    """Each case's message types in the order its agency will read them (one case, one partition)."""
    types: dict[str, list[str]] = defaultdict(list)
    partitions: dict[str, set[int]] = defaultdict(set)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        message = json.loads(record.value)
        assert record.key.decode() == message["case_id"]
        types[message["case_id"]].append(message["type"])
        partitions[message["case_id"]].add(record.partition)
    assert all(len(p) == 1 for p in partitions.values()), "a case's events share one partition"
    return dict(types)


def test_referral_lifecycle_reaches_each_agency_topic_in_order_keyed_by_case(tsunagu, staff, kafka) -> None:
    referrer, receiver = staff(REFERRER), staff(RECEIVER)
    completed, referral, _ = refer(tsunagu)
    tsunagu.execute(receiver, AcceptReferral(case_id=completed, referral_id=referral))
    tsunagu.execute(receiver, CompleteReferral(case_id=completed, referral_id=referral, outcome="居場所につながった"))
    escalated, referral, _ = refer(tsunagu)
    tsunagu.execute(receiver, DeclineReferral(case_id=escalated, referral_id=referral, reason="本人が拒否",
                                              escalate=True))
    revoked, referral, _ = refer(tsunagu)
    tsunagu.execute(referrer, RevokeReferral(case_id=revoked, referral_id=referral, reason="本人の希望"))
    member = next(iter(tsunagu._load(revoked).members))
    # A handover goes only to an agency the person's consent covers (consents are not relayed).
    tsunagu.execute(referrer, GrantConsent(case_id=revoked, member_id=member, agencies=("livelihood",),
                                           categories=(InformationCategory.BASIC,), purpose="制度切替のため",
                                           method=ConsentMethod.WRITTEN, document_ref="同意書 第2号",
                                           valid_until=date(2027, 3, 31)))
    handover = tsunagu.execute(receiver, PlanHandover(case_id=revoked, member_id=member, at_age=40,
                                                      to_agency="livelihood", due_on=date(2026, 6, 1))).created_id
    assert handover is not None
    tsunagu.execute(receiver, CompleteHandover(case_id=revoked, handover_id=handover))

    relay = new_relay(tsunagu, kafka)
    assert drain(relay) == 10

    c, e, r = str(completed), str(escalated), str(revoked)
    assert by_case(records_for(kafka, "hikikomori", at_least=10)) == {
        c: ["referral.requested", "referral.accepted", "referral.completed"],
        e: ["referral.requested", "referral.declined", "referral.escalated"],
        r: ["referral.requested", "referral.revoked", "handover.planned", "handover.completed"]}
    assert by_case(records_for(kafka, "elderly-shiba", at_least=7)) == {
        c: ["referral.requested", "referral.accepted", "referral.completed"],
        e: ["referral.requested", "referral.declined"], r: ["referral.requested", "referral.revoked"]}
    assert by_case(records_for(kafka, "coordination", at_least=1)) == {e: ["referral.escalated"]}
    assert by_case(records_for(kafka, "livelihood", at_least=2)) == {r: ["handover.planned", "handover.completed"]}
    last_referral_event = tsunagu.recorder.select_notifications(start=1, limit=1000, topics=LOG_TOPICS)[-1].id
    assert relay.position() == last_referral_event


def test_messages_on_the_wire_hold_no_personal_content(tsunagu, kafka) -> None:
    refer(tsunagu)
    drain(new_relay(tsunagu, kafka))
    wire = b"".join(r.value + (r.key or b"") for agency in ("hikikomori", "elderly-shiba")
                    for r in records_for(kafka, agency, at_least=1))
    assert wire and not [text for text in ("佐藤", "健一", "長男", "ひきこもり", REFERRER) if text.encode() in wire]


def test_each_record_is_signed_with_the_key_of_the_agency_whose_topic_it_is_on(tsunagu, kafka) -> None:
    refer(tsunagu)
    drain(new_relay(tsunagu, kafka))
    for agency, other in (("hikikomori", "elderly-shiba"), ("elderly-shiba", "hikikomori")):
        [record] = records_for(kafka, agency)
        signatures = [value for name, value in record.headers if name == SIGNATURE_HEADER]
        assert signatures == [agency_key(agency).sign(record.value)] != [agency_key(other).sign(record.value)]
        assert verifier_for(kafka, agency).verify(record.topic, record.value, record.headers).refusal is None


def test_relay_resumes_from_its_recorded_position_after_a_restart(tsunagu, kafka) -> None:
    first = [refer(tsunagu)[2] for _ in range(2)]
    assert drain(new_relay(tsunagu, kafka)) == 2
    later = refer(tsunagu)[2]
    restarted = new_relay(tsunagu, kafka)
    assert restarted.position() > 0
    assert drain(restarted) == 1
    assert sorted(event_ids(records_for(kafka, "hikikomori", at_least=3))) == sorted([*first, later])
