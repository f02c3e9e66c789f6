"""How the pages say things: Japanese first (English on request), the domain's vocabularies by their
labels, dates as 2026年4月1日 and fiscal years as 令和 years. The template helpers are functions here;
``rendering`` hands them to the templates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from domain.calendar import (
    JST,
    age_on,
    era_of,
    era_year_text,
    fiscal_year_bounds,
    fiscal_year_era,
    fiscal_year_wareki,
    wareki,
)
from domain.vocabulary import (
    Basis,
    CaseStatus,
    ConsentGiver,
    ConsentMethod,
    DecisionKind,
    ExternalRole,
    Field,
    InformationCategory,
    IssueTag,
    LabelledEnum,
    LegalGround,
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

VOCABULARIES: dict[str, type[LabelledEnum]] = {
    "method": ConsentMethod, "category": InformationCategory, "meeting_kind": MeetingKind, "issue": IssueTag,
    "referral_status": ReferralStatus, "field": Field, "outcome": VisitOutcome, "decision": DecisionKind,
    "resource_kind": ResourceKind, "case_status": CaseStatus, "giver": ConsentGiver, "legal_ground": LegalGround,
    "external_role": ExternalRole}


# ----- words ----------------------------------------------------------------------------------


def is_en(context: Context | dict[str, Any]) -> bool:
    return context.get("lang") == "en"


@pass_context
def tr(context: Context, ja: str, en: str) -> str:
    return en if is_en(context) else ja


def in_ward_words(context: Context | dict[str, Any], member: LabelledEnum) -> str:
    """A vocabulary member's label in the page's language; in Japanese as the ward says it: its own title for a
    role (Toshima's coordinator is a 福祉包括化推進員) and its spelling (Ota writes 障がい)."""
    if is_en(context):
        return member.label_en
    registry = context.get("registry")
    if registry is None:
        return member.label_ja
    if isinstance(member, Role):
        return str(registry.role_title(member))
    return str(registry.spell(member.label_ja))


@pass_context
def label(context: Context, member: LabelledEnum | None) -> str:
    if member is None:
        return ""
    return in_ward_words(context, member)


def enum_label(enum: type[LabelledEnum], value: Any, en: bool) -> str:
    try:
        member = enum(value)
    except ValueError:
        return str(value)
    return member.label_en if en else member.label_ja


@pass_context
def vocab(context: Context, vocabulary: str, value: Any) -> str:
    """The label of a stored value of one of the domain's vocabularies (the value itself if unknown)."""
    try:
        member = VOCABULARIES[vocabulary](value)
    except ValueError:
        return str(value)
    return in_ward_words(context, member)


@pass_context
def options(context: Context, members: Iterable[LabelledEnum]) -> list[tuple[str, str]]:
    """(value, label) pairs for a select or a group of choices."""
    return [(member.value, in_ward_words(context, member)) for member in members]


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


def era_year(day: date) -> str:
    """The era and year of a day: 昭和49年, 平成元年, 令和8年 (a 西暦 year before the eras shown)."""
    try:
        era, year = era_of(day)
    except ValueError:
        return f"{day.year}年"
    return f"{era_year_text(era, year)}年"


def format_wareki(value: Any) -> str:
    """令和8年4月1日, 平成元年1月8日, 昭和64年1月7日: the era year, as documents and notices expect (birth dates
    included, whatever the era)."""
    day = _as_date_or_time(value)
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(JST).date()
    try:
        return wareki(day)
    except ValueError:  # before the eras shown: the Gregorian date
        return format_date(day)


def birth_with_age(birth: date | None, today: date) -> tuple[str, str]:
    """A birth date in 和暦 with the age today: (「昭和49年5月10日生（51歳）」, "10 May 1974 (51)")."""
    if birth is None:
        return "", ""
    age = age_on(birth, today)
    return f"{format_wareki(birth)}生（{age}歳）", f"{format_date(birth, True)} ({age})"


def fiscal_year_label(year: int, en: bool = False) -> str:
    start, end = fiscal_year_bounds(year)
    if en:
        era, era_year = fiscal_year_era(year)
        return f"FY{year} ({era.name_en} {era_year}: {format_date(start, True)} – {format_date(end, True)})"
    return f"{fiscal_year_wareki(year)}（{year}年度：{format_date(start)}〜{format_date(end)}）"


def fiscal_year_short(year: int, en: bool = False) -> str:
    return f"FY{year}" if en else f"{fiscal_year_wareki(year)}（{year}年度）"


def in_reader_language(function: Callable[[Any, bool], str]) -> Callable[..., str]:
    """A template filter that formats a value in the page's language."""

    @pass_context
    def localised(context: Context, value: Any) -> str:
        return function(value, is_en(context))

    return localised
