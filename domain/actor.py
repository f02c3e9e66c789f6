"""Who is acting: a staff member of an agency, with roles."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.vocabulary import Role


@dataclass(frozen=True)
class Actor:
    staff_id: str
    agency_id: str
    roles: frozenset[Role] = field(default_factory=frozenset)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_auditor(self) -> bool:
        return Role.AUDITOR in self.roles

    @property
    def may_record(self) -> bool:
        """Caseworkers and coordinators record on cases; auditors and administrators do not."""
        return not self.is_auditor and (Role.CASEWORKER in self.roles or Role.COORDINATOR in self.roles)
