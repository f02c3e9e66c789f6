"""The API's edges: authentication, bad input, size limits, concurrency and id guessing.
Bad input gets a clear 4xx and writes nothing."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from datetime import UTC

import pytest

from tests.support import access_records

pytestmark = pytest.mark.integration

ELDERLY, HIKIKOMORI = "suzuki-kenta", "takahashi-aoi"


@pytest.fixture
def case_id(client, auth) -> str:
    response = client.post("/cases", json={"household_name": "田中家", "household_name_kana": "たなかけ"},
                           headers=auth(ELDERLY))
    assert response.status_code == 201
    return response.json()["case_id"]


def log_position(tsunagu) -> int:
    return tsunagu.recorder.max_notification_id() or 0


def test_health_and_readiness_answer_without_a_token(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ready"


def test_openapi_documents_every_command_with_examples(client) -> None:
    spec = client.get("/openapi.json").json()
    assert len(spec["paths"]) >= 30
    assert "examples" in json.dumps(spec["components"]["schemas"]["CaseCreate"])


@pytest.mark.parametrize("header", [
    None, "Bearer not-a-jwt", "Basic dXNlcjpwYXNz",
    "Bearer " + ".".join(base64.urlsafe_b64encode(json.dumps(p).encode()).rstrip(b"=").decode()
                         for p in ({"alg": "none"}, {"sub": "tanaka-yui", "agency": "coordination",
                                                     "roles": ["coordinator"], "iss": "tsunagu",
                                                     "aud": "tsunagu-api", "iat": 1, "exp": 4102444800})) + ".",
], ids=["missing", "garbage", "basic-auth", "alg-none"])
def test_requests_without_a_valid_token_are_401(client, case_id, header) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get(f"/cases/{case_id}/timeline", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_expired_token_is_401(client, case_id, issuer, registry) -> None:
    from datetime import datetime, timedelta

    token = issuer.issue(registry.staff_member(ELDERLY), now=datetime.now(UTC) - timedelta(hours=2))
    assert client.get(f"/cases/{case_id}", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_invalid_fields_get_422_with_a_message_per_field_and_nothing_is_written(client, auth, case_id,
                                                                                tsunagu) -> None:
    before = log_position(tsunagu)
    response = client.post(f"/cases/{case_id}/members", headers=auth(ELDERLY),
                           json={"name": "", "birth_date": "1990-02-30", "relationship": "長男", "extra": 1})
    assert response.status_code == 422
    fields = {f["field"] for f in response.json()["detail"]["fields"]}
    assert {"body.name", "body.name_kana", "body.birth_date", "body.extra"} <= fields
    assert response.json()["detail"]["message"].startswith("入力内容に誤り")
    assert log_position(tsunagu) == before


@pytest.mark.parametrize("summary", ["NUL\u0000byte", "lone \ud800 surrogate", "bell\u0007"],
                         ids=["nul", "lone-surrogate", "control"])
def test_nul_and_invalid_unicode_are_422(client, auth, case_id, summary, tsunagu) -> None:
    before = log_position(tsunagu)
    body = json.dumps({"field": "elderly", "summary": summary})  # ensure_ascii keeps the surrogate escaped
    response = client.post(f"/cases/{case_id}/consultations", content=body,
                           headers={**auth(ELDERLY), "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert log_position(tsunagu) == before


def test_body_that_is_not_utf8_is_422(client, auth, case_id) -> None:
    response = client.post(f"/cases/{case_id}/consultations", content=b'{"field": "elderly", "summary": "\xff\xfe"}',
                           headers={**auth(ELDERLY), "Content-Type": "application/json"})
    assert response.status_code == 422


def test_oversized_body_is_413_and_nothing_is_written(client, auth, case_id, tsunagu) -> None:
    before = log_position(tsunagu)
    response = client.post(f"/cases/{case_id}/consultations", headers=auth(ELDERLY),
                           json={"field": "elderly", "summary": "あ" * 200_000})
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "body_too_large"
    assert log_position(tsunagu) == before


def test_stale_if_match_is_409_and_current_one_succeeds(client, auth, case_id) -> None:
    body = {"field": "elderly", "summary": "電話相談"}
    stale = client.post(f"/cases/{case_id}/consultations", json=body, headers={**auth(ELDERLY), "If-Match": '"0"'})
    assert stale.status_code == 409 and stale.json()["detail"]["code"] == "version_conflict"
    etag = client.get(f"/cases/{case_id}", headers=auth(ELDERLY)).headers["etag"]
    fresh = client.post(f"/cases/{case_id}/consultations", json=body, headers={**auth(ELDERLY), "If-Match": etag})
    assert fresh.status_code == 201 and fresh.json()["version"] == 2


def test_malformed_if_match_is_422(client, auth, case_id) -> None:
    response = client.post(f"/cases/{case_id}/consultations", json={"field": "elderly", "summary": "x"},
                           headers={**auth(ELDERLY), "If-Match": "yesterday"})
    assert response.status_code == 422


def test_guessing_another_agencys_case_id_answers_exactly_like_a_missing_case(client, auth, case_id,
                                                                              tsunagu) -> None:
    for path in ("", "/timeline"):
        forbidden = client.get(f"/cases/{case_id}{path}", headers=auth(HIKIKOMORI))
        missing = client.get(f"/cases/{uuid.uuid4()}{path}", headers=auth(HIKIKOMORI))
        assert forbidden.status_code == missing.status_code == 404
        assert forbidden.json() == missing.json()
    write = client.post(f"/cases/{case_id}/consultations", json={"field": "hikikomori", "summary": "x"},
                        headers=auth(HIKIKOMORI))
    assert write.status_code == 404 and write.json() == missing.json()
    denials = [r for r in access_records(tsunagu) if r.reader_staff == HIKIKOMORI]
    assert len(denials) == 4 and all(r.shown == {} for r in denials)


def test_unknown_agency_in_a_command_is_a_clear_404(client, auth, case_id) -> None:
    response = client.post(f"/cases/{case_id}/referrals", headers=auth(ELDERLY),
                           json={"to_agency": "no-such-agency", "categories": ["basic"], "reason": "x"})
    assert response.status_code == 404
    assert "no-such-agency" in response.json()["detail"]["message"]


def test_future_dated_record_is_refused(client, auth, case_id) -> None:
    response = client.post(f"/cases/{case_id}/consultations", headers=auth(ELDERLY),
                           json={"field": "elderly", "summary": "x", "occurred_at": "2099-01-01T00:00:00+09:00"})
    assert response.status_code == 422 and "未来" in response.json()["detail"]["message"]


def test_malformed_case_id_is_422_not_500(client, auth) -> None:
    assert client.get("/cases/not-a-uuid/timeline", headers=auth(ELDERLY)).status_code == 422


def test_read_is_503_when_the_access_record_cannot_be_written(client, auth, case_id, tsunagu, monkeypatch) -> None:
    def refuse(*_, **__):
        raise OSError("disk full")

    monkeypatch.setattr(tsunagu.events, "put", refuse)
    response = client.get(f"/cases/{case_id}/timeline", headers=auth(ELDERLY))
    assert response.status_code == 503
    assert "田中" not in response.text and response.json()["detail"]["code"] == "access_not_recorded"


def test_retry_with_the_same_idempotency_key_returns_the_first_result_and_records_nothing(client, auth, case_id,
                                                                                         tsunagu) -> None:
    headers = {**auth(ELDERLY), "Idempotency-Key": "visit-2026-06-01-a"}
    body = {"field": "elderly", "summary": "電話相談"}
    first = client.post(f"/cases/{case_id}/consultations", json=body, headers=headers)
    position = log_position(tsunagu)
    again = client.post(f"/cases/{case_id}/consultations", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert (again.json()["version"], again.json()["id"]) == (first.json()["version"], first.json()["id"])
    assert log_position(tsunagu) == position
    different = client.post(f"/cases/{case_id}/consultations", json={**body, "summary": "別の相談"}, headers=headers)
    assert different.status_code == 422 and different.json()["detail"]["code"] == "idempotency_key_reused"


def test_opening_a_case_twice_with_one_key_opens_it_once(client, auth, tsunagu) -> None:
    headers = {**auth(ELDERLY), "Idempotency-Key": "open-sato"}
    body = {"household_name": "佐藤家", "household_name_kana": "さとうけ"}
    first, again = (client.post("/cases", json=body, headers=headers) for _ in range(2))
    assert first.json()["case_id"] == again.json()["case_id"]
    opened = tsunagu.recorder.select_notifications(start=1, limit=100, topics=["domain.case.aggregate:Case.Opened"])
    assert len(opened) == 1


def test_the_same_key_from_another_staff_member_is_a_different_command(client, auth, case_id) -> None:
    body = {"reason": "本人と連絡が取れず、室内で倒れている可能性がある"}
    mine = client.post(f"/cases/{case_id}/emergency-access", json=body,
                       headers={**auth(HIKIKOMORI), "Idempotency-Key": "k1"})
    theirs = client.post(f"/cases/{case_id}/emergency-access", json=body,
                         headers={**auth("inoue-kazuki"), "Idempotency-Key": "k1"})
    assert mine.status_code == theirs.status_code == 201 and mine.json()["id"] != theirs.json()["id"]


def test_malformed_idempotency_key_is_422(client, auth, case_id) -> None:
    response = client.post(f"/cases/{case_id}/consultations", json={"field": "elderly", "summary": "x"},
                           headers={**auth(ELDERLY), "Idempotency-Key": "with space"})
    assert response.status_code == 422


def test_an_unexpected_error_is_500_with_an_error_id_and_the_log_has_the_id_not_the_input(client, auth, caplog) -> None:
    from api.deps import get_read_models

    def broken() -> None:
        raise KeyError("佐藤 花子 1961-02-03")

    caplog.set_level(logging.DEBUG)
    client.app.dependency_overrides[get_read_models] = broken
    try:
        response = client.get("/cases", params={"district": "shiba", "q": "佐藤 花子"}, headers=auth(ELDERLY))
    finally:
        client.app.dependency_overrides.clear()
    assert response.status_code == 500 and response.headers["cache-control"] == "no-store"
    detail = response.json()["detail"]
    error_id = detail["error_id"]
    assert detail["code"] == "internal_error" and error_id in detail["message"] and error_id in detail["message_en"]
    assert "佐藤" not in response.text
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("tsunagu")]
    assert lines == [f"unexpected error {error_id}: KeyError on GET /cases at " + lines[0].split(" at ", 1)[1]]
    assert "佐藤" not in lines[0] and "1961" not in lines[0] and not any(r.exc_info for r in caplog.records)
