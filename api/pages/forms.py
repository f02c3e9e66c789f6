"""Forms for every command on a case: the API's request schemas, turned into the same named commands.

A form page reads the case through ``Tsunagu.read_case_page(channel="web")`` (one recorded read) to offer its
choices (members, consents, meetings, referrals, entries to correct); a posted form is validated by the API's
own request schema, which builds the command (``to_command``) that ``Tsunagu.execute`` checks and runs, with
the version the form was read at as ``If-Match``. So a page cannot do anything the API would refuse, and what
it does (or is refused) is recorded the same way. A refusal is shown on the form with what was typed, its
words naming fields, agencies and staff rather than ids; a version conflict keeps what was typed and offers to
record it again on the latest version. The forms themselves are listed in ``api.pages.form_specs``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.deps import ServicesDep
from api.errors import status_for
from api.pages.entries import entry_fields
from api.pages.form_fields import humanise, labelled_errors
from api.pages.form_input import CheckedForm, field_errors, form_idempotency, form_values, parse, refusal_message
from api.pages.form_specs import EXTERNAL_ROWS, FORMS, ROWS, UNCONSENTED_KINDS, CaseForm
from api.pages.labels import enum_label, format_date
from api.pages.names import Names, working_agencies
from api.pages.rendering import render, see_other
from api.pages.routing import PageRoute
from api.pages.session import PREFIX, PageActor, lang_of
from domain.actor import Actor
from domain.calendar import JST, age_on, local_date
from domain.commands.base import CASE_NOT_FOUND_EN
from domain.commands.meetings import kinds_held
from domain.errors import DomainError, NotFound, VersionConflict
from domain.meeting_kinds import MEETING_KINDS
from domain.policy import Policy
from domain.registry import Registry
from domain.vocabulary import (
    ClosureReason,
    ConsentGiver,
    ConsentMethod,
    DecisionKind,
    ExternalRole,
    Field,
    InformationCategory,
    MeetingKind,
    PlanKind,
    ReferralStatus,
    ResourceKind,
    Role,
    VisitOutcome,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

SUPPORT_MEETING_DAYS = 28
"""A 支援会議's sharing is offered until this many days after it (about the next sitting), within the ward's maximum."""
PRESET = ("member_id", "at_age", "meeting_id", "tag", "to_agency")
"""Fields a link to a form may fill in (``?member_id=…&at_age=18`` from the home page's handovers)."""
CHANNELS = (("来所", "Visit to the desk"), ("電話", "Telephone"), ("訪問", "Home visit"), ("メール", "E-mail"),
            ("その他", "Other"))


def _form(name: str) -> CaseForm:
    form = FORMS.get(name)
    if form is None:
        raise NotFound("このページはありません。", "There is no such page.")
    return form


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


def _defaults(form: CaseForm, today: date, actor: Actor, policy: Policy) -> dict[str, Any]:
    if form.name == "consent":  # the recording agency is the one the person most often tells first
        return {"valid_until": consent_valid_until(today, policy).isoformat(), "given_by": ConsentGiver.SELF.value,
                "method": ConsentMethod.WRITTEN.value, "heard_by": actor.staff_id, "agencies": [actor.agency_id],
                "categories": [InformationCategory.BASIC.value, InformationCategory.CONSULTATION.value]}
    if form.name == "meeting":
        until = today + timedelta(days=min(SUPPORT_MEETING_DAYS, policy.support_meeting_max_days))
        return {"held_on": today.isoformat(), "kind": MeetingKind.SUPPORT.value, "until": until.isoformat(),
                "next_on": until.isoformat(), "participants.0.staff": actor.staff_id}
    if form.name in ("plan", "plan-revision", "plan-review"):
        return {"next_review_on": (today + timedelta(days=90)).isoformat()}
    if form.name == "consultation":
        return {"category": InformationCategory.CONSULTATION.value, "channel": "来所"}
    if form.name in ("outreach", "participation"):
        return {"planned_on": today.isoformat(), "starts_on": today.isoformat()}
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


def _show(request: Request, form: CaseForm, case_id: UUID, actor: Actor, services: ServicesDep, *,
          values: dict[str, Any] | None = None, errors: dict[str, str] | None = None, message: str = "",
          conflict: bool = False, status_code: int = 200) -> HTMLResponse:
    tsunagu = services.tsunagu
    view, timeline, known = tsunagu.read_case_page(actor, case_id, channel="web")
    today = local_date(tsunagu.clock())
    policy = tsunagu.policy
    en = lang_of(request) == "en"
    # A form shown again after a refusal shows what was sent: an unticked box stays unticked.
    shown = dict(values) if values is not None else _defaults(form, today, actor, policy)
    for key in (*form.ids, "seq"):
        shown.setdefault(key, request.query_params.get(key))
    if values is None:  # a link may choose what the form is about (ids and ages only, never free text)
        for key in PRESET:
            if key in form.schema.model_fields and request.query_params.get(key):
                shown[key] = request.query_params[key][:100]
    waiting = []
    if "referral_id" in form.ids:  # from the inbox's read model: answerable even when its record is withheld
        waiting = [r["referral_id"] for r in services.read_models.workload.view.workload(
            actor.agency_id, today).referrals_in]
    case_row = services.read_models.case_state.view.case(str(case_id)) or {}
    return render(
        request, form.template, nav="cases", members=view.members, form=form, view=view, known=known,
        timeline=timeline, case_id=str(case_id), values=shown, errors=labelled_errors(errors or {}, form, en),
        message=message, conflict=conflict, status_code=status_code, rows=ROWS, external_rows=EXTERNAL_ROWS,
        channels=CHANNELS, fields=list(Field), categories=list(InformationCategory), methods=list(ConsentMethod),
        givers=list(ConsentGiver), meeting_kinds=list(MeetingKind), decision_kinds=list(DecisionKind),
        outcomes=list(VisitOutcome), resource_kinds=list(ResourceKind), external_roles=list(ExternalRole),
        issue_tags=list(tsunagu.registry.practice.issue_tags), plan_kinds=list(PlanKind),
        closure_reasons=list(ClosureReason), plan_choices=_plan_choices(known, en),
        statutory_kinds=[MEETING_KINDS[kind] for kind in kinds_held(tsunagu.registry)],
        unconsented_kinds=UNCONSENTED_KINDS,
        meeting_bodies=[(b.id, b.name_en if en else b.name_ja) for b in tsunagu.registry.meeting_bodies],
        transition_ages=policy.transition_ages, ReferralStatus=ReferralStatus,
        member_choices=member_choices(view.members, today, en), policy=policy,
        consent_latest=today + timedelta(days=policy.consent_max_days),
        agencies_by_field=_agencies_by_field(tsunagu.registry), today=today, waiting_referrals=waiting,
        involved_agencies=sorted(case_row.get("agencies", {})), schema_fields=set(form.schema.model_fields),
        fields_of=lambda entry: entry_fields(entry.content, Names(tsunagu.registry, en, view.members), today=today))


def _plan_choices(known: Any, en: bool) -> list[tuple[str, str]]:
    """The plans the reader may see, newest first, by kind and the day adopted (their ids mean nothing to staff)."""
    plans = sorted(known.plans.values(), key=lambda plan: plan["seq"], reverse=True)
    return [(plan["plan_id"], f"{enum_label(PlanKind, plan['kind'], en)}（{format_date(plan['adopted_on'], en)}）")
            for plan in plans]


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
    shown.pop("form_key", None)
    idempotency = form_idempotency(request, actor, values)
    version = values.pop("version", None)
    ids = {key: values.pop(key, None) or "" for key in form.ids}
    lang = lang_of(request)
    try:
        body = parse(form.schema, form.prepare(_occurred_at(values), services.tsunagu.registry))
        services.tsunagu.execute(actor, body.to_command(case_id, **ids),  # type: ignore[attr-defined]
                                 expected_version=int(version) if version and version.isdigit() else None,
                                 idempotency=idempotency)
    except ValidationError as error:
        return _show(request, form, case_id, actor, services, values=shown, status_code=422,
                     errors=field_errors(error, lang))
    except VersionConflict:
        message = ("Someone else updated this case first. What you typed is kept below: check the case, then "
                   "press Record again to record it on the latest version." if lang == "en" else
                   "他の人が先にこのケースを更新しました。入力した内容は下に残っています。最新の内容を確認してから、"
                   "もう一度「記録する」を押すと、この内容で記録します。")
        return _show(request, form, case_id, actor, services, values=shown, message=message, conflict=True,
                     status_code=status.HTTP_409_CONFLICT)
    except DomainError as error:
        if isinstance(error, NotFound) and error.message_en == CASE_NOT_FOUND_EN:
            raise  # the same page for a missing case and one the reader may not see
        message = humanise(refusal_message(error, lang), services.tsunagu.registry, lang == "en")
        code = status.HTTP_422_UNPROCESSABLE_CONTENT if isinstance(error, NotFound) else status_for(error)
        return _show(request, form, case_id, actor, services, values=shown, message=message, status_code=code)
    return see_other(f"{PREFIX}/cases/{case_id}?done={form.name}")


def _check_may_use(form: CaseForm, actor: Actor) -> None:
    """Say so before the form is filled in; the domain refuses these commands anyway."""
    if actor.is_auditor:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail={
            "message": "監査担当はケースに記録できません。", "message_en": "Auditors do not record on cases."})
    if form.coordinator_only and not actor.has_role(Role.COORDINATOR):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail={
            "message": "支援プランの決定・見直し・評価は、相談支援包括化推進員（コーディネーター）が行います。",
            "message_en": "Only a coordinator adopts, revises or evaluates a support plan."})
