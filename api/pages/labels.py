"""How the pages say things: Japanese first (English on request), the domain's vocabularies by their
labels, dates as 2026年4月1日 and fiscal years as 令和 years. The template helpers are functions here;
``rendering`` hands them to the templates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from domain.calendar import JST, fiscal_year_bounds, reiwa
from domain.vocabulary import (
    Basis,
    CaseStatus,
    ConsentGiver,
    ConsentMethod,
    DecisionKind,
    Field,
    InformationCategory,
    IssueTag,
    LabelledEnum,
    LegalGround,
    MeetingKind,
    ReferralStatus,
    ResourceKind,
    VisitOutcome,
)

WEEKDAYS_JA = "月火水木金土日"

BASIS_SHORT = {Basis.OWN_RECORD: ("自機関の記録", "Own record"), Basis.CONSENT: ("本人同意", "Consent"),
               Basis.SUPPORT_MEETING: ("支援会議", "Support meeting"), Basis.EMERGENCY: ("緊急時", "Emergency"),
               Basis.AUDIT: ("監査", "Audit")}

VOCABULARIES: dict[str, type[LabelledEnum]] = {
    "method": ConsentMethod, "category": InformationCategory, "meeting_kind": MeetingKind, "issue": IssueTag,
    "referral_status": ReferralStatus, "field": Field, "outcome": VisitOutcome, "decision": DecisionKind,
    "resource_kind": ResourceKind, "case_status": CaseStatus, "giver": ConsentGiver, "legal_ground": LegalGround}


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


@pass_context
def vocab(context: Context, vocabulary: str, value: Any) -> str:
    """The label of a stored value of one of the domain's vocabularies (the value itself if unknown)."""
    return enum_label(VOCABULARIES[vocabulary], value, is_en(context))


@pass_context
def options(context: Context, members: Iterable[LabelledEnum]) -> list[tuple[str, str]]:
    """(value, label) pairs for a select or a group of choices."""
    return [(member.value, member.label_en if is_en(context) else member.label_ja) for member in members]


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
