"""Which of the ward's agencies a household's story turns to, chosen from the ward's configuration by
role, field and project: the coordination office of the household's district, the ward's 支援会議 office,
the elderly centre and the general desk of its district, the hikikomori, livelihood, children's,
disability, health and 社協 desks (and a 児童相談所, if the ward has one).

Each role has tiers of preference (Minato's ids come out as they always were: ``elderly-shiba``,
``hikikomori`` …; a ward without a hikikomori desk lends the role to its youth or outreach agency). A
story refers between its desks, so no two roles share an agency, except the coordination and 支援会議
offices. Only agencies that exist for the whole fiscal year are used (Ota reorganises in August).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from domain.calendar import fiscal_year_bounds
from domain.registry import Agency, Registry
from domain.vocabulary import Field, Role

Tier = Callable[[Agency], bool]
SHAKYO_JA = "社会福祉協議会"


def primary(field: Field) -> Tier:
    return lambda agency: agency.field == field


def works_in(*fields: Field) -> Tier:
    return lambda agency: any(f in agency.fields for f in fields)


def named(*words: str) -> Tier:
    return lambda agency: any(word in agency.name_ja for word in words)


def runs(project: int) -> Tier:
    return lambda agency: project in agency.projects


def run_by_shakyo(agency: Agency) -> bool:
    return agency.field == Field.COMMUNITY and SHAKYO_JA in (agency.operating_body or "")


def anything(agency: Agency) -> bool:
    return True


WARD_WIDE_ROLES: tuple[tuple[str, Sequence[Tier]], ...] = (
    ("disability", (primary(Field.DISABILITY), works_in(Field.DISABILITY))),
    ("health", (primary(Field.HEALTH), works_in(Field.HEALTH))),
    ("children", (lambda a: a.field == Field.CHILDREN and named("子ども家庭支援センター", "こども家庭センター")(a),
                  primary(Field.CHILDREN), works_in(Field.CHILDREN))),
    ("livelihood", (primary(Field.POVERTY), works_in(Field.POVERTY, Field.EMPLOYMENT), named(SHAKYO_JA),
                    run_by_shakyo)),
    ("shakyo", (named(SHAKYO_JA), run_by_shakyo, primary(Field.COMMUNITY))),
    ("hikikomori", (primary(Field.HIKIKOMORI), primary(Field.YOUTH), runs(4), works_in(Field.POVERTY),
                    primary(Field.COMMUNITY))),
)
"""The desks every household of the ward shares, in the order they are chosen (the scarcer first)."""
ELDERLY_TIERS: Sequence[Tier] = (primary(Field.ELDERLY), works_in(Field.ELDERLY))
GENERAL_TIERS: Sequence[Tier] = (primary(Field.GENERAL), primary(Field.POVERTY), primary(Field.COMMUNITY))


@dataclass(frozen=True)
class Desks:
    """The agencies one household's story turns to."""

    coordination: str
    """Its coordinators hold the 重層的支援会議, adopt and review plans (the district's, where the ward has several)."""
    support_office: str
    """Its coordinators convene the ward's 支援会議."""
    elderly: str
    general: str
    hikikomori: str
    livelihood: str
    children: str
    disability: str
    shakyo: str
    health: str
    child_guidance: str | None
    """A 児童相談所 where the ward has one (None: the stories do without)."""


class WardDesks:
    """The desks of every district of a ward for one fiscal year, worked out once."""

    def __init__(self, registry: Registry, fiscal_year: int) -> None:
        self.registry = registry
        first, last = fiscal_year_bounds(fiscal_year)
        if registry.support_meeting_office is None:
            raise ValueError("The demo holds 支援会議: the ward's configuration must name its support_meeting_office")
        self.support_office = registry.support_meeting_office
        self._usable = [a for a in registry.agencies if a.active_on(first) and a.active_on(last)
                        and not _audits_only(registry, a.id)]
        districts: list[str | None] = [d.id for d in registry.leaf_districts()] or [None]
        self.coordination = {d: self._coordination(d) for d in districts}
        self.offices = {self.support_office, *self.coordination.values()}
        if registry.escalation_target is not None:
            self.offices.add(registry.escalation_target)
        self._taken = set(self.offices)
        self.elderly = {d: self._pick("elderly", ELDERLY_TIERS, d) for d in districts}
        self._taken |= set(self.elderly.values())
        self.ward_wide = {role: self._pick(role, tiers, None) for role, tiers in WARD_WIDE_ROLES}
        guidance = self._candidates(named("児童相談所"), None)
        self.child_guidance = guidance[0].id if guidance else None
        self._taken |= {a for a in (self.child_guidance,) if a}
        self.general = {d: self._pick("general", GENERAL_TIERS, d) for d in districts}

    def of(self, district: str | None) -> Desks:
        return Desks(coordination=self.coordination[district], support_office=self.support_office,
                     elderly=self.elderly[district], general=self.general[district],
                     child_guidance=self.child_guidance, **self.ward_wide)

    def coordination_offices(self) -> set[str]:
        """Every agency whose coordinators the stories need (the offices, not their caseworkers)."""
        return {self.support_office, *self.coordination.values()}

    # ----- choosing --------------------------------------------------------------------------------

    def _coordination(self, district: str | None) -> str:
        found = self._candidates(runs(5), district, local_only=True)
        if found:
            return found[0].id
        return self.registry.escalation_target or self.support_office

    def _candidates(self, tier: Tier, district: str | None, *, local_only: bool = False) -> list[Agency]:
        """Agencies of the tier, nearest first: the household's district, the larger ones it lies in, the
        ward-wide ones, then (unless ``local_only``) those of other districts; projects of art. 106-4 第1号
        (包括的相談支援) before others; then in the file's order."""
        lineage = self.registry.district_lineage(district)

        def nearness(agency: Agency) -> int | None:
            if agency.district is None:
                return len(lineage)
            if agency.district in lineage:
                return lineage.index(agency.district)
            return None if local_only else len(lineage) + 1

        ranked = [(near, 1 not in agency.projects, index, agency)
                  for index, agency in enumerate(self._usable) if tier(agency)
                  and (near := nearness(agency)) is not None]
        return [agency for *_, agency in sorted(ranked, key=lambda r: r[:3])]

    def _pick(self, role: str, tiers: Sequence[Tier], district: str | None) -> str:
        for tier in (*tiers, anything):
            for agency in self._candidates(tier, district):
                if agency.id not in self._taken:
                    if district is None:
                        self._taken.add(agency.id)
                    return agency.id
        raise ValueError(f"The demo needs an agency for its {role} desk that no other desk uses; the ward's "
                         f"configuration has too few agencies")


def _audits_only(registry: Registry, agency_id: str) -> bool:
    roles = [set(s.roles) for s in registry.staff if s.agency == agency_id]
    return bool(roles) and all(r == {Role.AUDITOR} for r in roles)
