"""A case's timeline entries as a page shows them: the part of the case each kind belongs to (for the
timeline's filters), and each visible entry's fields with their labels and values in words."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from api.pages.labels import birth_with_age, enum_label, format_date, format_datetime, format_wareki
from api.pages.names import Names
from domain.case import Case, CaseEvent
from domain.vocabulary import (
    ClosureReason,
    ConsentGiver,
    ConsentMethod,
    DecisionKind,
    EvaluationOutcome,
    Field,
    InformationCategory,
    IssueTag,
    LabelledEnum,
    LegalGround,
    MeetingKind,
    PlanKind,
    ResourceKind,
    VisitOutcome,
)

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


# ----- fields ---------------------------------------------------------------------------------

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "household_name": ("世帯", "Household"), "household_name_kana": ("ふりがな", "Kana"),
    "district": ("地区", "District"), "summary": ("内容", "Summary"), "name": ("氏名", "Name"),
    "name_kana": ("ふりがな", "Kana"), "birth_date": ("生年月日", "Date of birth"),
    "relationship": ("続柄", "Relationship"), "is_principal": ("本人", "Principal person"),
    "corrections": ("訂正内容", "Corrections"), "reason": ("理由", "Reason"), "field": ("分野", "Field"),
    "category": ("情報の種類", "Information category"), "channel": ("相談方法", "Channel"),
    "tag": ("課題", "Issue"), "note": ("メモ", "Note"), "corrects_seq": ("訂正する記録", "Corrects entry"),
    "correction": ("訂正", "Correction"), "voids_seq": ("取り消す記録", "Voids entry"),
    "given_by_member": ("同意した人", "Given by"),
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
    "subjects": ("関わる世帯員", "Members concerned"), "given_by": ("同意した人", "Given by"),
    "representative": ("代わりに同意した人", "On the member's behalf"),
    "member_view": ("本人の意向", "Member's own view"),
    "document_ref": ("同意書", "Consent form"), "heard_by": ("聞き取った職員", "Heard by"),
    "tabled_subjects": ("諮った世帯員", "Members tabled"),
    "tabled_categories": ("諮った情報の種類", "Information tabled"),
    "until": ("共有期限", "Shared until"), "external_members": ("外部の構成員", "External members"),
    "legal_ground": ("法的根拠", "Legal ground"), "repeated": ("同じ機関による繰り返し", "Repeated for this agency"),
    "staff": ("担当者", "Staff in charge"), "plan_kind": ("プランの種類", "Kind of plan"),
    "wishes": ("本人の意向", "The person's wishes"), "reason_note": ("理由の詳細", "About the reason"),
    "start_time": ("開始時刻", "Start time"), "place": ("場所", "Place"), "next_on": ("次回開催予定日", "Next sitting"),
    "minutes": ("議事録", "Minutes"), "body_id": ("会議体", "Meeting body"),
}
HIDDEN_FIELDS = frozenset({"consultation_id", "consent_id", "meeting_id", "referral_id", "plan_id", "outreach_id",
                           "match_id", "handover_id", "grant_id", "sitting_id", "replan_of"})
AGENCY_FIELDS = frozenset({"from_agency", "to_agency", "alternative_agency", "agency", "target_agency"})
ENUM_FIELDS: dict[str, type[LabelledEnum]] = {
    "field": Field, "category": InformationCategory, "method": ConsentMethod, "meeting_kind": MeetingKind,
    "resource_kind": ResourceKind, "tag": IssueTag, "given_by": ConsentGiver, "legal_ground": LegalGround,
    "plan_kind": PlanKind}
LONG_TEXT = frozenset({"summary", "reason", "note", "notes", "correction", "purpose", "approach", "findings",
                       "evaluation", "finding", "outcome", "member_view", "wishes", "minutes", "reason_note"})
MEMBER_LISTS = frozenset({"subjects", "tabled_subjects"})
"""Lists of the members an entry concerns: empty means the whole household, which is worth saying."""


BOOLEAN_WORDS: dict[str, tuple[tuple[str, str], tuple[str, str] | None]] = {
    "is_principal": (("この世帯員が本人（支援の中心となる人）", "This member is the principal person"), None),
    "escalate": (("多機関協働（コーディネーター）へ引き継いだ", "Handed to multi-agency coordination"), None),
    "continuing": (("参加を続けている", "Still taking part"), ("参加をやめた", "No longer taking part")),
    "goals_met": (("目標を達成した", "Goals met"), ("目標は未達成", "Goals not met")),
    "justified": (("妥当だった", "Justified"), ("妥当でなかった", "Not justified")),
    "repeated": (("同じ機関による繰り返しの利用（要注意）", "Repeated for this agency (flagged)"), None),
}
"""Yes/no values said in words (「本人 はい」 says nothing); None: the field is left out when false."""


def entry_fields(content: dict[str, Any], names: Names, *, today: date | None = None) -> list[dict[str, Any]]:
    """The visible entry's fields as label, value (text or list) and whether it is long text."""
    fields = []
    hidden = HIDDEN_FIELDS | ({"member_id"} if "name" in content else set())  # a new member names itself
    for key, value in content.items():
        if key in hidden or (value in (None, "", [], {}) and key not in MEMBER_LISTS):
            continue
        if key in BOOLEAN_WORDS and isinstance(value, bool):
            yes, no = BOOLEAN_WORDS[key]
            if not value and no is None:
                continue
            words = yes if value else no
            assert words is not None
            fields.append({"key": key, "label": FIELD_LABELS.get(key, (key, key))[1 if names.en else 0],
                           "value": words[1 if names.en else 0], "long": False})
            continue
        ja, en = FIELD_LABELS.get(key, (key, key))
        shown = _value(key, value, names)
        if key == "reason" and "reason_note" in content and value in {r.value for r in ClosureReason}:
            shown = enum_label(ClosureReason, value, names.en)  # a closure's reason is a code, its note the text
        if key == "birth_date" and today is not None and isinstance(value, date):
            shown = birth_with_age(value, today)[1 if names.en else 0]
        fields.append({"key": key, "label": en if names.en else ja, "value": shown, "long": key in LONG_TEXT})
    return fields


def corrections_of(entries: list[Any], field: str = "corrects_seq") -> dict[int, list[int]]:
    """For each entry, the visible corrections made to it (their entry numbers); with ``field="voids_seq"``,
    the visible entries voiding it (取消)."""
    corrected: dict[int, list[int]] = {}
    for entry in entries:
        if not entry.withheld and field in entry.content:
            corrected.setdefault(int(entry.content[field]), []).append(entry.seq)
    return corrected


def _yes_no(value: Any, en: bool) -> str:
    return ("Yes" if value else "No") if en else ("はい" if value else "いいえ")


def _decision(decision: dict[str, Any], names: Names) -> str:
    text = f"{enum_label(DecisionKind, decision.get('kind'), names.en)}：{decision.get('text', '')}"
    if decision.get("target_agency"):
        text += f"（→ {names.agency(decision['target_agency'])}）"
    if decision.get("categories"):
        shared = "・".join(enum_label(InformationCategory, c, names.en) for c in decision["categories"])
        text += f"（{'may see: ' if names.en else '共有：'}{shared}）"
    return text


def _external_member(member: dict[str, Any], en: bool) -> str:
    pledged = ("pledged confidentiality" if en else "守秘義務を誓約") if member.get("pledged") else ""
    return f"{member.get('name', '')}（{member.get('organisation', '')}）" + (f" — {pledged}" if pledged else "")


def _participant(participant: dict[str, Any], names: Names) -> str:
    pledged = ("pledged confidentiality" if names.en else "守秘義務を誓約") if participant.get("pledged") else ""
    person = names.staff(participant.get("staff"))
    return f"{names.agency(participant.get('agency'))} — {person}" + (f"（{pledged}）" if pledged else "")


def _value(key: str, value: Any, names: Names) -> str | list[str]:
    en = names.en
    if key in AGENCY_FIELDS:
        return names.agency(value)
    if key == "agencies":
        return [names.agency(a) for a in value]
    if key in ("categories", "tabled_categories"):
        return [enum_label(InformationCategory, c, en) for c in value]
    if key in MEMBER_LISTS:
        return [names.member(m) for m in value] or ("The whole household" if en else "世帯全員")
    if key == "external_members":
        return [_external_member(m, en) for m in value]
    if key in ENUM_FIELDS:
        return enum_label(ENUM_FIELDS[key], value, en)
    if key == "outcome" and value in {v.value for v in VisitOutcome}:
        return enum_label(VisitOutcome, value, en)
    if key == "outcome" and value in {v.value for v in EvaluationOutcome}:
        return enum_label(EvaluationOutcome, value, en)
    if key == "body_id":
        body = next((b for b in names.registry.meeting_bodies if b.id == value), None)
        return (body.name_en if en else body.name_ja) if body else str(value)
    if key in ("member_id", "given_by_member"):
        return names.member(value)
    if key in ("obtained_by", "heard_by", "staff"):
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
        return [f"{FIELD_LABELS.get(k, (k, k))[1 if en else 0]}: "
                + (format_wareki(v) if k == "birth_date" and not en else str(v)) for k, v in value.items()]
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
