"""No read model holds free text from the events: a planted string in every free-text field of every
case event (reasons, findings, notes, summaries, names …) is found in the event store and in none of the
read models' tables.

A coverage check keeps the test honest as events change: every kind of case event is written, and every
text in the log that is not a code or an id is one of the planted strings, so a new free-text field fails
here until it is planted (and then until no read model copies it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, time, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.cryptography import AESCipher

from domain.commands import (
    AcceptReferral,
    AddMember,
    AdoptPlan,
    AssignRole,
    AssignStaffInCharge,
    CloseCase,
    CompleteHandover,
    CompleteReferral,
    CorrectEntry,
    CorrectMemberDetails,
    DecidePlan,
    DeclineReferral,
    EndInvolvement,
    EscalateToMultiAgency,
    EvaluatePlan,
    ExternalMember,
    FollowUpParticipation,
    GrantConsent,
    HoldMultiLayeredMeeting,
    HoldSupportMeeting,
    IdentifyIssue,
    MatchParticipation,
    MeetingDecision,
    NarrowConsent,
    OpenCase,
    Participant,
    PlanHandover,
    PlanOutreach,
    PlanRole,
    RecordConsultation,
    RecordDecision,
    RecordSupportRefusal,
    RecordVisit,
    ReopenCase,
    RequestEmergencyAccess,
    RequestReferral,
    ResolveIssue,
    ResumePlan,
    ReviewEmergencyAccess,
    ReviewPlan,
    RevisePlan,
    RevokeReferral,
    SuspendPlan,
    VoidEntry,
    WithdrawConsent,
)
from domain.errors import DomainError
from domain.vocabulary import (
    ClosureReason,
    ConsentGiver,
    ConsentMethod,
    DecisionKind,
    ExternalRole,
    InformationCategory,
    ResourceKind,
)
from domain.vocabulary import VisitOutcome as Visit
from projections import build_read_models
from projections.base import CASE_TOPICS
from projections.runner import BatchRunner

pytestmark = pytest.mark.integration

ELDERLY, HIKIKOMORI, COORDINATOR = "suzuki-kenta", "takahashi-aoi", "tanaka-yui"
LIVELIHOOD, AUDITOR = "inoue-kazuki", "watanabe-makoto"
MARK = "PLANT"
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:+.\-]*")
"""Ids and codes (staff, agencies, grants, categories, legal grounds, ``consent:<id>+<id>``): not free text."""
ALL = tuple(InformationCategory)


class Planted:
    """Unique free texts, each naming the field it was planted in (so a leak says where it came from)."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}

    def __call__(self, field: str) -> str:
        text = f"〔{field}〕{MARK}{len(self.texts):03d}自殺の危険・服薬の状況"
        self.texts[text] = field
        return text


def write_every_kind_of_event(tsunagu: Any, staff: Any, clock: Any, plant: Planted) -> UUID:
    """One household's case with every kind of case event, every free-text field planted; reads and a
    refused write too, so the access trail has rows."""
    elderly, hikikomori, coordinator = staff(ELDERLY), staff(HIKIKOMORI), staff(COORDINATOR)
    livelihood, auditor = staff(LIVELIHOOD), staff(AUDITOR)

    def do(actor: Any, command: Any) -> str | None:
        clock.advance(minutes=10)
        return tsunagu.execute(actor, command).created_id

    case = UUID(do(elderly, OpenCase(household_name=plant("household_name"),
                                     household_name_kana=plant("household_name_kana"), district="shiba",
                                     summary=plant("Opened.summary"))))
    mother = do(elderly, AddMember(case_id=case, name=plant("member.name"), name_kana=plant("member.name_kana"),
                                   birth_date=date(1944, 8, 15), relationship=plant("member.relationship")))
    son = do(elderly, AddMember(case_id=case, name=plant("son.name"), name_kana=plant("son.name_kana"),
                                birth_date=date(1975, 4, 2), relationship=plant("son.relationship"),
                                is_principal=True))
    do(elderly, CorrectMemberDetails(case_id=case, member_id=son, reason=plant("MemberDetailsCorrected.reason"),
                                     corrections={"name": plant("corrected.name"),
                                                  "name_kana": plant("corrected.name_kana")}))
    consultation = do(elderly, RecordConsultation(
        case_id=case, field="elderly", category=InformationCategory.CONSULTATION,
        channel=plant("ConsultationRecorded.channel"), summary=plant("ConsultationRecorded.summary")))
    assert consultation is not None
    do(elderly, CorrectEntry(case_id=case, seq=tsunagu.repository.get(case).version,
                             correction=plant("EntryCorrected.correction")))
    do(elderly, VoidEntry(case_id=case, seq=tsunagu.repository.get(case).version - 1,
                          reason=plant("EntryVoided.reason")))
    do(elderly, IdentifyIssue(case_id=case, tag="8050", note=plant("IssueIdentified.note"), subjects=(son,)))
    do(elderly, ResolveIssue(case_id=case, tag="8050", note=plant("IssueResolved.note")))
    agencies = ("elderly-shiba", "hikikomori", "coordination", "livelihood")
    do(elderly, GrantConsent(
        case_id=case, member_id=mother, agencies=agencies, categories=ALL, purpose=plant("consent.purpose"),
        method=ConsentMethod.WRITTEN, given_by=ConsentGiver.GUARDIAN,
        representative=plant("consent.representative"), member_view=plant("consent.member_view"),
        document_ref=plant("consent.document_ref"), valid_until=date(2027, 5, 31)))
    son_consent = do(elderly, GrantConsent(
        case_id=case, member_id=son, agencies=agencies, categories=ALL, purpose=plant("son_consent.purpose"),
        method=ConsentMethod.ORAL, heard_by=ELDERLY, valid_until=date(2027, 5, 31)))
    do(elderly, NarrowConsent(case_id=case, consent_id=son_consent, agencies=("livelihood",),
                              reason=plant("ConsentNarrowed.reason")))
    brief = do(elderly, GrantConsent(
        case_id=case, member_id=son, agencies=("livelihood",), categories=(InformationCategory.BASIC,),
        purpose=plant("brief_consent.purpose"), method=ConsentMethod.WRITTEN,
        document_ref=plant("brief_consent.document_ref"), valid_until=date(2027, 5, 31)))
    do(elderly, WithdrawConsent(case_id=case, consent_id=brief, reason=plant("ConsentWithdrawn.reason")))

    members = (("elderly-shiba", ELDERLY), ("hikikomori", HIKIKOMORI), ("coordination", COORDINATOR))
    meeting = do(coordinator, HoldSupportMeeting(
        case_id=case, held_on=clock.now.date(), purpose=plant("support_meeting.purpose"),
        participants=tuple(Participant(agency=a, staff=s, pledged=True) for a, s in members),
        decisions=(MeetingDecision(kind=DecisionKind.WATCH, text=plant("decision.text")),),
        external_members=(ExternalMember(name=plant("external.name"), organisation=plant("external.organisation"),
                                         pledged=True, role=ExternalRole.WELFARE_COMMISSIONER),),
        tabled_subjects=(mother, son), tabled_categories=(InformationCategory.BASIC,),
        until=clock.now.date() + timedelta(days=60), start_time=time(14, 0), place=plant("meeting.place"),
        minutes=plant("meeting.minutes"), next_on=clock.now.date() + timedelta(days=60)))
    do(coordinator, RecordDecision(case_id=case, meeting_id=meeting, decision=MeetingDecision(
        kind=DecisionKind.OTHER, text=plant("DecisionRecorded.text"))))

    for answer in ("accept", "decline", "revoke"):
        referral = do(elderly, RequestReferral(case_id=case, to_agency="hikikomori",
                                               categories=(InformationCategory.BASIC,),
                                               reason=plant(f"ReferralRequested.reason.{answer}")))
        if answer == "accept":
            do(hikikomori, AcceptReferral(case_id=case, referral_id=referral, note=plant("ReferralAccepted.note")))
            do(hikikomori, CompleteReferral(case_id=case, referral_id=referral,
                                            outcome=plant("ReferralCompleted.outcome")))
        elif answer == "decline":
            do(hikikomori, DeclineReferral(case_id=case, referral_id=referral, alternative_agency="livelihood",
                                           reason=plant("ReferralDeclined.reason")))
        else:
            do(elderly, RevokeReferral(case_id=case, referral_id=referral, reason=plant("ReferralRevoked.reason")))
    do(elderly, EscalateToMultiAgency(case_id=case, reason=plant("EscalatedToMultiAgency.reason")))

    outreach = do(hikikomori, PlanOutreach(case_id=case, member_id=son, approach=plant("OutreachPlanned.approach"),
                                           planned_on=clock.now.date() + timedelta(days=1)))
    do(hikikomori, RecordVisit(case_id=case, outreach_id=outreach, member_id=son, outcome=Visit.MET,
                               notes=plant("OutreachVisitRecorded.notes")))
    do(hikikomori, RecordSupportRefusal(case_id=case, member_id=son, reason=plant("SupportRefused.reason")))
    match = do(hikikomori, MatchParticipation(case_id=case, member_id=son, resource_kind=ResourceKind.SALON,
                                              resource_name=plant("ParticipationMatched.resource_name"),
                                              starts_on=clock.now.date()))
    do(hikikomori, FollowUpParticipation(case_id=case, match_id=match, continuing=True,
                                         note=plant("ParticipationFollowedUp.note")))

    layered = tuple(Participant(agency=a, staff=s) for a, s in members)
    first = do(coordinator, HoldMultiLayeredMeeting(case_id=case, held_on=clock.now.date(),
                                                    purpose=plant("layered.purpose"), participants=layered))
    do(coordinator, AdoptPlan(case_id=case, meeting_id=first, goals=(plant("PlanAdopted.goal"),),
                              roles=(PlanRole(agency="hikikomori", role=plant("PlanAdopted.role")),),
                              next_review_on=clock.now.date() + timedelta(days=90),
                              wishes=plant("PlanAdopted.wishes")))
    do(coordinator, DecidePlan(case_id=case, note=plant("PlanDecided.note")))
    do(coordinator, SuspendPlan(case_id=case, reason=plant("PlanSuspended.reason")))
    do(coordinator, ResumePlan(case_id=case, note=plant("PlanResumed.note"),
                               next_review_on=clock.now.date() + timedelta(days=100)))
    do(coordinator, ReviewPlan(case_id=case, findings=plant("PlanReviewed.findings"),
                               next_review_on=clock.now.date() + timedelta(days=120)))
    do(coordinator, AssignRole(case_id=case, agency="elderly-shiba", role=plant("RoleAssigned.role")))
    second = do(coordinator, HoldMultiLayeredMeeting(case_id=case, held_on=clock.now.date(),
                                                     purpose=plant("layered2.purpose"), participants=layered))
    do(coordinator, RevisePlan(case_id=case, meeting_id=second, goals=(plant("PlanRevised.goal"),),
                               roles=(PlanRole(agency="hikikomori", role=plant("PlanRevised.role")),),
                               next_review_on=clock.now.date() + timedelta(days=150),
                               reason=plant("PlanRevised.reason"), wishes=plant("PlanRevised.wishes")))
    do(coordinator, EvaluatePlan(case_id=case, meeting_id=second, evaluation=plant("PlanEvaluated.evaluation"),
                                 goals_met=True))

    handover = do(elderly, PlanHandover(case_id=case, member_id=son, at_age=40, to_agency="hikikomori",
                                        due_on=clock.now.date() + timedelta(days=30)))
    do(hikikomori, CompleteHandover(case_id=case, handover_id=handover, note=plant("HandoverCompleted.note")))

    grant = do(livelihood, RequestEmergencyAccess(case_id=case, reason=plant("EmergencyAccessGranted.reason")))
    tsunagu.read_timeline(livelihood, case)  # a read on the grant: the trail links it to the grant
    do(auditor, ReviewEmergencyAccess(case_id=case, grant_id=grant, justified=False,
                                      finding=plant("EmergencyAccessReviewed.finding")))
    do(livelihood, EndInvolvement(case_id=case, reason=plant("InvolvementEnded.reason")))
    do(hikikomori, AssignStaffInCharge(case_id=case, staff=HIKIKOMORI, note=plant("StaffInChargeAssigned.note")))
    do(hikikomori, CloseCase(case_id=case, evaluation=plant("CaseClosed.evaluation"),
                             outcome=plant("CaseClosed.outcome"), reason=ClosureReason.OTHER,
                             reason_note=plant("CaseClosed.reason_note")))
    do(hikikomori, ReopenCase(case_id=case, reason=plant("CaseReopened.reason")))

    tsunagu.read_timeline(hikikomori, case)
    tsunagu.read_case(auditor, case)
    with pytest.raises(DomainError):  # a refused write: the trail records it, never its values
        tsunagu.execute(staff("hayashi-mai"), RecordConsultation(
            case_id=case, field="children", category=InformationCategory.CONSULTATION,
            channel=plant("refused.channel"), summary=plant("refused.summary")))
    return case


def leaves(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in an event's field, with the field's path (list items share their list's path)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for item in value:
            yield from leaves(item, path)


def stored_texts(tsunagu: Any) -> tuple[set[str], dict[str, list[str]]]:
    """The kinds of case event in the log, and every string of their fields by field path."""
    kinds, by_field = set(), defaultdict(list)
    for notification in tsunagu.notifications(CASE_TOPICS):
        event = tsunagu.mapper.to_domain_event(notification)
        kinds.add(event.kind)
        for name, value in vars(event).items():
            if name not in ("originator_id", "originator_version", "timestamp"):
                for path, text in leaves(value, f"{event.kind}.{name}"):
                    by_field[path].append(text)
    return kinds, by_field


@pytest.fixture
def planted_world(tsunagu, store_env, staff, clock):
    plant = Planted()
    read_models = build_read_models(store_env)
    read_models.name_index.use_key_from({"CIPHER_KEY": AESCipher.create_key(32)})  # the blind index too
    case = write_every_kind_of_event(tsunagu, staff, clock, plant)
    BatchRunner(tsunagu, read_models.all(), batch_size=7).catch_up()
    return read_models, plant, case


def test_every_free_text_field_of_every_case_event_is_planted(planted_world, tsunagu) -> None:
    _, plant, _ = planted_world
    kinds, by_field = stored_texts(tsunagu)
    assert kinds == {topic.rsplit(".", 1)[-1] for topic in CASE_TOPICS}, "write every kind of case event"
    unplanted = {path: texts for path, texts in by_field.items()
                 if any(text and not CODE.fullmatch(text) and MARK not in text for text in texts)}
    assert not unplanted, f"free text not planted (plant it in the scenario): {unplanted}"
    never_filled = sorted(path for path, texts in by_field.items() if not any(texts))
    assert not never_filled, f"fields only ever empty (give them a planted value or a code): {never_filled}"
    written = {text for texts in by_field.values() for text in texts if MARK in text}
    assert written == set(plant.texts) - {t for t, field in plant.texts.items() if field.startswith("refused.")}


def test_no_read_model_table_holds_any_planted_free_text(planted_world) -> None:
    read_models, plant, case = planted_world
    leaked = []
    for model in read_models.all():
        for table, rows in model.view.dump().items():
            for row in rows:
                for column, value in row.items():
                    cell = str(value)
                    fields = [field for text, field in plant.texts.items() if text in cell]
                    if not fields and MARK in cell:
                        fields = ["part of a planted text"]
                    leaked.extend(f"{model.name}.{table}.{column}: {field}" for field in fields)
    assert not leaked, "free text copied into read models:\n" + "\n".join(sorted(set(leaked)))
    # ...and the tables are not empty: the emergency grant, its review and the read on it are all there.
    [grant] = read_models.access_audit.view.emergency_grants(reviewed=True)
    assert (grant["case_id"], grant["staff"], grant["reviewed"], grant["justified"]) == (
        str(case), LIVELIHOOD, 1, 0)
    assert grant["reads"] and read_models.name_index.view.dump()["name_token"]
