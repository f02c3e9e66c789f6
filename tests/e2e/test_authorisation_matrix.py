"""The authorisation matrix: every endpoint that takes an id, for every kind of principal, on
cases in every consent state. The expected table lives here; every denial must be recorded,
and a forbidden case must answer exactly like a missing one."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from domain.commands import (
    AddMember,
    GrantConsent,
    HoldSupportMeeting,
    OpenCase,
    Participant,
    RecordConsultation,
    WithdrawConsent,
)
from domain.vocabulary import ConsentMethod, Field, InformationCategory
from tests.support import access_records, write_refusals

pytestmark = pytest.mark.integration

PRINCIPAL_STAFF = {  # principal -> a staff id, or an agency whose first staff member it is (None: no token)
    "own_agency": "suzuki-kenta", "consented_agency": "takahashi-aoi", "unconsented_agency": "inoue-kazuki",
    "support_meeting_member": "shakyo", "non_member": "child-guidance", "emergency_holder": "health-center",
    "expired_emergency": "children-family", "auditor": "watanabe-makoto", "admin": "kobayashi-shota",
    "anonymous": None,
}
STATES = ("own", "consented", "unconsented", "consent_withdrawn")
OWN, C, S, E, A = "OWN_RECORD", "CONSENT", "SUPPORT_MEETING", "EMERGENCY", "AUDIT"
# principal -> per state: the bases a timeline read shows (empty: the case is hidden: 404)
READS = {
    "own_agency":             ({OWN}, {OWN}, {OWN, S}, {OWN}),
    "consented_agency":       (set(), {C}, set(), set()),
    "unconsented_agency":     (set(), set(), set(), set()),
    "support_meeting_member": (set(), set(), {S}, set()),
    "non_member":             (set(), set(), set(), set()),
    "emergency_holder":       ({E, OWN}, {E, OWN}, {E, OWN}, {E, OWN}),
    "expired_emergency":      ({OWN}, {OWN}, {OWN}, {OWN}),  # only its own break-glass request stays visible
    "auditor":                ({A}, {A}, {A}, {A}),
    "admin":                  (set(), set(), set(), set()),
}
# principal -> per state: the answer to recording a consultation. 201: recorded; 404: refused like a missing
# case (the principal reads nothing of it); 403: refused, said so (it reads something: break-glass is read-only,
# an auditor reads for audit only)
WRITES = {
    "own_agency": (201,) * 4, "consented_agency": (404, 201, 404, 404),
    "unconsented_agency": (404,) * 4, "support_meeting_member": (404, 404, 201, 404),
    "non_member": (404,) * 4, "emergency_holder": (403,) * 4, "expired_emergency": (403,) * 4,
    "auditor": (403,) * 4, "admin": (404,) * 4,
}


@pytest.fixture(scope="session")
def principals(registry) -> dict[str, str | None]:
    def staff_id(value: str | None) -> str | None:
        if value is None or not registry.has_agency(value):
            return value
        return next(s.id for s in registry.staff if s.agency == value)

    return {principal: staff_id(value) for principal, value in PRINCIPAL_STAFF.items()}


@pytest.fixture
def cases(client, auth, clock, tsunagu, staff, principals) -> dict[str, str]:
    """One case per state, with the break-glass grants made: one long expired, one current."""
    elderly = staff("suzuki-kenta")
    made = {}
    for state in STATES:
        case_id = uuid.UUID(tsunagu.execute(elderly, OpenCase(
            household_name="佐藤家", household_name_kana="さとうけ", district="shiba", summary="")).case_id)
        member = tsunagu.execute(elderly, AddMember(
            case_id=case_id, name="佐藤 一", name_kana="さとう はじめ", birth_date=date(1960, 1, 1),
            relationship="本人", is_principal=True)).created_id
        tsunagu.execute(elderly, RecordConsultation(case_id=case_id, field=Field.ELDERLY,
                                                    category=InformationCategory.CONSULTATION, channel="来所",
                                                    summary="相談"))
        if state in ("consented", "consent_withdrawn"):
            consent = tsunagu.execute(elderly, GrantConsent(
                case_id=case_id, member_id=member, agencies=("hikikomori",),
                categories=tuple(InformationCategory), purpose="支援", method=ConsentMethod.WRITTEN,
                document_ref="同意書 第1号", valid_until=date(2027, 3, 31))).created_id
            if state == "consent_withdrawn":
                clock.advance(minutes=1)
                tsunagu.execute(elderly, WithdrawConsent(case_id=case_id, consent_id=consent, reason="本人の申し出"))
        if state == "unconsented":
            tsunagu.execute(staff("tanaka-yui"), HoldSupportMeeting(
                case_id=case_id, held_on=date(2026, 6, 1), purpose="共有",
                participants=(Participant("elderly-shiba", "suzuki-kenta", True),
                              Participant("shakyo", principals["support_meeting_member"], True)),
                tabled_subjects=(member,), tabled_categories=tuple(InformationCategory),
                until=date(2026, 8, 31)))
        made[state] = str(case_id)
    reason = {"reason": "本人と連絡が取れず、室内で倒れている可能性がある"}
    for case_id in made.values():
        assert client.post(f"/cases/{case_id}/emergency-access", json=reason,
                           headers=auth(principals["expired_emergency"])).status_code == 201
    clock.advance(hours=25)
    for case_id in made.values():
        assert client.post(f"/cases/{case_id}/emergency-access", json=reason,
                           headers=auth(principals["emergency_holder"])).status_code == 201
    return made


@pytest.fixture
def headers_for(auth, principals):
    return lambda principal: auth(principals[principal]) if principals[principal] else {}


def test_reads_and_writes_follow_the_matrix_and_every_denial_is_recorded(client, auth, cases, tsunagu,
                                                                         headers_for, principals, figures) -> None:
    def headers_principal_staff(principal: str) -> str | None:
        return principals[principal]

    missing = client.get(f"/cases/{uuid.uuid4()}/timeline", headers=auth("suzuki-kenta")).json()
    missing_write = client.post(f"/cases/{uuid.uuid4()}/consultations", headers=auth("suzuki-kenta"),
                                json={"field": "general", "summary": "記録"}).json()
    problems, cells = [], 0
    for principal in PRINCIPAL_STAFF:
        for index, state in enumerate(STATES):
            case_id = cases[state]
            for path in (f"/cases/{case_id}/timeline", f"/cases/{case_id}"):
                cells += 1
                before = len(access_records(tsunagu))
                response = client.get(path, headers=headers_for(principal))
                records = access_records(tsunagu)
                if principal == "anonymous":
                    if response.status_code != 401 or len(records) != before:
                        problems.append((principal, state, path, response.status_code))
                    continue
                expected = READS[principal][index]
                if len(records) != before + 1:
                    problems.append((principal, state, path, "not recorded"))
                if not expected:
                    if response.status_code != 404 or response.json() != missing or records[-1].shown:
                        problems.append((principal, state, path, response.status_code, "should be hidden"))
                    continue
                if response.status_code != 200:
                    problems.append((principal, state, path, response.status_code))
                elif path.endswith("timeline"):
                    shown = {e["basis"] for e in response.json()["entries"] if not e["withheld"]}
                    if shown != expected or set(records[-1].shown) != expected:
                        problems.append((principal, state, path, shown, expected))
    for principal in PRINCIPAL_STAFF:
        for index, state in enumerate(STATES):
            cells += 1
            case_id = uuid.UUID(cases[state])
            version, refusals = len(list(tsunagu.events.get(case_id))), len(write_refusals(tsunagu))
            response = client.post(f"/cases/{case_id}/consultations", headers=headers_for(principal),
                                   json={"field": "general", "summary": "記録"})
            expected_status = 401 if principal == "anonymous" else WRITES[principal][index]
            if response.status_code != expected_status:
                problems.append((principal, state, "write", response.status_code, expected_status))
            written = len(list(tsunagu.events.get(case_id))) - version
            recorded = write_refusals(tsunagu)[refusals:]
            if expected_status == 201 and (written != 1 or recorded):
                problems.append((principal, state, "write", "should write one entry", written, len(recorded)))
            if expected_status in (403, 404):
                if written or [(r.actor_staff, r.command) for r in recorded] != [
                        (headers_principal_staff(principal), "RecordConsultation")]:
                    problems.append((principal, state, "write", "refusal not recorded, or written", written))
                if expected_status == 404 and response.json() != missing_write:
                    problems.append((principal, state, "write", "404 differs from a missing case"))
    figures(matrix_cells=cells, principals=len(PRINCIPAL_STAFF), object_states=len(STATES),
            mismatches=len(problems))
    assert problems == []
    assert cells == len(PRINCIPAL_STAFF) * len(STATES) * 3


@pytest.mark.parametrize(("principal", "status"), [
    ("auditor", 200), ("admin", 403), ("own_agency", 403), ("emergency_holder", 403), ("anonymous", 401)])
def test_only_auditors_read_the_audit_trail(client, headers_for, cases, principal, status) -> None:
    assert client.get("/audit/access", headers=headers_for(principal)).status_code == status
    assert client.get("/audit/unconsented", headers=headers_for(principal)).status_code == status


@pytest.mark.parametrize(("principal", "status"), [
    ("own_agency", 200), ("admin", 200), ("auditor", 200), ("consented_agency", 403), ("anonymous", 401)])
def test_workload_of_the_elderly_centre_is_for_its_staff_and_overseers(client, headers_for, principal,
                                                                       status) -> None:
    assert client.get("/workloads/elderly-shiba", headers=headers_for(principal)).status_code == status
