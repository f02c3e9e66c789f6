"""A corpus of hostile and malformed input: each answers a clear 4xx (never a 500) and writes
nothing, or is stored exactly as written."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration
ELDERLY = "suzuki-kenta"


@pytest.fixture
def case_id(client, auth) -> str:
    return client.post("/cases", json={"household_name": "田中家", "household_name_kana": "たなかけ"},
                       headers=auth(ELDERLY)).json()["case_id"]


def position(tsunagu) -> int:
    return tsunagu.recorder.max_notification_id() or 0


RAW_BODIES = {
    "deep_nesting": '{"field": "elderly", "summary": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "huge_integer": '{"seq": ' + "9" * 5000 + ', "correction": "x"}',
    "huge_float": '{"seq": 1e400, "correction": "x"}',
    "not_json": "field=elderly&summary=x",
    "truncated_json": '{"field": "elderly", "summary": "x"',
    "json_array": '["elderly", "x"]',
    "duplicate_keys": '{"field": "elderly", "field": "bogus", "summary": "x"}',
    "lone_surrogate_escape": '{"field": "elderly", "summary": "\\udc00"}',
}


@pytest.mark.parametrize("name", sorted(RAW_BODIES))
def test_malformed_bodies_are_4xx_and_write_nothing(client, auth, case_id, tsunagu, name, figures) -> None:
    before = position(tsunagu)
    path = "corrections" if "seq" in RAW_BODIES[name] else "consultations"
    response = client.post(f"/cases/{case_id}/{path}", content=RAW_BODIES[name].encode(),
                           headers={**auth(ELDERLY), "Content-Type": "application/json"})
    figures(input=name, status=response.status_code, written=position(tsunagu) - before)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
    assert response.json()["detail"]["message"]
    assert position(tsunagu) == before


def test_a_ten_megabyte_body_is_413_before_it_is_read(client, auth, case_id, tsunagu) -> None:
    before = position(tsunagu)
    body = b'{"field": "elderly", "summary": "' + b"a" * 10_000_000 + b'"}'
    response = client.post(f"/cases/{case_id}/consultations", content=body,
                           headers={**auth(ELDERLY), "Content-Type": "application/json"})
    assert response.status_code == 413 and position(tsunagu) == before


@pytest.mark.parametrize("text", [
    "'; DROP TABLE tsunagu_events; --", "\" OR 1=1 --", "Robert'); DELETE FROM rm_access;--",
    "line one\r\nINFO: forged log line", "<script>alert('x')</script>", "ｶﾀｶﾅ 半角", "髙橋 𠮷野家", "ﾀﾞｲｽｹ",
])
def test_hostile_or_unusual_text_is_stored_exactly_as_written(client, auth, case_id, text, figures) -> None:
    written = client.post(f"/cases/{case_id}/consultations", headers=auth(ELDERLY),
                          json={"field": "elderly", "summary": text})
    assert written.status_code == 201, written.text
    entries = client.get(f"/cases/{case_id}/timeline", headers=auth(ELDERLY)).json()["entries"]
    figures(input=text, stored_as_written=entries[-1]["content"]["summary"] == text)
    assert entries[-1]["content"]["summary"] == text


@pytest.mark.parametrize("params", [
    {"lead_agency": "x' OR '1'='1"}, {"district": "shiba\u0000"}, {"limit": "99999999999999999999"},
    {"offset": "-1"}, {"status": "deleted"}, {"after": "1e9"},
])
def test_hostile_query_strings_are_422(client, auth, params, figures) -> None:
    status = client.get("/cases", params=params, headers=auth(ELDERLY)).status_code
    figures(input=str(params), status=status)
    assert status == 422


@pytest.mark.parametrize("params", [
    {"reader_staff": "x' OR 1=1 --"}, {"since": "9999-12-31T23:59:59-14:00", "format": "csv"},
    {"until": "2026-04-01T00:00:00"}, {"offset": str(2**63)},
])
def test_audit_filters_refuse_injection_and_impossible_times(client, auth, params) -> None:
    response = client.get("/audit/access", params=params, headers=auth("watanabe-makoto"))
    assert response.status_code == 422


def test_duplicate_keys_take_the_last_value_as_json_does(client, auth, case_id) -> None:
    body = json.dumps({"field": "elderly", "summary": "first"})[:-1] + ', "summary": "second"}'
    response = client.post(f"/cases/{case_id}/consultations", content=body.encode(),
                           headers={**auth(ELDERLY), "Content-Type": "application/json"})
    assert response.status_code == 201
