"""A ward's agencies and staff. The registry is configuration, validated on load."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from domain.actor import Actor
from domain.errors import NotFound
from domain.vocabulary import Field, LegalGround, Role


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Ward(_Frozen):
    id: str
    name_ja: str
    name_en: str


class District(_Frozen):
    id: str
    name_ja: str
    name_en: str


class Agency(_Frozen):
    id: str
    name_ja: str
    name_en: str
    field: Field
    district: str | None = None
    operator: Literal["ward", "private"] = "ward"
    """直営 (a ward division) or 委託 (a private operator): it decides a break-glass access's legal ground."""

    @property
    def legal_ground(self) -> LegalGround:
        return LegalGround.WARD_DIVISION if self.operator == "ward" else LegalGround.PRIVATE_OPERATOR


class Staff(_Frozen):
    id: str
    name: str
    name_kana: str
    agency: str
    roles: tuple[Role, ...]

    def as_actor(self) -> Actor:
        return Actor(staff_id=self.id, agency_id=self.agency, roles=frozenset(self.roles))


class Registry(_Frozen):
    ward: Ward
    districts: tuple[District, ...]
    agencies: tuple[Agency, ...]
    staff: tuple[Staff, ...]
    support_meeting_office: str | None = None
    """The agency whose coordinators convene 支援会議 (art. 106-6) for the ward; none: nobody may."""

    @model_validator(mode="after")
    def _check_references(self) -> Registry:
        district_ids = {d.id for d in self.districts}
        agency_ids = [a.id for a in self.agencies]
        if len(set(agency_ids)) != len(agency_ids):
            raise ValueError("agency ids must be unique")
        for agency in self.agencies:
            if agency.district is not None and agency.district not in district_ids:
                raise ValueError(f"agency {agency.id}: unknown district {agency.district!r}")
        staff_ids = [s.id for s in self.staff]
        if len(set(staff_ids)) != len(staff_ids):
            raise ValueError("staff ids must be unique")
        for member in self.staff:
            if member.agency not in agency_ids:
                raise ValueError(f"staff {member.id}: unknown agency {member.agency!r}")
        if self.support_meeting_office is not None and self.support_meeting_office not in agency_ids:
            raise ValueError(f"support_meeting_office: unknown agency {self.support_meeting_office!r}")
        return self

    def agency(self, agency_id: str) -> Agency:
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        raise NotFound(f"機関「{agency_id}」は登録されていません。", f"Agency {agency_id!r} is not registered.")

    def has_agency(self, agency_id: str) -> bool:
        return any(a.id == agency_id for a in self.agencies)

    def staff_member(self, staff_id: str) -> Staff:
        for member in self.staff:
            if member.id == staff_id:
                return member
        raise NotFound(f"職員「{staff_id}」は登録されていません。", f"Staff member {staff_id!r} is not registered.")

    def works_for(self, staff_id: str, agency_id: str) -> bool:
        """Whether ``staff_id`` is a registered staff member of ``agency_id``."""
        return any(member.id == staff_id and member.agency == agency_id for member in self.staff)
