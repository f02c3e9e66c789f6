"""監査: the access trail, the unconsented accesses, replay verification and the emergency-access queue.

Auditors only (the API's own role check, asked again here so no entrypoint can skip it). The
trail holds who read which case and on what basis; it holds no personal content of the people
the cases are about.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from api.deps import require_role
from api.schemas.audit import AccessFilters
from domain.actor import Actor
from domain.application import Tsunagu
from domain.audit import verify_access_log
from domain.vocabulary import Role
from infra.bootstrap import Services
from projections import ReadModels
from projections.audit_chain import verify_chain

DECISIONS_CSV = "閲覧記録.csv"
UNCONSENTED_CSV = "同意によらない閲覧.csv"

_auditors_only = require_role(Role.AUDITOR)


def access_decisions(read_models: ReadModels, auditor: Actor, filters: AccessFilters) -> list[dict[str, Any]]:
    """Access decisions (granted and denied), filtered by case, person, reader, agency, basis, period."""
    _auditors_only(auditor)
    return read_models.access_audit.view.decisions(**filters.model_dump())


def unconsented_accesses(read_models: ReadModels, auditor: Actor, filters: AccessFilters) -> list[dict[str, Any]]:
    """Accesses on SUPPORT_MEETING or EMERGENCY, each with the consents and meeting members of that moment."""
    _auditors_only(auditor)
    return read_models.access_audit.view.unconsented(**filters.model_dump(exclude={"granted", "basis"}))


def access_log_verification(services: Services, auditor: Actor) -> dict[str, Any]:
    """Check the stored log against its hash chain, and replay every recorded access decision against
    the event log as of its time (reads the whole log: run on request)."""
    _auditors_only(auditor)
    tsunagu = services.tsunagu
    services.runner.wait(tsunagu.recorder.max_notification_id() or 0, timeout=services.settings.read_wait_seconds)
    chain = verify_chain(tsunagu, services.read_models.audit_chain.view)
    report = verify_access_log(tsunagu)
    return {"records_checked": report.records_checked, "ok": report.ok and not chain,
            "chain_problems": [asdict(problem) for problem in chain],
            "findings": [asdict(finding) for finding in report.findings]}


def emergency_accesses(read_models: ReadModels, tsunagu: Tsunagu, auditor: Actor, reviewed: bool | None = False, *,
                       channel: str = "api") -> list[dict[str, Any]]:
    """Break-glass accesses: those awaiting review (``reviewed=False``), reviewed ones, or all (``None``), each
    with its reason and finding read from the store (a recorded read, see ``with_emergency_texts``)."""
    _auditors_only(auditor)
    grants = read_models.access_audit.view.emergency_grants(reviewed=reviewed)
    return with_emergency_texts(tsunagu, auditor, grants, channel=channel)


def emergency_review_queue(read_models: ReadModels, tsunagu: Tsunagu, auditor: Actor, *, recent: int = 50,
                           channel: str = "web") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The grants awaiting review and the ``recent`` last reviewed, with their texts; each case is read once."""
    _auditors_only(auditor)
    view = read_models.access_audit.view
    pending = view.emergency_grants(reviewed=False)
    reviewed = view.emergency_grants(reviewed=True)[-recent:][::-1]
    shown = with_emergency_texts(tsunagu, auditor, [*pending, *reviewed], channel=channel)
    return shown[:len(pending)], shown[len(pending):]


def with_emergency_texts(tsunagu: Tsunagu, auditor: Actor, grants: list[dict[str, Any]], *,
                         channel: str) -> list[dict[str, Any]]:
    """The access trail's grant rows with the reason and the finding added, read from the event store: the
    read model holds no free text. Each case is read once, as a recorded read under AUDIT (purpose
    ``emergency_review``, its record id beside each grant); if the reads cannot be recorded, nothing is shown
    (``AccessNotRecorded``)."""
    _auditors_only(auditor)
    case_ids = [UUID(case_id) for case_id in dict.fromkeys(grant["case_id"] for grant in grants)]
    read = {view.grant_id: view for view in tsunagu.read_emergency_grants(auditor, case_ids, channel=channel)}
    shown = []
    for grant in grants:
        view = read.get(grant["grant_id"])
        shown.append({**grant, "reason": view.reason if view else None, "finding": view.finding if view else None,
                      "access_record_id": view.access_record_id if view else None})
    return shown


def with_emergency_reasons(tsunagu: Tsunagu, auditor: Actor, accesses: list[dict[str, Any]], *,
                           channel: str) -> list[dict[str, Any]]:
    """Unconsented accesses with each emergency grant's reason and finding (``with_emergency_texts``)."""
    grants = [grant for access in accesses for grant in access["emergencies"] if grant]
    texts = iter(with_emergency_texts(tsunagu, auditor, grants, channel=channel))
    return [{**access, "emergencies": [next(texts) for grant in access["emergencies"] if grant]}
            for access in accesses]


def consents(read_models: ReadModels, auditor: Actor, *, case_id: str | None = None,
             for_review: bool | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """Every consent with who recorded it and how (``for_review``: oral consents to the recorder's own agency)."""
    _auditors_only(auditor)
    return read_models.access_audit.view.consents(case_id=case_id, for_review=for_review, limit=limit, offset=offset)
