"""An auditor reading break-glass reasons and review findings: read from the event store (the access trail
keeps none), each case read recorded under AUDIT, and nothing shown when the read cannot be recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from domain.access_record import AccessRecord
from tests.support import access_records

pytestmark = pytest.mark.integration

ELDERLY, AUDITOR = "suzuki-kenta", "watanabe-makoto"
LIVELIHOOD, LIVELIHOOD_TOO = "inoue-kazuki", "kimura-haruka"
REASONS = ("長男が自殺をほのめかし連絡が取れないため安否確認が必要",
           "服薬を中断した可能性があり、室内で倒れているおそれ",
           "再度、長男の服薬状況を至急確認する必要が生じたため")
FINDING = "服薬状況の確認のため必要かつ最小限の閲覧であった"


@pytest.fixture
def grants(client, auth) -> Iterator[dict]:
    """Two cases: one grant awaiting review on the first; on the second, a reviewed grant and a new one."""
    cases = [client.post("/cases", json={"household_name": name, "household_name_kana": kana},
                         headers=auth(ELDERLY)).json()["case_id"] for name, kana in (("佐藤家", "さとうけ"),
                                                                                    ("高橋家", "たかはしけ"))]
    first = client.post(f"/cases/{cases[0]}/emergency-access", json={"reason": REASONS[0]},
                        headers=auth(LIVELIHOOD)).json()
    second = client.post(f"/cases/{cases[1]}/emergency-access", json={"reason": REASONS[1]},
                         headers=auth(LIVELIHOOD)).json()
    assert client.get(f"/cases/{cases[1]}/timeline", headers=auth(LIVELIHOOD)).status_code == 200  # on the grant
    client.post(f"/audit/emergency-access/{cases[1]}/{second['id']}/review", headers=auth(AUDITOR),
                json={"justified": True, "finding": FINDING})
    third = client.post(f"/cases/{cases[1]}/emergency-access", json={"reason": REASONS[2]},
                        headers=auth(LIVELIHOOD_TOO)).json()
    yield {"cases": cases, "pending": [first["id"], third["id"]], "reviewed": second["id"],
           "position": third["position"]}


def emergency_reviews(tsunagu, since: int) -> list[AccessRecord.Recorded]:
    """The auditor's reads recorded after the first ``since`` access records."""
    return [r for r in access_records(tsunagu)[since:] if r.purpose == "emergency_review"]


def refuse_access_records(tsunagu, monkeypatch) -> None:
    """Saving an access record fails (the store refuses it); every other write goes through."""
    put = tsunagu.events.put

    def failing_put(events, **kwargs):
        if any(isinstance(event, AccessRecord.Recorded) for event in events):
            raise OSError("disk full")
        return put(events, **kwargs)

    monkeypatch.setattr(tsunagu.events, "put", failing_put)


@pytest.fixture
def pages(client, issuer, registry) -> Callable[[str], TestClient]:
    """The same app, its pages signed in as a staff member (the session cookie holds the API's token)."""
    def signed_in(staff_id: str) -> TestClient:
        client.cookies.set("tsunagu_session", issuer.issue(registry.staff_member(staff_id)), path="/ui")
        return client

    return signed_in


def test_the_review_queue_reads_reasons_from_the_store_and_records_one_audit_read_per_case(
        client, auth, tsunagu, grants) -> None:
    before = len(access_records(tsunagu))
    queue = client.get("/audit/emergency-access", params={"after": grants["position"]}, headers=auth(AUDITOR))
    assert queue.status_code == 200
    pending = queue.json()["emergency_accesses"]
    assert [(g["grant_id"], g["reason"], g["finding"]) for g in pending] == [
        (grants["pending"][0], REASONS[0], None), (grants["pending"][1], REASONS[2], None)]
    records = emergency_reviews(tsunagu, before)
    assert sorted(r.case_id for r in records) == sorted(grants["cases"]), "each case read once"
    for record in records:
        assert (record.reader_staff, record.channel, list(record.shown), record.withheld) == (
            AUDITOR, "api", ["AUDIT"], [])
    assert {g["access_record_id"] for g in pending} == {str(r.originator_id) for r in records}

    before = len(access_records(tsunagu))
    [reviewed] = client.get("/audit/emergency-access", params={"reviewed": True},
                            headers=auth(AUDITOR)).json()["emergency_accesses"]
    assert (reviewed["grant_id"], reviewed["reason"], reviewed["justified"], reviewed["finding"]) == (
        grants["reviewed"], REASONS[1], 1, FINDING)
    assert [r.case_id for r in emergency_reviews(tsunagu, before)] == [grants["cases"][1]]
    assert client.get("/audit/verify", headers=auth(AUDITOR)).json()["ok"], "the reads replay under the rules"


def test_the_review_queue_shows_no_reason_when_its_reads_cannot_be_recorded(client, auth, tsunagu, grants,
                                                                           monkeypatch) -> None:
    client.get("/audit/emergency-access", params={"after": grants["position"]}, headers=auth(AUDITOR))
    before = len(access_records(tsunagu))
    refuse_access_records(tsunagu, monkeypatch)
    for reviewed in (False, True, None):
        response = client.get("/audit/emergency-access", params={} if reviewed is None else {"reviewed": reviewed},
                              headers=auth(AUDITOR))
        assert response.status_code == 503 and response.json()["detail"]["code"] == "access_not_recorded"
        assert not any(text in response.text for text in (*REASONS, FINDING))
    monkeypatch.undo()
    assert len(access_records(tsunagu)) == before


def test_the_review_queue_page_reads_each_case_once_and_records_it(pages, tsunagu, grants) -> None:
    before = len(access_records(tsunagu))
    page = pages(AUDITOR).get("/ui/audit/emergency", params={"after": grants["position"]})
    assert page.status_code == 200
    assert all(text in page.text for text in (*REASONS, FINDING))
    records = emergency_reviews(tsunagu, before)
    assert sorted(r.case_id for r in records) == sorted(grants["cases"]), \
        "each case read once, though the second has a pending and a reviewed grant"
    assert {(r.reader_staff, r.channel) for r in records} == {(AUDITOR, "web")}


def test_the_unconsented_page_records_the_read_of_an_emergency_s_reason(pages, tsunagu, grants) -> None:
    before = len(access_records(tsunagu))
    page = pages(AUDITOR).get("/ui/audit", params={"case_id": grants["cases"][1], "after": grants["position"]})
    assert page.status_code == 200 and REASONS[1] in page.text, "the break-glass read, with its grant's reason"
    assert [(r.case_id, r.channel) for r in emergency_reviews(tsunagu, before)] == [(grants["cases"][1], "web")]


def test_the_audit_pages_show_no_reason_when_the_reads_cannot_be_recorded(pages, tsunagu, grants,
                                                                        monkeypatch) -> None:
    auditor = pages(AUDITOR)
    assert auditor.get("/ui/audit/emergency", params={"after": grants["position"]}).status_code == 200
    before = len(access_records(tsunagu))
    refuse_access_records(tsunagu, monkeypatch)
    for path, params in (("/ui/audit/emergency", {}), ("/ui/audit", {"case_id": grants["cases"][1]})):
        page = auditor.get(path, params=params)
        assert page.status_code == 503
        assert not any(text in page.text for text in (*REASONS, FINDING))
    monkeypatch.undo()
    assert len(access_records(tsunagu)) == before
