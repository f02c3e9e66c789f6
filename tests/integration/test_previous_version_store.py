"""A store written by the previous version (979e45a: household consents, unbounded 支援会議, no subjects)
loads, reads and verifies: its events through the library's upcasting, its recorded reads replayed
under the rules they were decided by, new reads under the current rules."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.access import decide_entry
from domain.access_record import AccessRecord
from domain.application import Tsunagu
from domain.audit import verify_access_log
from domain.case import Case
from domain.errors import NotFound
from domain.registry import Registry
from projections import build_read_models
from projections.runner import BatchRunner
from tests.support import access_records

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
READERS = ("tanaka-yui", "suzuki-kenta", "takahashi-aoi", "inoue-kazuki", "watanabe-makoto")


@pytest.fixture
def old_store(tmp_path: Path) -> dict[str, str]:
    shutil.copy(FIXTURES / "store-v1.sqlite", tmp_path / "events.db")
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "events.db"),
            "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
            "CIPHER_KEY": (FIXTURES / "store-v1.key").read_text().strip()}


def test_a_store_written_by_the_previous_version_loads_reads_and_verifies(old_store: dict[str, str],
                                                                          registry: Registry, clock) -> None:
    app = Tsunagu(old_store, registry=registry, clock=clock)
    old_records = access_records(app)
    assert len(old_records) == 192 and {r.rules for r in old_records} == {1}
    before = verify_access_log(app)
    assert before.ok and before.records_checked == 192, before.findings[:2]

    case_ids = [n.originator_id for n in app.notifications() if n.topic.endswith("Case.Opened")]
    assert len(case_ids) == 24
    shown = 0
    for case_id in case_ids:
        case = app.repository.get(case_id)
        assert isinstance(case, Case) and all(c["member_id"] in case.members for c in case.consents.values())
        for staff in READERS:
            try:
                timeline = app.read_timeline(registry.staff_member(staff).as_actor(), case_id)
                app.read_case(registry.staff_member(staff).as_actor(), case_id)
            except NotFound:
                continue
            shown += sum(1 for e in timeline.entries if not e.withheld)
    assert shown > 0
    after = verify_access_log(app)
    assert after.ok, after.findings[:2]
    assert after.records_checked > 192 and {r.rules for r in access_records(app)} == {1, 2}

    read_models = build_read_models(old_store)
    BatchRunner(app, read_models.all()).catch_up()
    assert len(read_models.access_audit.view.decisions(limit=1000)) == after.records_checked
    assert read_models.case_state.view.case(str(case_ids[0])) is not None


def test_an_old_household_consent_no_longer_opens_other_members_records(old_store: dict[str, str],
                                                                         registry: Registry, clock) -> None:
    app = Tsunagu(old_store, registry=registry, clock=clock)
    for case_id in (n.originator_id for n in app.notifications() if n.topic.endswith("Case.Opened")):
        case = app.repository.get(case_id)
        for consent in case.consents.values():
            for entry in case.entries:
                others = set(entry.subjects or case.members) - {consent["member_id"]}
                if others and entry.agency not in consent["agencies"]:
                    reader = next((s.as_actor() for s in registry.staff if s.agency in consent["agencies"]
                                   and s.agency != entry.agency and "caseworker" in s.roles), None)
                    if reader is None:
                        continue
                    decision = decide_entry(reader, entry, case, clock())
                    assert decision.basis != "CONSENT" or decision.ground != consent["consent_id"], (
                        f"{consent['consent_id']} (of {consent['member_id']}) opened entry {entry.seq} of others")


def _replant(app: Tsunagu, original: Any, **changes: Any) -> UUID:
    """A copy of a previous-version access record with some fields changed, saved as a forger would."""
    fields = {name: getattr(original, name) for name in (
        "reader_staff", "reader_agency", "reader_roles", "case_id", "case_found", "case_version", "purpose",
        "channel", "decided_at", "shown", "grounds", "withheld", "active_consents", "rules", "ground_seqs")}
    forged = AccessRecord._create(AccessRecord.Recorded, id=uuid4(), **{**fields, **changes})
    app.save(forged)
    return forged.id


def test_previous_version_reads_are_replayed_under_their_own_rules_and_a_forged_one_is_reported(
        old_store: dict[str, str], registry: Registry, clock) -> None:
    app = Tsunagu(old_store, registry=registry, clock=clock)
    consented = next(r for r in access_records(app) if r.grounds.get("CONSENT"))
    assert consented.rules == 1
    wrong_ground = _replant(app, consented, grounds={**consented.grounds, "CONSENT": ["a-consent-never-given"]})
    wrong_basis = _replant(app, consented, shown={"SUPPORT_MEETING": sorted(consented.shown["CONSENT"])},
                           grounds={"SUPPORT_MEETING": ["no-such-meeting"]})

    findings = {f.record_id: f for f in verify_access_log(app).findings}
    assert set(findings) == {str(wrong_ground), str(wrong_basis)}
    assert findings[str(wrong_ground)].problem_ja.startswith("根拠とした会議・同意・緊急時アクセスが規則と一致しません")
    assert findings[str(wrong_ground)].recorded == findings[str(wrong_ground)].expected
    assert findings[str(wrong_basis)].expected == {b: sorted(s) for b, s in consented.shown.items() if s}
    assert "SUPPORT_MEETING" in findings[str(wrong_basis)].problem_en
