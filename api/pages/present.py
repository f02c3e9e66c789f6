"""How the pages say things: Japanese first (English on request), dates as 2026年4月1日, 令和 years,
agency colours, and each kind of timeline entry's fields with their labels."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from domain.calendar import JST, fiscal_year_bounds, reiwa
from domain.case import Case, CaseEvent
from domain.registry import Agency, Registry
from domain.vocabulary import (
    Basis,
    CaseStatus,
    ConsentMethod,
    DecisionKind,
    Field,
    InformationCategory,
    IssueTag,
    LabelledEnum,
    MeetingKind,
    ReferralStatus,
    ResourceKind,
    Role,
    VisitOutcome,
)

WEEKDAYS_JA = "月火水木金土日"

BASIS_SHORT = {Basis.OWN_RECORD: ("自機関の記録", "Own record"), Basis.CONSENT: ("本人同意", "Consent"),
               Basis.SUPPORT_MEETING: ("支援会議", "Support meeting"), Basis.EMERGENCY: ("緊急時", "Emergency"),
               Basis.AUDIT: ("監査", "Audit")}

# The part of the case each kind of entry belongs to (its module), for the timeline's filters.
GROUPS: dict[str, tuple[str, str]] = {
    "intake": ("相談・受付", "Intake"), "referral": ("つなぎ", "Referrals"), "consent": ("本人同意", "Consent"),
    "meetings": ("会議", "Meetings"), "plan": ("支援プラン", "Support plan"),
    "outreach": ("訪問・参加支援", "Outreach"), "transitions": ("制度切替・終結", "Transitions and closure"),
    "emergency": ("緊急時アクセス", "Emergency access"),
}


def _group_of(event_class: type[CaseEvent]) -> str:
    for base in event_class.__mro__:
        module = base.__module__.rsplit(".", 1)[-1]
        if module in GROUPS:
            return module
    return "intake"  # Case.Opened, defined on the aggregate itself


KIND_GROUP: dict[str, str] = {
    cls.__name__: _group_of(cls) for cls in vars(Case).values() if isinstance(cls, type) and issubclass(cls, CaseEvent)}


# ----- words ----------------------------------------------------------------------------------


def is_en(context: Context | dict[str, Any]) -> bool:
    return context.get("lang") == "en"


@pass_context
def tr(context: Context, ja: str, en: str) -> str:
    return en if is_en(context) else ja


@pass_context
def label(context: Context, member: LabelledEnum | None) -> str:
    if member is None:
        return ""
    return member.label_en if is_en(context) else member.label_ja


def enum_label(enum: type[LabelledEnum], value: Any, en: bool) -> str:
    try:
        member = enum(value)
    except ValueError:
        return str(value)
    return member.label_en if en else member.label_ja


# ----- dates ----------------------------------------------------------------------------------


def _as_date_or_time(value: Any) -> date | datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, (date, datetime)):
        return value
    text = str(value)
    try:
        return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    except ValueError:
        return None


def format_date(value: Any, en: bool = False) -> str:
    """2026年4月1日 (in Japan's calendar day for instants)."""
    day = _as_date_or_time(value)
    if day is None:
        return "" if value in (None, "") else str(value)
    if isinstance(day, datetime):
        day = day.astimezone(JST).date()
    return f"{day.day} {day:%b} {day.year}" if en else f"{day.year}年{day.month}月{day.day}日"


def format_datetime(value: Any, en: bool = False) -> str:
    """2026年4月1日（水）10:30, in Japan time."""
    moment = _as_date_or_time(value)
    if not isinstance(moment, datetime):
        return format_date(value, en)
    local = moment.astimezone(JST)
    if en:
        return f"{local:%a} {local.day} {local:%b} {local.year}, {local:%H:%M}"
    return f"{local.year}年{local.month}月{local.day}日（{WEEKDAYS_JA[local.weekday()]}）{local:%H:%M}"


def format_wareki(value: Any) -> str:
    """令和8年4月1日: the era year, as documents and notices expect."""
    day = _as_date_or_time(value)
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(JST).date()
    return f"{reiwa(day.year)}年{day.month}月{day.day}日"


def fiscal_year_label(year: int, en: bool = False) -> str:
    start, end = fiscal_year_bounds(year)
    if en:
        return f"FY{year} (Reiwa {year - 2018}: {format_date(start, True)} – {format_date(end, True)})"
    return f"{reiwa(year)}年度（{year}年度：{format_date(start)}〜{format_date(end)}）"


def fiscal_year_short(year: int, en: bool = False) -> str:
    return f"FY{year}" if en else f"{reiwa(year)}年度（{year}年度）"


def in_reader_language(function: Callable[[Any, bool], str]) -> Callable[..., str]:
    """A template filter that formats a value in the page's language."""

    @pass_context
    def localised(context: Context, value: Any) -> str:
        return function(value, is_en(context))

    return localised


# ----- agencies and staff ---------------------------------------------------------------------

FIELD_PALETTE = ("general", "elderly", "disability", "children", "poverty", "hikikomori", "health", "community")


def agency_colours(registry: Registry) -> dict[str, str]:
    """A colour class per agency: the hue of its field, a shade per agency within the field.

    Ward-wide offices of the general field (the coordination office, the audit office) share
    the 'hub' colour, so the coordinator's records stand out from the district desks.
    """
    classes: dict[str, str] = {}
    shades: dict[str, int] = {}
    for agency in registry.agencies:
        field = "hub" if agency.field == Field.GENERAL and agency.district is None else str(agency.field)
        shade = shades.get(field, 0)
        shades[field] = shade + 1
        classes[agency.id] = f"ag-{field}-{shade % 3}"
    return classes


def working_agencies(registry: Registry) -> list[Agency]:
    """The agencies that take part in cases: all but those whose staff only audit."""
    auditing = {s.agency for s in registry.staff if set(s.roles) == {Role.AUDITOR}}
    working = {s.agency for s in registry.staff if set(s.roles) != {Role.AUDITOR}}
    return [a for a in registry.agencies if a.id in working or a.id not in auditing]


class Names:
    """Agency, staff, district and member names for one page (members only as far as they are visible)."""

    def __init__(self, registry: Registry, en: bool, members: Iterable[dict[str, Any]] = ()) -> None:
        self.registry = registry
        self.en = en
        self.members = {m["member_id"]: m for m in members}

    def agency(self, agency_id: str | None) -> str:
        if not agency_id:
            return ""
        if not self.registry.has_agency(agency_id):
            return agency_id
        agency = self.registry.agency(agency_id)
        return agency.name_en if self.en else agency.name_ja

    def staff(self, staff_id: str | None) -> str:
        for member in self.registry.staff:
            if member.id == staff_id:
                return member.name
        return staff_id or ""

    def district(self, district_id: str | None) -> str:
        for district in self.registry.districts:
            if district.id == district_id:
                return district.name_en if self.en else district.name_ja
        return district_id or ""

    def member(self, member_id: str | None) -> str:
        if not member_id:
            return ""
        member = self.members.get(member_id)
        if member is None:
            return "(a member not shown to you)" if self.en else "（表示されない世帯員）"
        return f"{member['name']}（{member['relationship']}）"


# ----- timeline entries -----------------------------------------------------------------------

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "household_name": ("世帯", "Household"), "household_name_kana": ("ふりがな", "Kana"),
    "district": ("地区", "District"), "summary": ("内容", "Summary"), "name": ("氏名", "Name"),
    "name_kana": ("ふりがな", "Kana"), "birth_date": ("生年月日", "Date of birth"),
    "relationship": ("続柄", "Relationship"), "is_principal": ("本人", "Principal person"),
    "corrections": ("訂正内容", "Corrections"), "reason": ("理由", "Reason"), "field": ("分野", "Field"),
    "category": ("情報の種類", "Information category"), "channel": ("相談方法", "Channel"),
    "tag": ("課題", "Issue"), "note": ("メモ", "Note"), "corrects_seq": ("訂正する記録", "Corrects entry"),
    "correction": ("訂正", "Correction"), "given_by_member": ("同意した人", "Given by"),
    "agencies": ("共有先の機関", "Agencies"), "categories": ("情報の種類", "Information categories"),
    "purpose": ("目的", "Purpose"), "method": ("取得方法", "Obtained"), "obtained_by": ("取得者", "Obtained by"),
    "valid_until": ("有効期限", "Valid until"), "meeting_kind": ("会議の種類", "Kind of meeting"),
    "held_on": ("開催日", "Held on"), "participants": ("参加者", "Participants"),
    "decisions": ("決定事項", "Decisions"), "decision": ("決定事項", "Decision"),
    "from_agency": ("依頼元", "From"), "to_agency": ("つなぎ先", "To"),
    "authorised_by": ("情報提供の根拠", "Shared under"), "alternative_agency": ("代わりのつなぎ先", "Alternative"),
    "escalate": ("多機関協働へ引継ぎ", "Escalated"), "outcome": ("結果", "Outcome"), "goals": ("目標", "Goals"),
    "roles": ("役割分担", "Roles"), "next_review_on": ("次回モニタリング", "Next review"),
    "findings": ("モニタリング結果", "Findings"), "evaluation": ("評価", "Evaluation"),
    "goals_met": ("目標の達成", "Goals met"), "agency": ("機関", "Agency"), "role": ("役割", "Role"),
    "member_id": ("対象の世帯員", "Member"), "approach": ("アプローチ", "Approach"),
    "planned_on": ("予定日", "Planned on"), "notes": ("記録", "Notes"), "resource_name": ("参加先", "Resource"),
    "resource_kind": ("種類", "Kind"), "starts_on": ("開始日", "Starts on"), "continuing": ("継続", "Continuing"),
    "at_age": ("切替年齢", "At age"), "due_on": ("切替予定日", "Due on"), "expires_at": ("有効期限", "Expires"),
    "justified": ("妥当性", "Justified"), "finding": ("検証結果", "Finding"),
}
HIDDEN_FIELDS = frozenset({"consultation_id", "consent_id", "meeting_id", "referral_id", "plan_id", "outreach_id",
                           "match_id", "handover_id", "grant_id"})
AGENCY_FIELDS = frozenset({"from_agency", "to_agency", "alternative_agency", "agency", "target_agency"})
ENUM_FIELDS: dict[str, type[LabelledEnum]] = {
    "field": Field, "category": InformationCategory, "method": ConsentMethod, "meeting_kind": MeetingKind,
    "resource_kind": ResourceKind, "tag": IssueTag}
LONG_TEXT = frozenset({"summary", "reason", "note", "notes", "correction", "purpose", "approach", "findings",
                       "evaluation", "finding", "outcome"})


def _yes_no(value: Any, en: bool) -> str:
    return ("Yes" if value else "No") if en else ("はい" if value else "いいえ")


def _decision(decision: dict[str, Any], names: Names) -> str:
    text = f"{enum_label(DecisionKind, decision.get('kind'), names.en)}：{decision.get('text', '')}"
    if decision.get("target_agency"):
        text += f"（→ {names.agency(decision['target_agency'])}）"
    return text


def _participant(participant: dict[str, Any], names: Names) -> str:
    pledged = ("pledged confidentiality" if names.en else "守秘義務を誓約") if participant.get("pledged") else ""
    person = names.staff(participant.get("staff"))
    return f"{names.agency(participant.get('agency'))} — {person}" + (f"（{pledged}）" if pledged else "")


def _value(key: str, value: Any, names: Names) -> str | list[str]:  # noqa: C901 - one branch per kind of field
    en = names.en
    if key in AGENCY_FIELDS:
        return names.agency(value)
    if key == "agencies":
        return [names.agency(a) for a in value]
    if key == "categories":
        return [enum_label(InformationCategory, c, en) for c in value]
    if key in ENUM_FIELDS:
        return enum_label(ENUM_FIELDS[key], value, en)
    if key == "outcome" and value in {v.value for v in VisitOutcome}:
        return enum_label(VisitOutcome, value, en)
    if key in ("member_id", "given_by_member"):
        return names.member(value)
    if key == "obtained_by":
        return names.staff(value)
    if key == "district":
        return names.district(value)
    if key == "participants":
        return [_participant(p, names) for p in value]
    if key == "decisions":
        return [_decision(d, names) for d in value]
    if key == "decision":
        return _decision(value, names)
    if key == "roles":
        return [f"{names.agency(r.get('agency'))}：{r.get('role', '')}" for r in value]
    if key == "goals":
        return [str(g) for g in value]
    if key == "corrections":
        return [f"{FIELD_LABELS.get(k, (k, k))[1 if en else 0]}: {v}" for k, v in value.items()]
    if key == "authorised_by":
        source = str(value).split(":", 1)[0]
        return {"consent": ("本人同意", "Consent"), "support_meeting": ("支援会議の決定", "Support meeting decision")
                }.get(source, (str(value), str(value)))[1 if en else 0]
    if key == "corrects_seq":
        return f"#{value}"
    if isinstance(value, bool):
        return _yes_no(value, en)
    if isinstance(value, datetime):
        return format_datetime(value, en)
    if isinstance(value, date):
        return format_date(value, en)
    if value is None:
        return "—"
    return str(value)


def entry_fields(content: dict[str, Any], names: Names) -> list[dict[str, Any]]:
    """The visible entry's fields as label, value (text or list) and whether it is long text."""
    fields = []
    hidden = HIDDEN_FIELDS | ({"member_id"} if "name" in content else set())  # a new member names itself
    for key, value in content.items():
        if key in hidden or (value in (None, "", [], {}) and key not in ("escalate",)):
            continue
        if key == "escalate" and not value:
            continue
        ja, en = FIELD_LABELS.get(key, (key, key))
        fields.append({"key": key, "label": en if names.en else ja, "value": _value(key, value, names),
                       "long": key in LONG_TEXT})
    return fields


def referral_status_label(status: str, en: bool) -> str:
    return enum_label(ReferralStatus, status, en)


VOCABULARIES: dict[str, type[LabelledEnum]] = {
    "method": ConsentMethod, "category": InformationCategory, "meeting_kind": MeetingKind, "issue": IssueTag,
    "referral_status": ReferralStatus, "field": Field, "outcome": VisitOutcome, "decision": DecisionKind,
    "resource_kind": ResourceKind, "case_status": CaseStatus}


@pass_context
def vocab(context: Context, vocabulary: str, value: Any) -> str:
    """The label of a stored value of one of the domain's vocabularies (the value itself if unknown)."""
    return enum_label(VOCABULARIES[vocabulary], value, is_en(context))


@pass_context
def options(context: Context, members: Iterable[LabelledEnum]) -> list[tuple[str, str]]:
    """(value, label) pairs for a select or a group of choices."""
    return [(member.value, member.label_en if is_en(context) else member.label_ja) for member in members]


def install(env: Environment) -> None:
    """Filters and globals the templates use."""
    env.globals.update(tr=tr, label=label, vocab=vocab, options=options, BASIS_SHORT=BASIS_SHORT, GROUPS=GROUPS,
                       Basis=Basis)
    env.filters.update(date=in_reader_language(format_date), datetime=in_reader_language(format_datetime),
                       fiscal_year=in_reader_language(fiscal_year_label),
                       fiscal_year_short=in_reader_language(fiscal_year_short), wareki=format_wareki)
