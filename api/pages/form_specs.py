"""Every command on a case as a form: its title, template, the API's request schema that builds the command,
the ids it needs beside the case, and how the posted fields become the schema's body.

The forms post through ``api.pages.forms``, which validates with the schema and runs the schema's command
through ``Tsunagu.execute`` (the same rule as the API).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.schemas.base import CommandBody
from api.schemas.cases import (
    CaseClosure,
    CaseReopening,
    EntryCorrection,
    EntryVoid,
    InvolvementEnding,
    StaffInChargeAssignment,
)
from api.schemas.consents import ConsentCreate, ConsentNarrowing, ConsentWithdrawal
from api.schemas.handovers import HandoverCompletion, HandoverCreate
from api.schemas.intake import ConsultationCreate, IssueCreate, IssueResolution, MemberCorrection, MemberCreate
from api.schemas.meetings import DecisionCreate, MeetingCreate
from api.schemas.outreach import (
    OutreachCreate,
    ParticipationCreate,
    ParticipationFollowUpCreate,
    SupportRefusalCreate,
    VisitCreate,
)
from api.schemas.plans import (
    PlanCreate,
    PlanDecision,
    PlanEvaluation,
    PlanResumption,
    PlanReview,
    PlanRevision,
    PlanSuspension,
    RoleAssignment,
)
from api.schemas.referrals import (
    EscalationCreate,
    ReferralAcceptance,
    ReferralCompletion,
    ReferralCreate,
    ReferralDecline,
    ReferralRevocation,
)
from domain.meeting_kinds import needs_consent
from domain.registry import Registry
from domain.vocabulary import MeetingKind


@dataclass(frozen=True)
class CaseForm:
    """One command on a case, as a form."""

    name: str
    title: tuple[str, str]
    template: str
    schema: type[CommandBody]
    ids: tuple[str, ...] = ()  # ids the command needs beside the case (posted as hidden fields)
    prepare: Callable[[dict[str, Any], Registry], dict[str, Any]] = lambda values, _: values
    coordinator_only: bool = False
    reads_timeline: bool = False


ROWS = 4
"""Blank rows a repeating part of a form (participants, decisions, roles) starts with."""
EXTERNAL_ROWS = 2
"""Blank rows for a meeting's external members (民生委員, 医療機関 …)."""
SUPPORT_ONLY = ("tabled_subjects", "tabled_categories", "until")
"""Fields of the meeting form that only a meeting without consent states (its scope and end)."""
UNCONSENTED_KINDS = tuple(kind.value for kind in MeetingKind if not needs_consent(kind))
"""The kinds of meeting held without consent (支援会議 and the other statutory kinds), as the form posts them."""


def listed(value: Any) -> list[str]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _rows(values: dict[str, Any], prefix: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of a repeating part named ``prefix.<n>.<column>``, skipping blank rows."""
    indices = sorted({int(key.split(".")[1]) for key in values
                      if key.startswith(f"{prefix}.") and key.split(".")[1].isdigit()})
    rows = []
    for index in indices:
        row = {column: values.pop(f"{prefix}.{index}.{column}", None) for column in columns}
        if any(v for k, v in row.items() if k not in ("pledged", "role")):
            rows.append(row)
    return rows


def _filled(row: dict[str, Any]) -> dict[str, Any]:
    """A row's filled-in cells: a blank cell is missing (so it is reported as "required", not as invalid)."""
    return {column: value for column, value in row.items() if value is not None}


def _scope(values: dict[str, Any], _: Registry) -> dict[str, Any]:
    return {**values, "agencies": listed(values.get("agencies")), "categories": listed(values.get("categories"))}


def _subjects(values: dict[str, Any], _: Registry) -> dict[str, Any]:
    return {**values, "subjects": listed(values.get("subjects"))}


def _referral(values: dict[str, Any], _: Registry) -> dict[str, Any]:
    return {**values, "categories": listed(values.get("categories")), "subjects": listed(values.get("subjects"))}


def _checkbox(*names: str) -> Callable[[dict[str, Any], Registry], dict[str, Any]]:
    def prepare(values: dict[str, Any], _: Registry) -> dict[str, Any]:
        return {**values, **{name: values.get(name) in ("on", "true", "1", "yes") for name in names}}
    return prepare


def _yes_no(name: str) -> Callable[[dict[str, Any], Registry], dict[str, Any]]:
    """A required yes/no asked as two radio buttons (none chosen: reported as missing)."""
    def prepare(values: dict[str, Any], _: Registry) -> dict[str, Any]:
        answer = values.get(name)
        return {**values, name: None if answer not in ("yes", "no") else answer == "yes"}
    return prepare


def _confirmed(values: dict[str, Any], _: Registry) -> dict[str, Any]:
    """A form that asks to confirm first (closure, withdrawal): the tick is the browser's check, not the command's."""
    return {k: v for k, v in values.items() if k != "confirm"}


def _member_correction(values: dict[str, Any], _: Registry) -> dict[str, Any]:
    """Only the details changed from what the member shows now are corrections (the rest stay as they are)."""
    body = {k: v for k, v in values.items() if not k.startswith("current_")}
    for key in ("name", "name_kana", "birth_date", "relationship"):
        if body.get(key) is not None and body.get(key) == values.get(f"current_{key}"):
            body.pop(key)
    return body


def _meeting(values: dict[str, Any], registry: Registry) -> dict[str, Any]:
    participants = []
    for row in _rows(values, "participants", ("staff", "pledged")):
        staff = registry.staff_member(row["staff"]) if row["staff"] and any(
            s.id == row["staff"] for s in registry.staff) else None
        participants.append({"agency": staff.agency if staff else None, "staff": row["staff"],
                             "pledged": row["pledged"] == "on"})
    decisions = [{**_filled(row), "categories": listed(row["categories"])}
                 for row in _rows(values, "decisions", ("kind", "text", "target_agency", "categories"))]
    external = [{**_filled(row), "pledged": row["pledged"] == "on"}
                for row in _rows(values, "external_members", ("name", "organisation", "role", "pledged"))]
    body = {**values, "body_id": values.get("body_id") or None, "participants": participants,
            "decisions": decisions, "external_members": external,
            "tabled_subjects": listed(values.get("tabled_subjects")),
            "tabled_categories": listed(values.get("tabled_categories"))}
    if body.get("kind") not in UNCONSENTED_KINDS:  # what a meeting without consent states (its scope and end)
        for key in SUPPORT_ONLY:
            body.pop(key, None)
    fields = MeetingCreate.model_fields
    return {k: v for k, v in body.items() if k in fields or k == "occurred_at"}


def _decision(values: dict[str, Any], _: Registry) -> dict[str, Any]:
    decision = _filled({key: values.pop(key, None) for key in ("kind", "text", "target_agency")})
    decision["categories"] = listed(values.pop("categories", None))
    return {**values, "decision": decision}


def _plan(values: dict[str, Any], _: Registry) -> dict[str, Any]:
    goals = [line.strip() for line in (values.get("goals") or "").splitlines() if line.strip()]
    roles = _rows(values, "roles", ("agency", "role"))
    return {**values, "goals": goals, "roles": roles}


def _blank_plan(values: dict[str, Any], _: Registry) -> dict[str, Any]:
    """No plan chosen (the case has one, or the blank option): the latest plan."""
    return {**values, "plan_id": values.get("plan_id") or None}


def _evaluation(values: dict[str, Any], registry: Registry) -> dict[str, Any]:
    return {k: v for k, v in _yes_no("goals_met")(values, registry).items()
            if k in PlanEvaluation.model_fields or k == "occurred_at"}


FORMS: dict[str, CaseForm] = {form.name: form for form in (
    # intake
    CaseForm("member", ("世帯員の追加", "Add a member"), "forms/member.html", MemberCreate,
             prepare=_checkbox("is_principal")),
    CaseForm("member-correction", ("世帯員情報の訂正", "Correct a member's details"), "forms/member_correction.html",
             MemberCorrection, ids=("member_id",), prepare=_member_correction),
    CaseForm("consultation", ("相談の記録", "Record a consultation"), "forms/consultation.html",
             ConsultationCreate, prepare=_subjects),
    CaseForm("issue", ("課題の把握", "Identify an issue"), "forms/issue.html", IssueCreate, prepare=_subjects),
    CaseForm("issue-resolution", ("課題の解消", "Resolve an issue"), "forms/issue_resolution.html", IssueResolution,
             ids=("tag",)),
    CaseForm("correction", ("記録の訂正", "Correct an entry"), "forms/correction.html", EntryCorrection,
             reads_timeline=True),
    CaseForm("void", ("記録の取消（無効）", "Void an entry"), "forms/void.html", EntryVoid, reads_timeline=True),
    CaseForm("staff-in-charge", ("担当者の決定", "Assign the staff in charge"), "forms/staff_in_charge.html",
             StaffInChargeAssignment),
    # referrals
    CaseForm("referral", ("つなぎの依頼", "Refer to another agency"), "forms/referral.html", ReferralCreate,
             prepare=_referral),
    CaseForm("referral-acceptance", ("つなぎの受理", "Accept a referral"), "forms/referral_answer.html",
             ReferralAcceptance, ids=("referral_id",)),
    CaseForm("referral-decline", ("つなぎの辞退", "Decline a referral"), "forms/referral_answer.html",
             ReferralDecline, ids=("referral_id",), prepare=_checkbox("escalate")),
    CaseForm("referral-completion", ("つなぎの完了", "Complete a referral"), "forms/referral_answer.html",
             ReferralCompletion, ids=("referral_id",)),
    CaseForm("referral-revocation", ("つなぎの取り下げ", "Revoke a referral"), "forms/referral_revocation.html",
             ReferralRevocation, ids=("referral_id",)),
    CaseForm("escalation", ("多機関協働への引継ぎ", "Escalate to multi-agency coordination"), "forms/reason.html",
             EscalationCreate),
    # consent
    CaseForm("consent", ("同意の取得", "Record consent"), "forms/consent.html", ConsentCreate, prepare=_scope),
    CaseForm("consent-withdrawal", ("同意の撤回", "Withdraw consent"), "forms/consent_withdrawal.html",
             ConsentWithdrawal, ids=("consent_id",), prepare=_confirmed),
    CaseForm("consent-narrowing", ("同意の一部撤回", "Withdraw part of a consent"), "forms/consent_narrowing.html",
             ConsentNarrowing, ids=("consent_id",), prepare=_scope),
    # meetings and plan
    CaseForm("meeting", ("会議の記録", "Record a meeting"), "forms/meeting.html", MeetingCreate, prepare=_meeting),
    CaseForm("decision", ("会議決定の追加", "Add a meeting's decision"), "forms/decision.html", DecisionCreate,
             ids=("meeting_id",), prepare=_decision),
    CaseForm("plan", ("支援プランの決定", "Adopt the support plan"), "forms/plan.html", PlanCreate,
             prepare=_plan, coordinator_only=True),
    CaseForm("plan-revision", ("支援プランの見直し", "Revise the support plan"), "forms/plan.html", PlanRevision,
             prepare=_plan, coordinator_only=True),
    CaseForm("plan-decision", ("支援決定", "Record the support decision"), "forms/plan_decision.html", PlanDecision,
             prepare=_blank_plan, coordinator_only=True),
    CaseForm("plan-review", ("モニタリング", "Review the support plan"), "forms/plan_review.html", PlanReview,
             prepare=_blank_plan),
    CaseForm("plan-suspension", ("支援プランの中断", "Suspend the support plan"), "forms/plan_suspension.html",
             PlanSuspension, prepare=_blank_plan),
    CaseForm("plan-resumption", ("支援プランの再開", "Resume the support plan"), "forms/plan_resumption.html",
             PlanResumption, prepare=_blank_plan),
    CaseForm("plan-evaluation", ("終結評価", "Evaluate the support plan"), "forms/plan_evaluation.html",
             PlanEvaluation, prepare=_evaluation, coordinator_only=True),
    CaseForm("role", ("役割分担の追加", "Assign a role"), "forms/role.html", RoleAssignment),
    # outreach and participation
    CaseForm("outreach", ("アウトリーチの計画", "Plan outreach"), "forms/outreach.html", OutreachCreate),
    CaseForm("visit", ("訪問の記録", "Record an outreach visit"), "forms/visit.html", VisitCreate,
             reads_timeline=True),
    CaseForm("support-refusal", ("支援拒否の記録", "Record a refusal of support"), "forms/support_refusal.html",
             SupportRefusalCreate),
    CaseForm("participation", ("参加支援（マッチング）", "Match to a local resource"), "forms/participation.html",
             ParticipationCreate),
    CaseForm("participation-follow-up", ("定着支援（フォローアップ）", "Follow up a participation"),
             "forms/participation_follow_up.html", ParticipationFollowUpCreate, ids=("match_id",),
             prepare=_yes_no("continuing")),
    # transitions and closure
    CaseForm("handover", ("制度切替の計画", "Plan a handover"), "forms/handover.html", HandoverCreate),
    CaseForm("handover-completion", ("制度切替の完了", "Complete a handover"), "forms/handover_completion.html",
             HandoverCompletion, ids=("handover_id",)),
    CaseForm("involvement-ending", ("関与終了", "End your agency's involvement"), "forms/reason.html",
             InvolvementEnding),
    CaseForm("closure", ("ケースの終結", "Close the case"), "forms/closure.html", CaseClosure, prepare=_confirmed),
    CaseForm("reopening", ("ケースの再開", "Reopen the case"), "forms/reason.html", CaseReopening),
)}
