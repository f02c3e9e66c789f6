"""Demo staff for a ward whose configuration names none (every ward but Minato's bundled file).

They exist only in demo mode: the composition root adds them to the registry of a process started with
``--demo`` (``infra.bootstrap.ward_registry``) and nowhere else. Their ids begin with ``demo-`` and their
names are made up. Every agency gets two caseworkers; the offices the stories need (the coordination
offices, the 支援会議 office, the escalation target and every meeting body's office) get two
coordinators; the escalation target (or the 支援会議 office) also has an auditor and an administrator.
"""

from __future__ import annotations

import random

from domain.registry import Registry, Staff
from domain.vocabulary import Role
from infra.demo.names import GIVEN_NAMES, SURNAMES

DEMO_PREFIX = "demo-"


def offices(registry: Registry) -> list[str]:
    """The agencies whose coordinators convene, coordinate or receive escalations, in the file's order."""
    named = {registry.support_meeting_office, registry.escalation_target,
             *(body.office for body in registry.meeting_bodies),
             *(a.id for a in registry.agencies if 5 in a.projects)}
    return [a.id for a in registry.agencies if a.id in named]


def with_demo_staff(registry: Registry) -> Registry:
    """``registry`` itself if it names staff; otherwise a copy with demo staff (validated like any registry)."""
    if registry.staff:
        return registry
    rng = random.Random(f"tsunagu-demo-staff/{registry.ward.id}")
    people = [(surname, given) for surname in SURNAMES for key in (("young", "m"), ("young", "f"), ("mid", "m"),
                                                                   ("mid", "f")) for given in GIVEN_NAMES[key]]
    rng.shuffle(people)
    staff: list[Staff] = []

    def add(agency: str, role: Role, number: int) -> None:
        (surname, surname_kana), (given, given_kana) = people[len(staff) % len(people)]
        staff.append(Staff(id=f"{DEMO_PREFIX}{agency}-{role.value}-{number}", name=f"{surname} {given}",
                           name_kana=f"{surname_kana} {given_kana}", agency=agency, roles=(role,)))

    hub = registry.escalation_target or registry.support_meeting_office or registry.agencies[0].id
    coordinating = offices(registry)
    for agency in registry.agencies:
        if agency.id in coordinating:
            add(agency.id, Role.COORDINATOR, 1)
            add(agency.id, Role.COORDINATOR, 2)
        add(agency.id, Role.CASEWORKER, 1)
        add(agency.id, Role.CASEWORKER, 2)
        if agency.id == hub:
            add(agency.id, Role.AUDITOR, 1)
            add(agency.id, Role.ADMIN, 1)
    return Registry.model_validate({**registry.model_dump(), "staff": [s.model_dump() for s in staff]})
