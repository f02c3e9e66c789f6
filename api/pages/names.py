"""Who is who on a page: agencies (with their colours, and those that work cases), staff, districts and
household members, named in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.registry import Agency, Registry
from domain.vocabulary import Field, Role

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
