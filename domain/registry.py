"""A ward's configuration: its districts, agencies, staff, meeting bodies and practice, validated on load.

One file per ward (``infra/wards/<ward>.json``, documented in ``docs/wards.md``). The domain reads it
through :class:`Registry`; nothing in it is national law (that is :mod:`domain.meeting_kinds`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.actor import Actor
from domain.errors import NotFound
from domain.indicators import Count, IndicatorSet
from domain.vocabulary import Field as WelfareField
from domain.vocabulary import IssueTag, LegalGround, MeetingKind, Role

ProjectNumber = Annotated[int, Field(ge=1, le=6)]
"""An item of Social Welfare Act art. 106-4 para. 2 (第1号 包括的相談支援 … 第5号 多機関協働, 第6号 支援プラン)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _unique(what: str, items: Iterable[object]) -> None:
    seen: list[object] = []
    for item in items:
        if item in seen:
            raise ValueError(f"{what} must be unique ({item!r} is repeated)")
        seen.append(item)


class Ward(_Frozen):
    id: str
    name_ja: str
    name_en: str


class District(_Frozen):
    id: str
    name_ja: str
    name_en: str
    parent: str | None = None
    """The larger district this one lies in (Ota: a 特別出張所 area within one of the four 地域)."""


class Agency(_Frozen):
    id: str
    name_ja: str
    """As the ward writes it (Ota: 「障がい者総合サポートセンター」; spelling preferences never rewrite names)."""
    name_en: str
    field: WelfareField
    """The field it mainly works in (its colour on the pages)."""
    other_fields: tuple[WelfareField, ...] = ()
    """Further fields it works in (a 生活困窮 centre that also supports employment and housing …)."""
    district: str | None = None
    operator: Literal["ward", "private"] = "ward"
    """直営 (a ward division) or 委託 (a private operator): it decides a break-glass access's legal ground."""
    operating_body: str | None = None
    """運営主体: who runs it under contract (委託 only), as the ward writes it."""
    division: str | None = None
    """所管課: the ward division responsible for it."""
    projects: tuple[ProjectNumber, ...] = ()
    """The projects of art. 106-4 para. 2 it carries out (1 包括的相談支援 … 6 支援プラン)."""
    valid_from: date | None = None
    """First day it exists (a reorganisation: Ota's おおたこども家庭センター from 令和8年8月1日)."""
    valid_until: date | None = None
    """Last day it exists."""
    succeeded_by: str | None = None
    """The agency that takes over from it after ``valid_until``."""

    @model_validator(mode="after")
    def _check(self) -> Agency:
        _unique(f"agency {self.id}: projects", self.projects)
        _unique(f"agency {self.id}: fields", (self.field, *self.other_fields))
        if self.operating_body is not None and self.operator != "private":
            raise ValueError(f"agency {self.id}: an operating body (運営主体) belongs to a private operator (委託)")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError(f"agency {self.id}: valid_until is before valid_from")
        if self.succeeded_by is not None and self.valid_until is None:
            raise ValueError(f"agency {self.id}: only an agency with valid_until is succeeded")
        return self

    @property
    def legal_ground(self) -> LegalGround:
        return LegalGround.WARD_DIVISION if self.operator == "ward" else LegalGround.PRIVATE_OPERATOR

    @property
    def fields(self) -> tuple[WelfareField, ...]:
        return (self.field, *self.other_fields)

    def active_on(self, day: date) -> bool:
        """Whether the agency exists on ``day`` (between its validity dates, both included)."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_until is None
                                                                        or day <= self.valid_until)


class Staff(_Frozen):
    id: str
    name: str
    name_kana: str
    agency: str
    roles: tuple[Role, ...]

    def as_actor(self) -> Actor:
        return Actor(staff_id=self.id, agency_id=self.agency, roles=frozenset(self.roles))


class MeetingBody(_Frozen):
    """A standing meeting body (会議体) of the ward: its local name, the statutory kinds of meeting it holds
    (one or more: Ota's 重層的支援会議 is also its art. 106-6 支援会議), its office (事務局) and standing members.
    What each kind allows is national law (:mod:`domain.meeting_kinds`)."""

    id: str
    name_ja: str
    name_en: str
    kinds: tuple[MeetingKind, ...] = Field(min_length=1)
    office: str
    """The agency that runs it (事務局); its coordinators convene it."""
    members: tuple[str, ...] = ()
    """Agencies that sit in it as standing members (others are invited case by case)."""
    parent: str | None = None
    """The body it is part of (Toshima: the 福祉包括化推進部会 of the 福祉包括化推進会議)."""

    @model_validator(mode="after")
    def _check(self) -> MeetingBody:
        _unique(f"meeting body {self.id}: kinds", self.kinds)
        _unique(f"meeting body {self.id}: members", self.members)
        return self


class Practice(_Frozen):
    """How the ward works and words things, where wards differ."""

    role_titles: dict[Role, str] = {}
    """What the ward calls a role (Toshima's coordinator: 福祉包括化推進員); unnamed roles keep the national label."""
    issue_tags: tuple[IssueTag, ...] = tuple(IssueTag)
    """The household issues the ward records, in the order its forms offer them."""
    spelling: dict[str, str] = {}
    """Replacements applied, in order, to labels shown (Ota: 「障害」→「障がい」); never to names or records."""
    transition_ages: tuple[int, ...] = (18, 40, 65)
    """Ages at which the responsible agency changes (制度切替)."""
    consent_max_days: int = Field(default=366, ge=1, le=1098)
    """The longest a consent may be valid."""
    support_meeting_max_days: int = Field(default=92, ge=1, le=366)
    """The longest a 支援会議's sharing may last."""

    @model_validator(mode="after")
    def _check(self) -> Practice:
        _unique("issue_tags", self.issue_tags)
        if not self.transition_ages or any(not 1 <= age <= 120 for age in self.transition_ages) \
                or list(self.transition_ages) != sorted(set(self.transition_ages)):
            raise ValueError("transition_ages must be distinct ages from 1 to 120, in increasing order")
        if any(not old or old == new for old, new in self.spelling.items()):
            raise ValueError("spelling replaces a non-empty text by a different one")
        if any(not title.strip() for title in self.role_titles.values()):
            raise ValueError("role_titles must not be blank")
        return self

    def __hash__(self) -> int:  # its maps are dicts: hashed by content, so that a registry stays hashable
        return hash(self.model_dump_json())


class Registry(_Frozen):
    ward: Ward
    districts: tuple[District, ...]
    agencies: tuple[Agency, ...]
    staff: tuple[Staff, ...]
    support_meeting_office: str | None = None
    """The agency whose coordinators convene 支援会議 (art. 106-6) held outside a body; none: nobody may."""
    escalation_target: str | None = None
    """The agency that receives escalations to 多機関協働 (declined referrals, cases nobody can hold)."""
    meeting_bodies: tuple[MeetingBody, ...] = ()
    practice: Practice = Practice()
    indicators: IndicatorSet = IndicatorSet()
    """The output indicators it reports (:mod:`domain.indicators`): a shipped set, with its own rows added."""

    @model_validator(mode="after")
    def _check_references(self) -> Registry:
        district_ids = [d.id for d in self.districts]
        _unique("district ids", district_ids)
        for district in self.districts:
            if district.parent is not None and district.parent not in district_ids:
                raise ValueError(f"district {district.id}: unknown parent {district.parent!r}")
            if district.id in self.district_lineage(district.parent):
                raise ValueError(f"district {district.id}: it lies within itself")
        agency_ids = [a.id for a in self.agencies]
        _unique("agency ids", agency_ids)
        for agency in self.agencies:
            if agency.district is not None and agency.district not in district_ids:
                raise ValueError(f"agency {agency.id}: unknown district {agency.district!r}")
            if agency.succeeded_by is not None and agency.succeeded_by not in agency_ids:
                raise ValueError(f"agency {agency.id}: unknown successor {agency.succeeded_by!r}")
        staff_ids = [s.id for s in self.staff]
        _unique("staff ids", staff_ids)
        for member in self.staff:
            if member.agency not in agency_ids:
                raise ValueError(f"staff {member.id}: unknown agency {member.agency!r}")
        for name in ("support_meeting_office", "escalation_target"):
            value = getattr(self, name)
            if value is not None and value not in agency_ids:
                raise ValueError(f"{name}: unknown agency {value!r}")
        self._check_bodies(agency_ids)
        for named in self.indicators.agencies_named():
            if named not in agency_ids:
                raise ValueError(f"indicators: unknown agency {named!r}")
        return self

    def _check_bodies(self, agency_ids: list[str]) -> None:
        body_ids = [b.id for b in self.meeting_bodies]
        _unique("meeting body ids", body_ids)
        parents = {b.id: b.parent for b in self.meeting_bodies}
        for body in self.meeting_bodies:
            for agency in (body.office, *body.members):
                if agency not in agency_ids:
                    raise ValueError(f"meeting body {body.id}: unknown agency {agency!r}")
            seen, parent = {body.id}, body.parent
            while parent is not None:
                if parent not in parents:
                    raise ValueError(f"meeting body {body.id}: unknown parent {parent!r}")
                if parent in seen:
                    raise ValueError(f"meeting body {body.id}: it is part of itself")
                seen.add(parent)
                parent = parents[parent]

    # ----- agencies and staff ---------------------------------------------------------------------

    def agency(self, agency_id: str) -> Agency:
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        raise NotFound(f"機関「{agency_id}」は登録されていません。", f"Agency {agency_id!r} is not registered.")

    def has_agency(self, agency_id: str) -> bool:
        return any(a.id == agency_id for a in self.agencies)

    def agencies_active_on(self, day: date) -> tuple[Agency, ...]:
        return tuple(a for a in self.agencies if a.active_on(day))

    def staff_member(self, staff_id: str) -> Staff:
        for member in self.staff:
            if member.id == staff_id:
                return member
        raise NotFound(f"職員「{staff_id}」は登録されていません。", f"Staff member {staff_id!r} is not registered.")

    def works_for(self, staff_id: str, agency_id: str) -> bool:
        """Whether ``staff_id`` is a registered staff member of ``agency_id``."""
        return any(member.id == staff_id and member.agency == agency_id for member in self.staff)

    def indicator_agencies(self, count: Count) -> tuple[str, ...] | None:
        """The agencies an indicator's count selects: those it names and those carrying one of its projects
        (None: every agency)."""
        if not count.agencies and not count.projects:
            return None
        return tuple(a.id for a in self.agencies
                     if a.id in count.agencies or set(a.projects) & set(count.projects))

    # ----- districts ------------------------------------------------------------------------------

    def district_lineage(self, district_id: str | None) -> list[str]:
        """The district and the larger ones it lies in, nearest first (empty for None)."""
        parents = {d.id: d.parent for d in self.districts}
        lineage: list[str] = []
        while district_id is not None and district_id not in lineage:
            lineage.append(district_id)
            district_id = parents.get(district_id)
        return lineage

    def leaf_districts(self) -> tuple[District, ...]:
        """The districts no other district lies in (where households live)."""
        parents = {d.parent for d in self.districts}
        return tuple(d for d in self.districts if d.id not in parents)

    # ----- meeting bodies -------------------------------------------------------------------------

    def meeting_body(self, body_id: str) -> MeetingBody:
        for body in self.meeting_bodies:
            if body.id == body_id:
                return body
        raise NotFound(f"会議体「{body_id}」は登録されていません。", f"Meeting body {body_id!r} is not registered.")

    def bodies_of_kind(self, kind: MeetingKind | str) -> tuple[MeetingBody, ...]:
        """The ward's bodies that hold meetings of ``kind`` (a stored ``MeetingKind`` value)."""
        return tuple(b for b in self.meeting_bodies if kind in b.kinds)

    # ----- words ----------------------------------------------------------------------------------

    def role_title(self, role: Role) -> str:
        """What the ward calls ``role`` (its national label unless the ward names it)."""
        return self.spell(self.practice.role_titles.get(role, role.label_ja))

    def spell(self, label: str) -> str:
        """A label shown to people, in the ward's spelling (Ota: 障がい)."""
        for old, new in self.practice.spelling.items():
            label = label.replace(old, new)
        return label
