"""The authorisation matrix: every endpoint that takes an id, for every kind of principal, on cases in every
consent state — including a consent that covers one category only, given so or narrowed to it. The
expected table lives here. Every read is recorded; a case's state view holds nothing but what the reader's
granted entries say, field by field; every refused write is recorded with who, what, where and the answer
given; and a forbidden case answers exactly like a missing one."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest

from domain.commands import (
    AddMember,
    GrantConsent,
    HoldSupportMeeting,
    IdentifyIssue,
    NarrowConsent,
    OpenCase,
    Participant,
    RecordConsultation,
    WithdrawConsent,
)
from domain.vocabulary import ConsentMethod, Field, InformationCategory
from tests.support import access_records, personal_texts, write_refusals

pytestmark = pytest.mark.integration

PRINCIPAL_STAFF = {  # principal -> a staff id, or an agency whose first staff member it is (None: no token)
    "own_agency": "suzuki-kenta", "consented_agency": "takahashi-aoi", "unconsented_agency": "inoue-kazuki",
    "support_meeting_member": "shakyo", "non_member": "child-guidance", "emergency_holder": "health-center",
    "expired_emergency": "children-family", "auditor": "watanabe-makoto", "admin": "kobayashi-shota",
    "anonymous": None,
}
# one_category: the consent was given for 相談内容 only; narrowed_to_one: given for every category, then
# narrowed (partly withdrawn) to 相談内容. Every case also holds entries on health and finances.
STATES = ("own", "consented", "unconsented", "consent_withdrawn", "one_category", "narrowed_to_one")
OWN, C, S, E, A = "OWN_RECORD", "CONSENT", "SUPPORT_MEETING", "EMERGENCY", "AUDIT"
# principal -> per state: the bases a timeline read shows (empty: the case is hidden: 404)
READS = {
    "own_agency":             ({OWN}, {OWN}, {OWN, S}, {OWN}, {OWN}, {OWN}),
    "consented_agency":       (set(), {C}, set(), set(), {C}, {C}),
    "unconsented_agency":     (set(),) * 6,
    "support_meeting_member": (set(), set(), {S}, set(), set(), set()),
    "non_member":             (set(),) * 6,
    "emergency_holder":       ({E, OWN},) * 6,
    "expired_emergency":      ({OWN},) * 6,  # only its own break-glass request stays visible
    "auditor":                ({A},) * 6,
    "admin":                  (set(),) * 6,
}
# The consented agency, per state: the categories of the entries it is shown (every entry in them, no other).
CONSENTED_CATEGORIES = {"consented": set(InformationCategory),
                        "one_category": {InformationCategory.CONSULTATION},
                        "narrowed_to_one": {InformationCategory.CONSULTATION}}
# principal -> per state: the answer to recording on the case. 201: recorded; 404: refused like a missing case
# (the principal reads nothing of it); 403: refused, said so (it reads something: break-glass is read-only,
# an auditor reads for audit only)
WRITES = {
    "own_agency": (201,) * 6, "consented_agency": (404, 201, 404, 404, 201, 201),
    "unconsented_agency": (404,) * 6, "support_meeting_member": (404, 404, 201, 404, 404, 404),
    "non_member": (404,) * 6, "emergency_holder": (403,) * 6, "expired_emergency": (403,) * 6,
    "auditor": (403,) * 6, "admin": (404,) * 6,
}
# The writes tried in every cell: (path below the case, body, the command it names)
WRITE_COMMANDS = (
    ("consultations", {"field": "general", "summary": "記録"}, "RecordConsultation"),
    ("issues", {"tag": "other", "note": "気になること"}, "IdentifyIssue"),
    ("members", {"name": "佐藤 花子", "name_kana": "さとう はなこ", "birth_date": "1962-02-03",
                 "relationship": "妻"}, "AddMember"),
)
# A state view's lists, and the kind of entry each item comes from (its ``seq``)
VIEW_LISTS = {"members": ("MemberAdded",), "issues": ("IssueIdentified",), "consents": ("ConsentGranted",),
              "referrals": ("ReferralRequested",), "meetings": ("MeetingHeld",)}


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
            household_name="佐藤家", household_name_kana="さとうけ", district="shiba", summary="母と長男")).case_id)
        member = tsunagu.execute(elderly, AddMember(
            case_id=case_id, name="佐藤 一", name_kana="さとう はじめ", birth_date=date(1960, 1, 1),
            relationship="本人", is_principal=True)).created_id
        for category, summary in ((InformationCategory.CONSULTATION, "介護の相談"),
                                  (InformationCategory.HEALTH, "通院が途絶えている"),
                                  (InformationCategory.FINANCE, "家賃を滞納している")):
            tsunagu.execute(elderly, RecordConsultation(case_id=case_id, field=Field.ELDERLY, category=category,
                                                        channel="来所", summary=summary))
        tsunagu.execute(elderly, IdentifyIssue(case_id=case_id, tag="other", note="長男の様子が気になる"))
        if state in ("consented", "consent_withdrawn", "one_category", "narrowed_to_one"):
            categories = (InformationCategory.CONSULTATION,) if state == "one_category" else tuple(InformationCategory)
            consent = tsunagu.execute(elderly, GrantConsent(
                case_id=case_id, member_id=member, agencies=("hikikomori",),
                categories=categories, purpose="支援", method=ConsentMethod.WRITTEN,
                document_ref="同意書 第1号", valid_until=date(2027, 3, 31))).created_id
            clock.advance(minutes=1)
            if state == "consent_withdrawn":
                tsunagu.execute(elderly, WithdrawConsent(case_id=case_id, consent_id=consent, reason="本人の申し出"))
            if state == "narrowed_to_one":
                tsunagu.execute(elderly, NarrowConsent(
                    case_id=case_id, consent_id=consent, reason="本人の申し出（相談内容のみ共有可）",
                    categories=tuple(c for c in InformationCategory if c != InformationCategory.CONSULTATION)))
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


def _same(view_value: Any, entry_value: Any) -> bool:
    return json.loads(json.dumps(view_value, default=str)) == json.loads(json.dumps(entry_value, default=str))


def state_view_problems(view: dict[str, Any], timeline: dict[str, Any], events: list[Any]) -> list[str]:
    """Where the state view says more, or other, than the reader's granted entries (its timeline) say."""
    entries = timeline["entries"]
    shown = {e["seq"]: e for e in entries if not e["withheld"]}
    problems = []
    if view["version"] != timeline["version"] or view["withheld_entries"] != len(entries) - len(shown):
        problems.append(f"version {view['version']}/{timeline['version']}, withheld {view['withheld_entries']}")
    opened = shown.get(1)
    if (view["household"] is None) != (opened is None):
        problems.append(f"household shown: {view['household'] is not None}, opening entry shown: {opened is not None}")
    elif opened is not None:
        said = {"name": opened["content"].get("household_name"), "name_kana": opened["content"].get(
            "household_name_kana"), "district": opened["content"].get("district"),
            "summary": opened["content"].get("summary")}
        if view["household"] != said:
            problems.append(f"household {view['household']} != opening entry {said}")
    later = [e for e in shown.values() if e["kind"] in ("ConsentNarrowed", "ConsentWithdrawn")]
    for field, kinds in VIEW_LISTS.items():
        sources = {seq: e for seq, e in shown.items() if e["kind"] in kinds}
        if {item["seq"] for item in view[field]} != set(sources):
            problems.append(f"{field}: from entries {sorted(i['seq'] for i in view[field])}, "
                            f"granted {sorted(sources)}")
            continue
        for item in view[field]:
            content = dict(sources[item["seq"]]["content"])
            if field == "consents":  # and what visible narrowings and withdrawals of it say
                changes = [e for e in later if e["content"].get("consent_id") == item["consent_id"]]
                for key in ("agencies", "categories"):
                    removed = {v for e in changes if e["kind"] == "ConsentNarrowed" for v in e["content"][key]}
                    content[key] = [v for v in content[key] if v not in removed]
                if (item["withdrawn_at"] is not None) != any(e["kind"] == "ConsentWithdrawn" for e in changes):
                    problems.append(f"consent {item['consent_id']}: withdrawn_at {item['withdrawn_at']}, "
                                    "against its granted entries")
            for key, value in content.items():
                if key in item and not _same(item[key], value):
                    problems.append(f"{field} seq {item['seq']}: {key}={item[key]!r}, the entry says {value!r}")
    said_text = json.dumps([e["content"] for e in shown.values()], ensure_ascii=False)
    view_text = json.dumps(view, ensure_ascii=False, default=str)
    for event in events:
        if event.originator_version not in shown:
            leaked = [t for t in personal_texts(event) if t in view_text and t not in said_text]
            if leaked:
                problems.append(f"withheld entry {event.originator_version} shows through: {leaked}")
    return problems


def test_reads_and_writes_follow_the_matrix_and_every_denial_is_recorded(client, auth, cases, tsunagu,
                                                                         headers_for, principals, figures) -> None:
    missing = client.get(f"/cases/{uuid.uuid4()}/timeline", headers=auth("suzuki-kenta")).json()
    problems: list[tuple[Any, ...]] = []
    cells = read_denials = read_denials_recorded = views_checked = 0
    for principal in PRINCIPAL_STAFF:
        for index, state in enumerate(STATES):
            case_id = cases[state]
            timeline = None
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
                    read_denials += 1
                    recorded = len(records) == before + 1 and not records[-1].shown
                    read_denials_recorded += recorded
                    if response.status_code != 404 or response.json() != missing or not recorded:
                        problems.append((principal, state, path, response.status_code, "should be hidden"))
                    continue
                if response.status_code != 200:
                    problems.append((principal, state, path, response.status_code))
                elif path.endswith("timeline"):
                    timeline = response.json()
                    shown = {e["basis"] for e in timeline["entries"] if not e["withheld"]}
                    if shown != expected or set(records[-1].shown) != expected:
                        problems.append((principal, state, path, shown, expected))
                    if principal == "consented_agency" and state in CONSENTED_CATEGORIES:
                        categories = CONSENTED_CATEGORIES[state]
                        wrong = [(e["seq"], e["category"], e["withheld"]) for e in timeline["entries"]
                                 if e["withheld"] == (e["category"] in categories)]
                        if wrong:
                            problems.append((principal, state, path, "shown or withheld wrongly", wrong))
                elif timeline is not None:
                    views_checked += 1
                    events = list(tsunagu.events.get(uuid.UUID(case_id)))
                    for problem in state_view_problems(response.json(), timeline, events):
                        problems.append((principal, state, "state view", problem))
    write_denials = write_denials_recorded = 0
    for path, body, command in WRITE_COMMANDS:
        missing_write = client.post(f"/cases/{uuid.uuid4()}/{path}", headers=auth("suzuki-kenta"), json=body).json()
        for principal in PRINCIPAL_STAFF:
            for index, state in enumerate(STATES):
                cells += 1
                case_id = uuid.UUID(cases[state])
                version, refusals = len(list(tsunagu.events.get(case_id))), len(write_refusals(tsunagu))
                response = client.post(f"/cases/{case_id}/{path}", headers=headers_for(principal), json=body)
                expected_status = 401 if principal == "anonymous" else WRITES[principal][index]
                cell = (principal, state, command)
                if response.status_code != expected_status:
                    problems.append((*cell, response.status_code, expected_status))
                written = len(list(tsunagu.events.get(case_id))) - version
                recorded = write_refusals(tsunagu)[refusals:]
                if expected_status in (201, 401) and (written != (expected_status == 201) or recorded):
                    problems.append((*cell, "written", written, "refusals recorded", len(recorded)))
                if expected_status in (403, 404):
                    write_denials += 1
                    answer = response.json()["detail"]["code"] if response.status_code >= 400 else None
                    agency = principals[principal] and tsunagu.registry.staff_member(principals[principal]).agency
                    said = [(r.actor_staff, r.actor_agency, r.command, r.case_id, r.case_found, r.case_version,
                             r.answer, bool(r.refused_by)) for r in recorded]
                    if not written and said == [(principals[principal], agency, command, str(case_id), True,
                                                 version, answer, True)]:
                        write_denials_recorded += 1
                    else:
                        problems.append((*cell, "refusal not recorded as answered, or written", written, said))
                    if expected_status == 404 and response.json() != missing_write:
                        problems.append((*cell, "404 differs from a missing case"))
    figures(matrix_cells=cells, principals=len(PRINCIPAL_STAFF), object_states=len(STATES),
            requests_per_cell=2 + len(WRITE_COMMANDS), mismatches=len(problems),
            read_denials=read_denials, read_denials_recorded=read_denials_recorded,
            write_denials=write_denials, write_denials_recorded=write_denials_recorded,
            state_views_checked=views_checked)
    assert problems == [], "\n".join(map(str, problems))
    assert cells == len(PRINCIPAL_STAFF) * len(STATES) * (2 + len(WRITE_COMMANDS))


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
