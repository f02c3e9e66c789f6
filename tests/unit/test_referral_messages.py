"""The referral message on the wire: a pinned, versioned contract that carries no personal content."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta, timezone
from functools import reduce
from pathlib import Path
from uuid import UUID

import pytest

from domain.case import Case, CaseEvent
from domain.referral_feed import ReferralEventV1, ReferralTranslator, event_id_for
from domain.vocabulary import ConsentGiver, ConsentMethod, InformationCategory

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("TSUNAGU_UPDATE_GOLDEN") == "1"  # regenerate after a deliberate contract change
JST = timezone(timedelta(hours=9))
CASE_ID = UUID("3f1c2b7e-9a4d-4c1e-8b2a-6d5e4f3a2b1c")
PERSONAL = ("佐藤", "さとう", "健一", "長男のひきこもり", "ドア越し", "面談済み", "suzuki-kenta", "takahashi-aoi")


def example_message() -> ReferralEventV1:
    return ReferralEventV1(
        event_id=event_id_for(CASE_ID, 5), type="referral.requested", case_id=CASE_ID, case_version=5,
        referral_id="a1b2c3d4e5f6", from_agency="elderly-shiba", to_agency="hikikomori",
        acted_by_agency="elderly-shiba", recipient="hikikomori", recipient_role="receiver",
        categories=(InformationCategory.BASIC, InformationCategory.SUPPORT),
        occurred_at=datetime(2026, 6, 1, 10, 30, tzinfo=JST),
        recorded_at=datetime(2026, 6, 1, 1, 30, 0, 123456, tzinfo=UTC),
        link=f"/cases/{CASE_ID}/timeline")


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.write_text(text + "\n", encoding="utf-8")
    assert text == path.read_text(encoding="utf-8").rstrip("\n"), f"{name} changed: a wire contract change"


def test_referral_event_v1_serialises_exactly_as_pinned() -> None:
    assert_golden("referral_event_v1.json", json.dumps(json.loads(example_message().model_dump_json()),
                                                       ensure_ascii=False, indent=2))


def test_referral_event_v1_schema_is_pinned() -> None:
    assert_golden("referral_event_v1.schema.json", json.dumps(ReferralEventV1.model_json_schema(),
                                                              ensure_ascii=False, indent=2, sort_keys=True))


def test_pinned_message_still_parses_into_the_same_event() -> None:
    pinned = (GOLDEN / "referral_event_v1.json").read_text(encoding="utf-8")
    assert ReferralEventV1.model_validate_json(pinned) == example_message()


def test_event_id_is_derived_from_case_and_version_so_every_delivery_carries_the_same_one() -> None:
    assert event_id_for(CASE_ID, 5) == UUID("36230fac-780f-5a1e-8f52-9805a57b503e")
    assert len({event_id_for(CASE_ID, 5), event_id_for(CASE_ID, 6), event_id_for(UUID(int=1), 5)}) == 3


class Story:
    """A case told in memory, event by event, with the translator reading it as of each version."""

    def __init__(self, staff) -> None:
        self.staff = staff
        self.at = datetime(2026, 6, 1, 10, 0, tzinfo=JST)
        elderly = staff("suzuki-kenta")
        self.case = Case.open(elderly, self.at, household_name="佐藤家", household_name_kana="さとうけ",
                              district="shiba", summary="長男のひきこもり", case_id=CASE_ID)
        self.son = self.case.add_member(elderly, self.at, name="佐藤 健一", name_kana="さとう けんいち",
                                        birth_date=date(1961, 6, 10), relationship="長男", is_principal=True)
        self.case.grant_consent(elderly, self.at, member_id=self.son, given_by=ConsentGiver.SELF, representative="",
                                member_view="", agencies=["hikikomori", "livelihood"],
                                categories=[InformationCategory.BASIC, InformationCategory.SUPPORT],
                                purpose="支援のため", method=ConsentMethod.WRITTEN, document_ref="同意書 第1号",
                                heard_by="", valid_until=date(2027, 3, 31), self_consent_age=15, max_days=366)
        self.events: list[CaseEvent] = []
        self.translator = ReferralTranslator(coordination_agency="coordination", case_at=self._case_at)

    def _case_at(self, case_id: UUID, version: int) -> Case:
        assert case_id == CASE_ID
        return reduce(lambda case, event: event.mutate(case), self.events[:version], None)

    def messages(self) -> list[ReferralEventV1]:
        """The messages for what happened since the last call."""
        new = self.case.collect_events()
        self.events.extend(new)
        return [m for event in new if event.kind in ("ReferralRequested", "ReferralAccepted", "ReferralDeclined",
                                                     "ReferralCompleted", "ReferralRevoked",
                                                     "EscalatedToMultiAgency", "HandoverPlanned",
                                                     "HandoverCompleted")
                for m in self.translator.messages(event)]


@pytest.fixture
def story(staff) -> Story:
    return Story(staff)


def routed(messages: list[ReferralEventV1]) -> list[tuple[str, str, str]]:
    return [(m.type, m.recipient, m.recipient_role) for m in messages]


def test_a_referral_and_its_answer_go_to_the_receiving_and_the_sending_agency(story: Story, staff) -> None:
    story.messages()
    referral = story.case.request_referral(staff("suzuki-kenta"), story.at, to_agency="hikikomori",
                                           categories=[InformationCategory.BASIC], reason="長男のひきこもり")
    story.case.accept_referral(staff("takahashi-aoi"), story.at, referral_id=referral, note="面談済み")
    messages = story.messages()
    assert routed(messages) == [("referral.requested", "hikikomori", "receiver"),
                                ("referral.requested", "elderly-shiba", "sender"),
                                ("referral.accepted", "hikikomori", "receiver"),
                                ("referral.accepted", "elderly-shiba", "sender")]
    accepted = messages[2]
    assert (accepted.referral_id, accepted.from_agency, accepted.to_agency, accepted.acted_by_agency,
            accepted.categories) == (referral, "elderly-shiba", "hikikomori", "hikikomori", ("basic",))
    assert accepted.event_id == event_id_for(CASE_ID, accepted.case_version) and accepted.case_version == 5
    assert accepted.link == f"/cases/{CASE_ID}/timeline"


def test_a_declined_referral_escalated_to_multi_agency_reaches_the_coordination_agency(story: Story, staff) -> None:
    referral = story.case.request_referral(staff("suzuki-kenta"), story.at, to_agency="hikikomori",
                                           categories=[InformationCategory.SUPPORT], reason="長男のひきこもり")
    story.case.decline_referral(staff("takahashi-aoi"), story.at, referral_id=referral, reason="ドア越しに拒否",
                                escalate=True)
    escalated = [m for m in story.messages() if m.type == "referral.escalated"]
    assert [(m.recipient, m.recipient_role, m.from_agency, m.to_agency, m.categories) for m in escalated] == [
        ("coordination", "receiver", "hikikomori", "coordination", ("support",)),
        ("hikikomori", "sender", "hikikomori", "coordination", ("support",))]


def test_a_handover_completion_names_the_agencies_of_the_planned_handover(story: Story, staff) -> None:
    hikikomori = staff("takahashi-aoi")
    story.case.grant_consent(staff("suzuki-kenta"), story.at, member_id=story.son, given_by=ConsentGiver.SELF,
                             representative="", member_view="", agencies=["hikikomori"],
                             categories=[InformationCategory.BASIC], purpose="支援", method=ConsentMethod.ORAL,
                             document_ref="", heard_by="suzuki-kenta", valid_until=date(2027, 3, 31),
                             self_consent_age=15, max_days=366)
    handover = story.case.plan_handover(hikikomori, story.at, member_id=story.son, at_age=65,
                                        to_agency="elderly-shiba", due_on=date(2026, 6, 10))
    story.case.complete_handover(hikikomori, story.at, handover_id=handover, note="引継ぎ面談済み")
    messages = [m for m in story.messages() if m.type.startswith("handover")]
    assert routed(messages) == [("handover.planned", "elderly-shiba", "receiver"),
                                ("handover.planned", "hikikomori", "sender"),
                                ("handover.completed", "elderly-shiba", "receiver"),
                                ("handover.completed", "hikikomori", "sender")]
    assert {m.handover_id for m in messages} == {handover} and all(m.categories == () for m in messages)


def test_messages_carry_ids_agencies_categories_and_times_but_no_personal_content(story: Story, staff) -> None:
    referral = story.case.request_referral(staff("suzuki-kenta"), story.at, to_agency="hikikomori",
                                           categories=[InformationCategory.BASIC], reason="長男のひきこもり")
    story.case.accept_referral(staff("takahashi-aoi"), story.at, referral_id=referral, note="面談済み")
    story.case.complete_referral(staff("takahashi-aoi"), story.at, referral_id=referral, outcome="ドア越しに面会")
    story.case.escalate_to_multi_agency(staff("suzuki-kenta"), story.at, reason="長男のひきこもり")
    wire = "".join(m.model_dump_json() for m in story.messages())
    assert wire and not [text for text in PERSONAL if text in wire]
