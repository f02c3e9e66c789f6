"""Domain errors: each says, in words a caseworker understands, what was refused and why."""

from __future__ import annotations


class DomainError(Exception):
    """Base of all refusals by the domain. Carries a Japanese and an English message."""

    code = "domain_error"

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_ja = message_ja
        self.message_en = message_en


class NotFound(DomainError):
    """The thing does not exist, or the reader may not know that it exists (same answer)."""

    code = "not_found"


class RuleViolation(DomainError):
    """The command conflicts with the case as it stands (a business rule)."""

    code = "rule_violation"


class ConsentRequired(RuleViolation):
    code = "consent_required"


class CaseClosedError(RuleViolation):
    code = "case_closed"


class InvalidCommand(DomainError):
    """A command's values are inconsistent in a way the schema cannot express."""

    code = "invalid_command"


class NotPermitted(DomainError):
    """The actor's role may not issue this command (e.g. a caseworker adopting a plan)."""

    code = "not_permitted"


class IdempotencyKeyReused(InvalidCommand):
    """The same idempotency key came back with a different request."""

    code = "idempotency_key_reused"


class VersionConflict(DomainError):
    """Someone else changed the case since the client read it (optimistic concurrency)."""

    code = "version_conflict"


class AccessNotRecorded(DomainError):
    """The access record could not be written, so the read did not happen (fail closed)."""

    code = "access_not_recorded"
