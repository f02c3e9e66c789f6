"""The mapping file (YAML): which ledger column fills which command field, the fixed values a ledger does not
hold (whom a consent covers, who sits in a meeting), and the value maps from the ledger's words to the domain's
(分野 '高齢' → ``elderly``; an agency's name → its registry id).

Checked twice: its shape by pydantic when it is loaded (:func:`load_mapping`), then against the ward's registry
and the ledger's header before any row is read (:func:`mapping_problems`). Every problem is named by its place
in the file, so a ward can fix its mapping without reading code.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from domain.errors import NotFound
from domain.registry import Registry
from domain.vocabulary import ClosureReason, ConsentMethod, InformationCategory, MeetingKind
from domain.vocabulary import Field as WelfareField

Column = str
"""A column's name exactly as the ledger's header writes it."""


class MappingError(ValueError):
    """A mapping that cannot be used, with one line per problem."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    COLUMNS: ClassVar[tuple[str, ...]] = ()
    """The fields that name a ledger column (the others are fixed values)."""


class CaseColumns(_Strict):
    """OpenCase; its 受付日 also dates the member and the first consultation."""

    COLUMNS = ("number", "received_on", "household_name", "household_name_kana", "district", "summary")

    number: Column
    """台帳番号: the row's identity in the ledger (with ``ledger``, what makes a re-run import nothing twice)."""
    received_on: Column
    household_name: Column
    household_name_kana: Column | None = None
    district: Column | None = None
    summary: Column | None = None


class MemberColumns(_Strict):
    """AddMember: the 相談者 as the case's principal person."""

    COLUMNS = ("name", "name_kana", "birth_date", "relationship")

    name: Column
    name_kana: Column | None = None
    birth_date: Column
    relationship: Column | None = None
    default_relationship: str = "本人"


class ConsultationColumns(_Strict):
    """RecordConsultation, dated by 受付日."""

    COLUMNS = ("field", "channel", "summary")

    field: Column
    channel: Column | None = None
    summary: Column | None = None
    category: InformationCategory = InformationCategory.CONSULTATION


class ConsentSection(_Strict):
    """GrantConsent by the principal, when the row's consent date is filled in."""

    COLUMNS = ("occurred_at", "method", "document_ref", "heard_by")

    occurred_at: Column
    method: Column | None = None
    document_ref: Column | None = None
    heard_by: Column | None = None
    default_method: ConsentMethod = ConsentMethod.WRITTEN
    agencies: tuple[str, ...] = ()
    """Agencies the consent covers besides the row's つなぎ先 (e.g. the office keeping the ledger)."""
    categories: tuple[InformationCategory, ...]
    purpose: str
    valid_days: int = 365


class ReferralSection(_Strict):
    """RequestReferral, when the row's つなぎ先 is filled in."""

    COLUMNS = ("to_agency", "occurred_at", "reason")

    to_agency: Column
    occurred_at: Column | None = None
    """つなぎ日 (blank: 受付日)."""
    reason: Column | None = None
    default_reason: str = "台帳からの移行"
    categories: tuple[InformationCategory, ...]


class Participant(_Strict):
    agency: str
    staff: str


class MeetingSection(_Strict):
    """HoldMultiLayeredMeeting or HoldSupportMeeting, when the row's 会議 is filled in."""

    COLUMNS = ("kind", "held_on")

    kind: Column
    held_on: Column
    purpose: str
    participants: tuple[Participant, ...]
    tabled_categories: tuple[InformationCategory, ...] = (InformationCategory.BASIC,
                                                          InformationCategory.CONSULTATION)
    """支援会議 only: the categories it discusses (the principal is the member tabled)."""
    sharing_days: int = 30
    """支援会議 only: how long its sharing lasts after the sitting (at most the ward's maximum)."""


class ClosureSection(_Strict):
    """CloseCase, when the row's 終結日 is filled in."""

    COLUMNS = ("occurred_at", "reason", "evaluation")

    occurred_at: Column
    reason: Column | None = None
    evaluation: Column | None = None
    default_evaluation: str = "台帳の記載による終結（移行時に取り込み）"


class ValueMaps(_Strict):
    """From the ledger's words to the domain's values."""

    field: dict[str, WelfareField]
    agency: dict[str, str] = {}
    """Agency names as the ledger writes them → registry ids (a cell holding a registry id is taken as is)."""
    district: dict[str, str] = {}
    meeting: dict[str, MeetingKind] = {}
    closure_reason: dict[str, ClosureReason] = {}
    consent_method: dict[str, ConsentMethod] = {"書面": ConsentMethod.WRITTEN, "口頭": ConsentMethod.ORAL}
    channel: dict[str, str] = {}
    """Optional: the ledger's 相談経路 → the words recorded (unmapped words are kept as written)."""

    @field_validator("meeting")
    @classmethod
    def _two_meetings(cls, kinds: dict[str, MeetingKind]) -> dict[str, MeetingKind]:
        others = sorted({k.value for k in kinds.values()} - {MeetingKind.MULTI_LAYERED, MeetingKind.SUPPORT})
        if others:
            raise ValueError(f"only multi_layered and support meetings are imported, not {', '.join(others)}")
        return kinds


class Mapping(_Strict):
    version: Literal[1]
    ledger: str
    """Names the ledger (e.g. ``minato-coordination``): with 台帳番号, the identity of each imported row."""
    import_as: str | None = None
    """The staff member the rows are recorded as (``--as`` wins): the ledger keeper's agency leads the cases."""
    sheet: str | None = None
    header_row: int = 1
    case: CaseColumns
    member: MemberColumns
    consultation: ConsultationColumns
    consent: ConsentSection | None = None
    referral: ReferralSection | None = None
    meeting: MeetingSection | None = None
    closure: ClosureSection | None = None
    values: ValueMaps

    @field_validator("ledger")
    @classmethod
    def _ledger_name(cls, name: str) -> str:
        if not name.strip() or len(name) > 100:
            raise ValueError("name the ledger (1 to 100 characters)")
        return name.strip()

    def columns(self) -> list[tuple[str, Column]]:
        """Every column the mapping reads, with where it is named (``consent.occurred_at``)."""
        named = []
        for section in ("case", "member", "consultation", "consent", "referral", "meeting", "closure"):
            model = getattr(self, section)
            if model is None:
                continue
            named += [(f"{section}.{name}", getattr(model, name)) for name in model.COLUMNS
                      if getattr(model, name) is not None]
        return named


def load_mapping(path: Path) -> Mapping:
    """The mapping in ``path``, or :class:`MappingError` naming each problem by its place in the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise MappingError([f"対応表を読めません / cannot read the mapping: {type(error).__name__}"]) from error
    try:
        return Mapping.model_validate(data)
    except ValidationError as error:
        raise MappingError(f"{'.'.join(str(p) for p in problem['loc']) or '(file)'}: {problem['msg']}"
                           for problem in error.errors()) from error


def mapping_problems(mapping: Mapping, registry: Registry, header: Iterable[str]) -> list[str]:
    """What in the mapping does not fit the ward or the ledger (none: it may be used)."""
    problems = [f"{place}: 列「{column}」が台帳の見出しにありません / column not in the ledger's header"
                for place, column in mapping.columns() if column not in set(header)]
    agencies = {a.id for a in registry.agencies}
    staff = {s.id: s for s in registry.staff}
    fixed_agencies = [(f"values.agency.{name}", agency) for name, agency in mapping.values.agency.items()]
    if mapping.consent is not None:
        fixed_agencies += [("consent.agencies", agency) for agency in mapping.consent.agencies]
    problems += [f"{place}: 機関「{agency}」は登録されていません / unknown agency id"
                 for place, agency in fixed_agencies if agency not in agencies]
    districts = {d.id for d in registry.districts}
    problems += [f"values.district.{name}: 地区「{district}」は登録されていません / unknown district id"
                 for name, district in mapping.values.district.items() if district not in districts]
    if mapping.meeting is not None:
        problems += [f"meeting.participants: {p.staff} は {p.agency} の職員として登録されていません / "
                     "not registered staff of that agency"
                     for p in mapping.meeting.participants if not registry.works_for(p.staff, p.agency)]
    if mapping.import_as is not None and mapping.import_as not in staff:
        problems.append("import_as: 職員として登録されていません / not registered staff")
    return problems


def staff_actor_problem(registry: Registry, staff_id: str) -> str | None:
    try:
        registry.staff_member(staff_id)
    except NotFound:
        return "--as: 職員として登録されていません / not registered staff"
    return None
