"""The ward as the demo sees it: its agencies, who works where, and the run all stories share."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from domain.actor import Actor
from domain.application import CommandResult, Tsunagu
from domain.commands import Command, DeclineReferral, EscalateToMultiAgency
from domain.registry import Registry
from domain.vocabulary import Role

COORDINATION = "coordination"
"""The multi-agency coordination office: its coordinators run plans and convene meetings."""
HIKIKOMORI = "hikikomori"
LIVELIHOOD = "livelihood"
CHILDREN = "children-family"
CHILD_GUIDANCE = "child-guidance"
DISABILITY = "disability-core"
SHAKYO = "shakyo"
HEALTH = "health-center"
WARD_WIDE_AGENCIES = (COORDINATION, HIKIKOMORI, LIVELIHOOD, CHILDREN, CHILD_GUIDANCE, DISABILITY, SHAKYO, HEALTH)

SHOWCASE_COORDINATOR = "tanaka-yui"
SHOWCASE_HIKIKOMORI = "takahashi-aoi"


class Stop(Exception):
    """The story has reached ``until``: nothing later is written."""


class Ward:
    """Who works where, from the registry: caseworkers, and coordinators at the coordination office.

    The demo's 支援会議 are convened by the coordination office, so the registry must name it as
    the ward's office for them (``support_meeting_office``).
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.district_ids = [d.id for d in registry.districts]
        self.district_ja = {d.id: d.name_ja for d in registry.districts}
        self._actors = {s.id: s.as_actor() for s in registry.staff}
        self._names = {s.id: s.name for s in registry.staff}
        self._staff: dict[str, list[str]] = {}
        for member in registry.staff:
            needed = Role.COORDINATOR if member.agency == COORDINATION else Role.CASEWORKER
            if needed in member.roles:
                self._staff.setdefault(member.agency, []).append(member.id)
        needed_agencies = [*WARD_WIDE_AGENCIES,
                           *(f"elderly-{d}" for d in self.district_ids),
                           *(f"general-{d}" for d in self.district_ids)]
        missing = [a for a in needed_agencies if a not in self._staff]
        if missing:
            raise ValueError("The demo needs a caseworker (a coordinator at 'coordination') at each of these "
                             f"agencies, which the registry lacks: {', '.join(missing)}")
        if registry.support_meeting_office != COORDINATION:
            raise ValueError(f"The demo's support meetings are convened by {COORDINATION!r}; the registry names "
                             f"{registry.support_meeting_office!r} as the office for them (support_meeting_office)")
        for staff_id in (SHOWCASE_COORDINATOR, SHOWCASE_HIKIKOMORI):
            registry.staff_member(staff_id)  # raises NotFound if the registry lacks them

    def staff_of(self, agency: str) -> list[str]:
        return self._staff[agency]

    def actor(self, staff_id: str) -> Actor:
        return self._actors[staff_id]

    def name(self, staff_id: str) -> str:
        return self._names[staff_id]

    def agency_ja(self, agency_id: str) -> str:
        return self.registry.agency(agency_id).name_ja


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
        """The next written consent form's number, by the fiscal year it was signed in (令和): 同意書 R8-0001."""
        self.consent_forms += 1
        fiscal_year = day.year if day.month >= 4 else day.year - 1
        return f"同意書 R{fiscal_year - 2018}-{self.consent_forms:04d}"

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
