"""Forms for the main commands on a case: the API's request schemas, turned into the same named commands.

A form page reads the case through ``Tsunagu.read_case(channel="web")`` (recorded) to offer its
choices (members, consents, meetings, referrals); a posted form is validated by the API's own
request schema, which builds the command (``to_command``) that ``Tsunagu.execute`` checks and runs,
with the version the form was read at as ``If-Match``. So a page cannot do anything the API would
refuse, and what it does (or is refused) is recorded the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.deps import ServicesDep
from api.errors import status_for
from api.pages.form_input import CheckedForm, field_errors, form_idempotency, form_values, parse, refusal_message
from api.pages.names import working_agencies
from api.pages.rendering import render, see_other
from api.pages.routing import PageRoute
from api.pages.session import PREFIX, PageActor, lang_of
from api.schemas.base import CommandBody
from api.schemas.consents import ConsentCreate, ConsentNarrowing, ConsentWithdrawal
from api.schemas.intake import ConsultationCreate
from api.schemas.meetings import MeetingCreate
from api.schemas.outreach import VisitCreate
from api.schemas.plans import PlanCreate, PlanReview, PlanRevision
from api.schemas.referrals import ReferralAcceptance, ReferralCompletion, ReferralCreate, ReferralDecline
from domain.actor import Actor
from domain.calendar import JST, age_on, local_date
from domain.commands.base import CASE_NOT_FOUND_EN
from domain.errors import DomainError, NotFound
from domain.policy import Policy
from domain.registry import Registry
from domain.vocabulary import (
    ConsentGiver,
    ConsentMethod,
    DecisionKind,
    Field,
    InformationCategory,
    MeetingKind,
    ReferralStatus,
    Role,
    VisitOutcome,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

ROWS = 4
"""Blank rows a repeating part of a form (participants, decisions, roles) starts with."""
EXTERNAL_ROWS = 2
"""Blank rows for a 支援会議's external members (民生委員, 医療機関 …)."""
SUPPORT_MEETING_DAYS = 28
"""A 支援会議's sharing is offered until this many days after it (about the next sitting), within the ward's maximum."""
SUPPORT_ONLY = ("tabled_subjects", "tabled_categories", "until", "external_members")
"""Fields of the meeting form that only a 支援会議 states (its scope and end, its external members)."""
CHANNELS = (("来所", "Visit to the desk"), ("電話", "Telephone"), ("訪問", "Home visit"), ("メール", "E-mail"),
            ("その他", "Other"))


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


# ----- turning form fields into request bodies ------------------------------------------------


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _occurred_at(values: dict[str, Any]) -> dict[str, Any]:
    """A datetime-local field is Japan time unless it says otherwise."""
    raw = values.get("occurred_at")
    if raw:
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return values
        values["occurred_at"] = (moment if moment.tzinfo else moment.replace(tzinfo=JST)).isoformat()
    return values


def _rows(values: dict[str, Any], prefix: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of a repeating part named ``prefix.<n>.<column>``, skipping blank rows."""
    indices = sorted({int(key.split(".")[1]) for key in values
                      if key.startswith(f"{prefix}.") and key.split(".")[1].isdigit()})
    rows = []
    for index in indices:
        row = {column: values.pop(f"{prefix}.{index}.{column}", None) for column in columns}
        if any(v for k, v in row.items() if k != "pledged"):
            rows.append(row)
    return rows


def _filled(row: dict[str, Any]) -> dict[str, Any]:
    """A row's filled-in cells: a blank cell is missing (so it is reported as "required", not as invalid)."""
    return {column: value for column, value in row.items() if value is not None}


def _scope(values: dict[str, Any], _: Registry) -> dict[str, Any]:
    """A consent's scope, or what a partial withdrawal takes out of it: agencies and categories."""
    return {**values, "agencies": _listed(values.get("agencies")), "categories": _listed(values.get("categories"))}


def _consultation(values: dict[str, Any], _: Registry) -> dict[str, Any]:
    return {**values, "subjects": _listed(values.get("subjects"))}


def _referral(values: dict[str, Any], _: Registry) -> dict[str, Any]:
    return {**values, "categories": _listed(values.get("categories")), "subjects": _listed(values.get("subjects"))}


def _decline(values: dict[str, Any], _: Registry) -> dict[str, Any]:
    return {**values, "escalate": values.get("escalate") == "on"}


def _meeting(values: dict[str, Any], registry: Registry) -> dict[str, Any]:
    participants = []
    for row in _rows(values, "participants", ("staff", "pledged")):
        staff = registry.staff_member(row["staff"]) if row["staff"] else None
        participants.append({"agency": staff.agency if staff else None, "staff": row["staff"],
                             "pledged": row["pledged"] == "on"})
    decisions = [{**_filled(row), "categories": _listed(row["categories"])}
                 for row in _rows(values, "decisions", ("kind", "text", "target_agency", "categories"))]
    external = [{**_filled(row), "pledged": row["pledged"] == "on"}
                for row in _rows(values, "external_members", ("name", "organisation", "pledged"))]
    body = {**values, "participants": participants, "decisions": decisions, "external_members": external,
            "tabled_subjects": _listed(values.get("tabled_subjects")),
            "tabled_categories": _listed(values.get("tabled_categories"))}
    if body.get("kind") != MeetingKind.SUPPORT:  # what a 支援会議 states is not part of a 重層的支援会議
        for key in SUPPORT_ONLY:
            body.pop(key, None)
    return body


def _plan(values: dict[str, Any], _: Registry) -> dict[str, Any]:
    goals = [line.strip() for line in (values.get("goals") or "").splitlines() if line.strip()]
    roles = _rows(values, "roles", ("agency", "role"))
    return {**values, "goals": goals, "roles": roles}


FORMS: dict[str, CaseForm] = {form.name: form for form in (
    CaseForm("consultation", ("相談の記録", "Record a consultation"), "forms/consultation.html",
             ConsultationCreate, prepare=_consultation),
    CaseForm("referral", ("つなぎの依頼", "Refer to another agency"), "forms/referral.html", ReferralCreate,
             prepare=_referral),
    CaseForm("referral-acceptance", ("つなぎの受理", "Accept a referral"), "forms/referral_answer.html",
             ReferralAcceptance, ids=("referral_id",)),
    CaseForm("referral-decline", ("つなぎの辞退", "Decline a referral"), "forms/referral_answer.html",
             ReferralDecline, ids=("referral_id",), prepare=_decline),
    CaseForm("referral-completion", ("つなぎの完了", "Complete a referral"), "forms/referral_answer.html",
             ReferralCompletion, ids=("referral_id",)),
    CaseForm("consent", ("同意の取得", "Record consent"), "forms/consent.html", ConsentCreate,
             prepare=_scope),
    CaseForm("consent-withdrawal", ("同意の撤回", "Withdraw consent"), "forms/consent_withdrawal.html",
             ConsentWithdrawal, ids=("consent_id",)),
    CaseForm("consent-narrowing", ("同意の一部撤回", "Withdraw part of a consent"), "forms/consent_narrowing.html",
             ConsentNarrowing, ids=("consent_id",), prepare=_scope),
    CaseForm("meeting", ("会議の記録", "Record a meeting"), "forms/meeting.html", MeetingCreate,
             prepare=_meeting),
    CaseForm("visit", ("訪問の記録", "Record an outreach visit"), "forms/visit.html", VisitCreate,
             reads_timeline=True),
    CaseForm("plan", ("支援プランの決定", "Adopt the support plan"), "forms/plan.html", PlanCreate,
             prepare=_plan, coordinator_only=True),
    CaseForm("plan-revision", ("支援プランの見直し", "Revise the support plan"), "forms/plan.html", PlanRevision,
             prepare=_plan, coordinator_only=True),
    CaseForm("plan-review", ("モニタリング", "Review the support plan"), "forms/plan_review.html", PlanReview),
)}


def _form(name: str) -> CaseForm:
    form = FORMS.get(name)
    if form is None:
        raise NotFound("このページはありません。", "There is no such page.")
    return form


def _defaults(form: CaseForm, today: date, actor: Actor, policy: Policy) -> dict[str, Any]:
    if form.name == "consent":
        return {"valid_until": consent_valid_until(today, policy).isoformat(), "given_by": ConsentGiver.SELF.value,
                "method": ConsentMethod.WRITTEN.value, "heard_by": actor.staff_id,
                "categories": [InformationCategory.BASIC.value, InformationCategory.CONSULTATION.value]}
    if form.name == "meeting":
        until = today + timedelta(days=min(SUPPORT_MEETING_DAYS, policy.support_meeting_max_days))
        return {"held_on": today.isoformat(), "kind": MeetingKind.SUPPORT.value, "until": until.isoformat()}
    if form.name in ("plan", "plan-revision", "plan-review"):
        return {"next_review_on": (today + timedelta(days=90)).isoformat()}
    if form.name == "consultation":
        return {"category": InformationCategory.CONSULTATION.value, "channel": "来所"}
    return {}


def consent_valid_until(today: date, policy: Policy) -> date:
    """A consent's default end: a year (to the day before its anniversary), within the ward's maximum."""
    try:
        anniversary = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        anniversary = today.replace(year=today.year + 1, day=28)
    return min(anniversary - timedelta(days=1), today + timedelta(days=policy.consent_max_days))


def member_choices(members: list[dict[str, Any]], today: date, en: bool) -> list[tuple[str, str]]:
    """The visible members as (id, "name（relationship・age）"), for choosing whom a record concerns."""
    def age(member: dict[str, Any]) -> str:
        birth = member.get("birth_date")
        if birth is None:
            return ""
        years = age_on(birth if isinstance(birth, date) else date.fromisoformat(str(birth)), today)
        return f", {years}" if en else f"・{years}歳"
    return [(m["member_id"], f"{m['name']}（{m['relationship']}{age(m)}）") for m in members]


def _outreach_plans(timeline: Any) -> list[dict[str, Any]]:
    return [{"outreach_id": e.content["outreach_id"], "approach": e.content["approach"],
             "planned_on": e.content["planned_on"]}
            for e in timeline.entries if not e.withheld and e.kind == "OutreachPlanned"]


def _show(request: Request, form: CaseForm, case_id: UUID, actor: Actor, services: ServicesDep, *,
          values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, message: str = "",
          status_code: int = 200) -> HTMLResponse:
    view = services.tsunagu.read_case(actor, case_id, channel="web")
    timeline = services.tsunagu.read_timeline(actor, case_id, channel="web") if form.reads_timeline else None
    today = local_date(services.tsunagu.clock())
    policy = services.tsunagu.policy
    # A form shown again after a refusal shows what was sent: an unticked box stays unticked.
    shown = dict(values) if values is not None else _defaults(form, today, actor, policy)
    for key in form.ids:
        shown.setdefault(key, request.query_params.get(key))
    waiting = []
    if "referral_id" in form.ids:  # from the inbox's read model: answerable even when its record is withheld
        waiting = [r["referral_id"] for r in services.read_models.workload.view.workload(
            actor.agency_id, today).referrals_in]
    return render(
        request, form.template, nav="cases", members=view.members, form=form, view=view, case_id=str(case_id),
        values=shown, errors=errors or {}, message=message, status_code=status_code, rows=ROWS,
        external_rows=EXTERNAL_ROWS, outreach_plans=_outreach_plans(timeline) if timeline else [],
        channels=CHANNELS, fields=list(Field), categories=list(InformationCategory), methods=list(ConsentMethod),
        givers=list(ConsentGiver), meeting_kinds=list(MeetingKind), decision_kinds=list(DecisionKind),
        outcomes=list(VisitOutcome), ReferralStatus=ReferralStatus,
        member_choices=member_choices(view.members, today, lang_of(request) == "en"), policy=policy,
        consent_latest=today + timedelta(days=policy.consent_max_days),
        agencies_by_field=_agencies_by_field(services.tsunagu.registry), today=today, waiting_referrals=waiting)


def _agencies_by_field(registry: Registry) -> list[tuple[Field, list[Any]]]:
    working = working_agencies(registry)
    return [(field, [a for a in working if a.field == field]) for field in Field
            if any(a.field == field for a in working)]


@router.get(f"{PREFIX}/cases/{{case_id}}/forms/{{name}}", response_class=HTMLResponse)
def read_case_form(request: Request, case_id: UUID, name: str, actor: PageActor,
                   services: ServicesDep) -> HTMLResponse:
    form = _form(name)
    _check_may_use(form, actor)
    return _show(request, form, case_id, actor, services)


@router.post(f"{PREFIX}/cases/{{case_id}}/forms/{{name}}", response_class=HTMLResponse)
def submit_case_form(request: Request, case_id: UUID, name: str, actor: PageActor, services: ServicesDep,
                     posted: CheckedForm) -> Response:
    form = _form(name)
    _check_may_use(form, actor)
    values = form_values(posted)
    shown = dict(values)
    idempotency = form_idempotency(request, actor, values)
    version = values.pop("version", None)
    ids = {key: values.pop(key, None) or "" for key in form.ids}
    try:
        body = parse(form.schema, form.prepare(_occurred_at(values), services.tsunagu.registry))
        result = services.tsunagu.execute(actor, body.to_command(case_id, **ids),  # type: ignore[attr-defined]
                                          expected_version=int(version) if version and version.isdigit() else None,
                                          idempotency=idempotency)
    except ValidationError as error:
        return _show(request, form, case_id, actor, services, values=shown, status_code=422,
                     errors=field_errors(error, lang_of(request)))
    except DomainError as error:
        if isinstance(error, NotFound) and error.message_en == CASE_NOT_FOUND_EN:
            raise  # the same page for a missing case and one the reader may not see
        message = refusal_message(error, lang_of(request))
        code = status.HTTP_422_UNPROCESSABLE_CONTENT if isinstance(error, NotFound) else status_for(error)
        return _show(request, form, case_id, actor, services, values=shown, message=message, status_code=code)
    return see_other(f"{PREFIX}/cases/{case_id}?done={form.name}#entry-{result.version}")


def _check_may_use(form: CaseForm, actor: Actor) -> None:
    """Say so before the form is filled in; the domain refuses these commands anyway."""
    if actor.is_auditor:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail={
            "message": "監査担当はケースに記録できません。", "message_en": "Auditors do not record on cases."})
    if form.coordinator_only and not actor.has_role(Role.COORDINATOR):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail={
            "message": "支援プランの決定・見直しは、相談支援包括化推進員（コーディネーター）が行います。",
            "message_en": "Only a coordinator adopts or revises a support plan."})
