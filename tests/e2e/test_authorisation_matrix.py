"""The authorisation matrix: every endpoint that takes an id, for every kind of principal, on
cases in every consent state. The expected table lives here; every denial must be recorded,
and a forbidden case must answer exactly like a missing one."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from domain.vocabulary import ConsentMethod, InformationCategory, MeetingKind
from tests.support import access_records

pytestmark = pytest.mark.integration

PRINCIPAL_STAFF = {  # principal -> a staff id, or an agency whose first staff member it is (None: no token)
    "own_agency": "suzuki-kenta", "consented_agency": "takahashi-aoi", "unconsented_agency": "inoue-kazuki",
    "support_meeting_member": "shakyo", "non_member": "child-guidance", "emergency_holder": "health-center",
    "expired_emergency": "children-family", "auditor": "watanabe-makoto", "admin": "kobayashi-shota",
    "anonymous": None,
}
STATES = ("own", "consented", "unconsented", "consent_withdrawn")
O, C, S, E, A = "OWN_RECORD", "CONSENT", "SUPPORT_MEETING", "EMERGENCY", "AUDIT"
# principal -> per state: the bases a timeline read shows (empty: the case is hidden: 404)
READS = {
    "own_agency":             ({O}, {O}, {O, S}, {O}),
    "consented_agency":       (set(), {C}, set(), set()),
    "unconsented_agency":     (set(), set(), set(), set()),
    "support_meeting_member": (set(), set(), {S}, set()),
    "non_member":             (set(), set(), set(), set()),
    "emergency_holder":       ({E, O}, {E, O}, {E, O}, {E, O}),
    "expired_emergency":      ({O}, {O}, {O}, {O}),  # only its own break-glass request stays visible
    "auditor":                ({A}, {A}, {A}, {A}),
    "admin":                  (set(), set(), set(), set()),
}
# principal -> per state: may it record a consultation on the case (else 404, like a missing case)
WRITES = {
    "own_agency": (True, True, True, True), "consented_agency": (False, True, False, False),
    "unconsented_agency": (False,) * 4, "support_meeting_member": (False, False, True, False),
    "non_member": (False,) * 4, "emergency_holder": (True,) * 4, "expired_emergency": (False,) * 4,
    "auditor": (False,) * 4, "admin": (False,) * 4,
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
        case_id = uuid.UUID(tsunagu.open_case(elderly, household_name="佐藤家", household_name_kana="さとうけ",
                                              district="shiba", summary="").case_id)
        member = tsunagu.update_case(elderly, case_id, lambda c, at: c.add_member(
            elderly, at, name="佐藤 一", name_kana="さとう はじめ", birth_date=date(1960, 1, 1), relationship="本人",
            is_principal=True)).created_id
        tsunagu.update_case(elderly, case_id, lambda c, at: c.record_consultation(
            elderly, at, field="elderly", category=InformationCategory.CONSULTATION, channel="来所", summary="相談"))
        if state in ("consented", "consent_withdrawn"):
            consent = tsunagu.update_case(elderly, case_id, lambda c, at: c.grant_consent(
                elderly, at, given_by_member=member, agencies=["hikikomori"], categories=list(InformationCategory),
                purpose="支援", method=ConsentMethod.WRITTEN, valid_until=date(2027, 3, 31))).created_id
            if state == "consent_withdrawn":
                clock.advance(minutes=1)
                tsunagu.update_case(elderly, case_id, lambda c, at: c.withdraw_consent(
                    elderly, at, consent_id=consent, reason="本人の申し出"))
        if state == "unconsented":
            tsunagu.update_case(elderly, case_id, lambda c, at: c.hold_meeting(
                elderly, at, kind=MeetingKind.SUPPORT, held_on=date(2026, 6, 1), purpose="共有",
                participants=[{"agency": "elderly-shiba", "staff": "suzuki-kenta", "pledged": True},
                              {"agency": "shakyo", "staff": principals["support_meeting_member"], "pledged": True}],
                decisions=[]))
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
                                                                         headers_for, figures) -> None:
    missing = client.get(f"/cases/{uuid.uuid4()}/timeline", headers=auth("suzuki-kenta")).json()
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
            response = client.post(f"/cases/{cases[state]}/consultations", headers=headers_for(principal),
                                   json={"field": "general", "summary": "記録"})
            expected_status = 401 if principal == "anonymous" else 201 if WRITES[principal][index] else 404
            if response.status_code != expected_status:
                problems.append((principal, state, "write", response.status_code, expected_status))
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
