"""The ward as the demo sees it: its desks, who works where, and the run all stories share."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from domain.actor import Actor
from domain.application import CommandResult, Tsunagu
from domain.calendar import fiscal_year_era
from domain.commands import Command, DeclineReferral, EscalateToMultiAgency
from domain.registry import Registry
from domain.vocabulary import Role
from infra.demo.desks import Desks, WardDesks

SHOWCASE_COORDINATOR = "tanaka-yui"
"""Minato's coordinator whose showcases the demo prints (another ward: its first coordinator of the office)."""
SHOWCASE_HIKIKOMORI = "takahashi-aoi"
"""Minato's hikikomori desk worker (another ward: the first caseworker of its hikikomori desk)."""


class Stop(Exception):
    """The story has reached ``until``: nothing later is written."""


class Ward:
    """Who works where, from the registry: caseworkers at every desk, and coordinators at the offices (the
    coordination offices and the ward's 支援会議 office), for the fiscal year the demo writes."""

    def __init__(self, registry: Registry, fiscal_year: int) -> None:
        self.registry = registry
        self.desks = WardDesks(registry, fiscal_year)
        self.district_ids = [d.id for d in registry.leaf_districts()]
        self.district_ja = {d.id: d.name_ja for d in registry.districts}
        self._actors = {s.id: s.as_actor() for s in registry.staff}
        self._names = {s.id: s.name for s in registry.staff}
        offices = self.desks.coordination_offices()
        self._staff: dict[str, list[str]] = {}
        for member in registry.staff:
            needed = Role.COORDINATOR if member.agency in offices else Role.CASEWORKER
            if needed in member.roles:
                self._staff.setdefault(member.agency, []).append(member.id)
        districts: list[str | None] = [*self.district_ids] or [None]  # None: a ward without districts
        households = [self.desks.of(d) for d in districts]
        needed_agencies = {a for desks in households for a in vars(desks).values() if a is not None}
        missing = sorted(needed_agencies - set(self._staff))
        if missing:
            raise ValueError("The demo needs a caseworker (a coordinator at an office) at each of these agencies, "
                             f"which the registry lacks: {', '.join(missing)}")
        self.showcase_coordinator = self._showcase(SHOWCASE_COORDINATOR, households[0].coordination)
        self.showcase_hikikomori = self._showcase(SHOWCASE_HIKIKOMORI, households[0].hikikomori)
        coordinator_office = registry.staff_member(self.showcase_coordinator).agency
        self.showcase_districts = [d for d in self.district_ids if self.desks.of(d).coordination == coordinator_office]
        """Where the showcase coordinator's office serves (every district, for a ward-wide office)."""

    def _showcase(self, preferred: str, agency: str) -> str:
        return preferred if self.registry.works_for(preferred, agency) else self._staff[agency][0]

    def of(self, district: str | None) -> Desks:
        """The desks of a household in ``district``."""
        return self.desks.of(district)

    def staff_of(self, agency: str) -> list[str]:
        return self._staff[agency]

    def actor(self, staff_id: str) -> Actor:
        return self._actors[staff_id]

    def name(self, staff_id: str) -> str:
        return self._names[staff_id]

    def agency_ja(self, agency_id: str) -> str:
        return self.registry.agency(agency_id).name_ja

    def district_name(self, district: str | None) -> str:
        return self.district_ja.get(district or "", self.registry.ward.name_ja)

    def demo_logins(self) -> list[str]:
        """Whom to sign in as first: the showcase coordinator, an elderly centre's caseworker, the hikikomori
        desk's showcase worker and an auditor."""
        elderly = self.staff_of(self.desks.of(self.district_ids[0] if self.district_ids else None).elderly)[0]
        auditors = [s.id for s in self.registry.staff if Role.AUDITOR in s.roles]
        return [self.showcase_coordinator, elderly, self.showcase_hikikomori, *auditors[:1]]


class Run:
    """One seeding: the application, the ward, the cut-off, and what was written so far."""

    def __init__(self, app: Tsunagu, ward: Ward, until: datetime) -> None:
        self.app = app
        self.ward = ward
        self.until = until
        self.commands: Counter[str] = Counter()
        """Commands issued, by command name (``AddMember``, ``HoldSupportMeeting`` …)."""
        self.escalations = 0
        """Cases handed to 多機関協働: escalations, and referrals declined with an escalation."""
        self.events = 0
        self.consent_givers: Counter[str] = Counter()
        """Consents granted, by who gave them (``ConsentGiver`` values)."""
        self.consent_forms = 0

    def consent_form(self, day: date) -> str:
        """The next written consent form's number, by the fiscal year it was signed in (和暦): 同意書 R8-0001."""
        self.consent_forms += 1
        era, year = fiscal_year_era(day.year if day.month >= 4 else day.year - 1)
        return f"同意書 {era.initial}{year}-{self.consent_forms:04d}"

    def execute(self, staff_id: str, command: Command, *, version_before: int) -> CommandResult:
        """Issue ``command`` as ``staff_id`` through the application, and count it.

        The year is simulated: a dated command is decided as of its own moment (whose consents were
        active then, who sat in which meeting), as it would have been when it happened.
        """
        real_clock, moment = self.app.clock, command.occurred_at
        if moment is not None:
            self.app.clock = lambda: moment
        try:
            result = self.app.execute(self.ward.actor(staff_id), command)
        finally:
            self.app.clock = real_clock
        self.commands[type(command).__name__] += 1
        if isinstance(command, EscalateToMultiAgency) or (isinstance(command, DeclineReferral) and command.escalate):
            self.escalations += 1
        self.events += result.version - version_before
        return result
