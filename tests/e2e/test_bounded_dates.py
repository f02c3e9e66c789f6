"""Bounded dates where input enters: each date a body, a query or a filter carries answers 422 naming the
field when it is out of range — the schema's static range (what no ward may configure) first, the ward's
configured range (``Policy.dates``) next — and nothing is written. The cases the issue found: records dated
1900, a birth date 0001-01-01, consent valid until 9999-12-31, ``as_of`` without an upper bound."""

from __future__ import annotations

from datetime import date

import pytest

from domain.policy import PlausibleDates, Policy

pytestmark = pytest.mark.integration
ELDERLY, COORDINATOR, AUDITOR = "suzuki-kenta", "tanaka-yui", "watanabe-makoto"


@pytest.fixture
def case_id(client, auth) -> str:
    opened = client.post("/cases", json={"household_name": "田中家", "household_name_kana": "たなかけ"},
                         headers=auth(ELDERLY))
    case = opened.json()["case_id"]
    member = client.post(f"/cases/{case}/members", headers=auth(ELDERLY), json={
        "name": "田中 一郎", "name_kana": "たなか いちろう", "birth_date": "1950-01-01", "relationship": "本人"})
    assert member.status_code == 201
    return case


def position(tsunagu) -> int:
    return tsunagu.recorder.max_notification_id() or 0


def member_id(client, auth, case_id) -> str:
    return client.get(f"/cases/{case_id}", headers=auth(ELDERLY)).json()["members"][0]["member_id"]


def bodies(member: str) -> dict[str, tuple[str, dict, str]]:
    """(path, body, the field at fault) for each date the API takes in a body."""
    return {
        "record dated 1900": ("consultations", {"field": "elderly", "summary": "x",
                                                "occurred_at": "1900-01-01T10:00:00+09:00"}, "occurred_at"),
        "record dated year 1": ("consultations", {"field": "elderly", "summary": "x",
                                                  "occurred_at": "0001-01-01T00:00:00+14:00"}, "occurred_at"),
        "record without a time zone": ("consultations", {"field": "elderly", "summary": "x",
                                                         "occurred_at": "2026-05-01T10:00:00"}, "occurred_at"),
        "birth date 0001-01-01": ("members", {"name": "田中 花子", "name_kana": "たなか はなこ",
                                              "birth_date": "0001-01-01", "relationship": "妻"}, "birth_date"),
        "consent until 9999-12-31": ("consents", {"member_id": member, "agencies": ["hikikomori"],
                                                  "categories": ["basic"], "purpose": "支援のため",
                                                  "method": "written", "document_ref": "同意書 1",
                                                  "valid_until": "9999-12-31"}, "valid_until"),
        "meeting held in 1900": ("meetings", {"kind": "support", "held_on": "1900-01-01", "purpose": "x",
                                              "participants": [{"agency": "elderly-shiba", "staff": "a",
                                                                "pledged": True}]}, "held_on"),
        "outreach planned for 9999": ("outreach", {"approach": "手紙", "planned_on": "9999-12-31"}, "planned_on"),
        "participation from 1999": ("participation", {"member_id": member, "resource_name": "サロン",
                                                      "resource_kind": "salon", "starts_on": "1999-12-31"},
                                    "starts_on"),
        "handover due in 2999": ("handovers", {"member_id": member, "at_age": 65, "to_agency": "hikikomori",
                                               "due_on": "2999-01-01"}, "due_on"),
        "review in 3000": ("plan/reviews", {"findings": "x", "next_review_on": "3000-01-01"}, "next_review_on"),
    }


@pytest.mark.parametrize("name", sorted(bodies("m")))
def test_a_date_no_ward_allows_is_422_naming_the_field(client, auth, case_id, tsunagu, name) -> None:
    path, body, field = bodies(member_id(client, auth, case_id))[name]
    before = position(tsunagu)
    response = client.post(f"/cases/{case_id}/{path}", json=body, headers=auth(ELDERLY))
    assert response.status_code == 422, response.text
    fields = {f["field"]: f["message"] for f in response.json()["detail"]["fields"]}
    assert f"body.{field}" in fields and " / " in fields[f"body.{field}"]  # Japanese / English
    assert position(tsunagu) == before


@pytest.mark.parametrize(("path", "body", "field"), [
    ("outreach", {"approach": "手紙", "planned_on": "2031-06-02"}, "planned_on"),  # five years and a day ahead
    ("members", {"name": "田中 花子", "name_kana": "たなか はなこ", "birth_date": "2026-06-02", "relationship": "孫"},
     "birth_date"),  # born tomorrow
])
def test_a_date_outside_the_wards_range_is_422_naming_the_field(client, auth, case_id, tsunagu, path, body,
                                                                 field) -> None:
    before = position(tsunagu)
    response = client.post(f"/cases/{case_id}/{path}", json=body, headers=auth(ELDERLY))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["code"] == "implausible_date" and [f["field"] for f in detail["fields"]] == [f"body.{field}"]
    assert "2031-06-01" in detail["message_en"] or "2026-06-01" in detail["message_en"]
    assert position(tsunagu) == before


def test_the_wards_own_first_day_is_enforced(client, auth, case_id, tsunagu, monkeypatch) -> None:
    monkeypatch.setattr(tsunagu, "policy", Policy(dates=PlausibleDates(earliest_record=date(2021, 4, 1))))
    response = client.post("/cases", headers=auth(ELDERLY), json={
        "household_name": "佐藤家", "household_name_kana": "さとうけ", "occurred_at": "2021-03-31T12:00:00+09:00"})
    assert response.status_code == 422
    assert response.json()["detail"]["fields"][0]["field"] == "body.occurred_at"
    assert "2021-04-01" in response.json()["detail"]["message"]


@pytest.mark.parametrize(("as_of", "status"), [
    ("9999-12-31", 422), ("0001-01-01", 422), ("1999-12-31", 422), ("2031-06-02", 422), ("2031-06-01", 200),
    ("2000-01-01", 200), ("2026-06-01", 200)])
def test_workloads_as_of_is_bounded(client, auth, as_of, status) -> None:
    response = client.get("/workloads/elderly-shiba", params={"as_of": as_of}, headers=auth(ELDERLY))
    assert response.status_code == status, response.text
    if status == 422:
        assert [f["field"] for f in response.json()["detail"]["fields"]] == ["query.as_of"]


@pytest.mark.parametrize("params", [{"since": "1900-01-01T00:00:00+09:00"}, {"until": "9999-12-31T23:59:59-14:00"},
                                    {"since": "2026-04-01T00:00:00"}, {"fiscal_year": "1999"},
                                    {"fiscal_year": "9999"}])
def test_audit_filters_are_bounded(client, auth, params) -> None:
    response = client.get("/audit/access", params=params, headers=auth(AUDITOR))
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["detail"]["fields"]] == [f"query.{next(iter(params))}"]


@pytest.mark.parametrize("params", [{"since": "9999-12-31T23:59:59-14:00"}, {"until": "0001-01-01T00:00:00+14:00"},
                                    {"since": "1900-01-01T00:00:00+09:00"}, {"until": "2026-04-01T00:00:00"}])
def test_refused_writes_filters_are_bounded(client, auth, params) -> None:
    """Were 500: a moment near year 1 or 9999 overflowed when compared in UTC."""
    response = client.get("/audit/refused-writes", params=params, headers=auth(AUDITOR))
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["detail"]["fields"]] == [f"query.{next(iter(params))}"]
