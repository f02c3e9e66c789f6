"""Meetings over HTTP: a body's sitting recorded on each case it discussed, an Ota sitting with both functions,
a 地域ケア会議 with an external member, and the year's counts by sitting and by case."""

from __future__ import annotations

from typing import Any

import pytest

from domain.registry import Registry
from tests.unit.test_meetings import CARE_OFFICE, ward_with_bodies

pytestmark = pytest.mark.integration

ELDERLY, HIKIKOMORI, COORDINATOR, AUDITOR, HEALTH = (
    "suzuki-kenta", "takahashi-aoi", "tanaka-yui", "watanabe-makoto", "ishikawa-mayumi")


@pytest.fixture(scope="module")
def registry(registry: Registry) -> Registry:  # the demo ward, with its meeting bodies
    return ward_with_bodies(registry)


def household(client: Any, auth: Any, name: str) -> tuple[str, str]:
    case_id = client.post("/cases", json={"household_name": name, "household_name_kana": "かな", "district": "shiba"},
                          headers=auth(ELDERLY)).json()["case_id"]
    member = client.post(f"/cases/{case_id}/members", json={"name": f"{name} 一郎", "name_kana": "いちろう",
                                                             "birth_date": "1944-05-01", "relationship": "本人"},
                         headers=auth(ELDERLY)).json()["id"]
    client.post(f"/cases/{case_id}/consultations", json={"field": "elderly", "category": "health",
                                                         "summary": "通院をやめている", "subjects": [member]},
                headers=auth(ELDERLY))
    return case_id, member


def part(kind: str, member: str, *seats: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "purpose": "検討", "tabled_subjects": [member], "tabled_categories": ["health"],
            "participants": [{"agency": agency, "staff": staff, "pledged": True} for agency, staff in seats], **extra}


def test_three_cases_at_one_sitting_count_once_as_a_sitting_and_three_times_as_case_discussions(
        client, auth) -> None:
    written = []
    for name in ("佐藤家", "鈴木家", "高橋家"):
        case_id, member = household(client, auth, name)
        response = client.post(f"/cases/{case_id}/sittings", headers=auth(COORDINATOR), json={
            "body_id": "bukai", "held_on": "2026-06-01", "start_time": "10:00", "place": "区役所 4階",
            "next_on": "2026-07-06", "parts": [part("support", member, ("coordination", COORDINATOR),
                                                    ("elderly-shiba", ELDERLY), minutes=f"{name}の状況を共有")]})
        assert response.status_code == 201, response.text
        written.append(response.json())
    counts = client.get("/meetings/counts/2026", params={"after": written[-1]["position"]},
                        headers=auth(HIKIKOMORI)).json()
    assert (counts["sittings"], counts["case_discussions"]) == (1, 3)
    assert counts["by_body"] == [{"body_id": "bukai", "sittings": 1, "case_discussions": 3}]
    assert {"kind": "support", "label_ja": "支援会議", "sittings": 1, "case_discussions": 3} in counts["by_kind"]


def test_an_ota_sitting_records_a_consented_part_and_a_106_6_part_in_one_request(client, auth) -> None:
    case_id, member = household(client, auth, "田中家")
    client.post(f"/cases/{case_id}/consents", headers=auth(ELDERLY), json={
        "member_id": member, "agencies": ["coordination", "elderly-shiba"], "categories": ["basic"],
        "purpose": "支援プランの作成", "method": "written", "document_ref": "同意書1", "valid_until": "2027-03-31"})
    response = client.post(f"/cases/{case_id}/sittings", headers=auth(COORDINATOR), json={
        "body_id": "ota-style", "held_on": "2026-06-01", "parts": [
            {"kind": "multi_layered", "purpose": "チームづくり",
             "participants": [{"agency": "coordination", "staff": COORDINATOR},
                              {"agency": "elderly-shiba", "staff": ELDERLY}]},
            part("support", member, ("coordination", COORDINATOR), ("hikikomori", HIKIKOMORI), until="2026-06-30")]})
    assert response.status_code == 201, response.text
    meetings = client.get(f"/cases/{case_id}", headers=auth(COORDINATOR)).json()["meetings"]
    assert sorted((m["sitting_id"], m["kind"]) for m in meetings) == [
        ("ota-style:2026-06-01", "multi_layered"), ("ota-style:2026-06-01", "support")]
    assert response.json()["id"] == ",".join(m["meeting_id"] for m in sorted(meetings, key=lambda m: m["seq"]))
    outreach = part("support", member, ("coordination", COORDINATOR), until="2026-06-30")
    twice = client.post(f"/cases/{case_id}/sittings", headers=auth(COORDINATOR),
                        json={"body_id": "ota-style", "held_on": "2026-06-01", "parts": [outreach, outreach]})
    assert twice.status_code == 422


def test_a_community_care_meeting_with_an_external_member_is_unconsented_and_shown_to_the_auditor(
        client, auth, tsunagu) -> None:
    case_id, member = household(client, auth, "山本家")
    held = client.post(f"/cases/{case_id}/meetings", headers=auth(CARE_OFFICE), json={
        "kind": "community_care", "body_id": "shiba-care", "held_on": "2026-06-01", "start_time": "14:00",
        "place": "芝地区総合支所", "next_on": "2026-06-29", **part(
            "community_care", member, ("elderly-shiba", CARE_OFFICE), ("health-center", HEALTH),
            external_members=[{"name": "山田 太郎", "organisation": "芝地区民生委員協議会",
                               "role": "welfare_commissioner", "pledged": True}])})
    assert held.status_code == 201, held.text
    health = client.get(f"/cases/{case_id}/timeline", headers=auth(HEALTH)).json()
    assert {e["basis"] for e in health["entries"] if not e["withheld"]} == {"SUPPORT_MEETING"}
    assert client.get(f"/cases/{case_id}", headers=auth(HIKIKOMORI)).status_code == 404
    audit = client.get(f"/cases/{case_id}", headers=auth(AUDITOR)).json()
    [meeting] = audit["meetings"]
    assert meeting["external_members"] == [{"name": "山田 太郎", "organisation": "芝地区民生委員協議会",
                                            "role": "welfare_commissioner", "pledged": True}]
    assert (meeting["until"], meeting["start_time"], meeting["place"]) == ("2026-06-29", "14:00", "芝地区総合支所")
    after = tsunagu.recorder.max_notification_id()
    [read] = [row for row in client.get("/audit/unconsented", params={"case_id": case_id, "after": after},
                                        headers=auth(AUDITOR)).json()["accesses"] if row["reader_staff"] == HEALTH]
    assert [(m["meeting_id"], m["members"]) for m in read["meetings"]] == [
        (meeting["meeting_id"], ["elderly-shiba", "health-center"])]  # who sat when it was shared
