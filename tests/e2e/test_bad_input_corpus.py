"""A corpus of hostile and malformed input: each answers a clear 4xx (never a 500) and writes
nothing, or is stored exactly as written."""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.integration
ELDERLY = "suzuki-kenta"


@pytest.fixture
def case_id(client, auth) -> str:
    return client.post("/cases", json={"household_name": "田中家", "household_name_kana": "たなかけ"},
                       headers=auth(ELDERLY)).json()["case_id"]


def position(tsunagu) -> int:
    return tsunagu.recorder.max_notification_id() or 0


DEPTH = 10_000  # far beyond any parser's recursion, yet 20-60 kB: under the body-size limit (100 kB here)
RAW_BODIES = {
    "deep_nesting_arrays": '{"field": "elderly", "summary": ' + "[" * DEPTH + "]" * DEPTH + "}",
    "deep_nesting_objects": '{"field": "elderly", "summary": ' + '{"a":' * DEPTH + "1" + "}" * DEPTH + "}",
    "huge_integer": '{"seq": ' + "9" * 5000 + ', "correction": "x"}',
    "huge_float": '{"seq": 1e400, "correction": "x"}',
    "not_json": "field=elderly&summary=x",
    "truncated_json": '{"field": "elderly", "summary": "x"',
    "json_array": '["elderly", "x"]',
    "duplicate_keys": '{"field": "elderly", "field": "bogus", "summary": "x"}',
    "lone_surrogate_escape": '{"field": "elderly", "summary": "\\udc00"}',
}


@pytest.mark.parametrize("name", sorted(RAW_BODIES))
def test_malformed_bodies_are_4xx_and_write_nothing(client, auth, case_id, tsunagu, services, name,
                                                    figures) -> None:
    assert len(RAW_BODIES[name].encode()) < services.settings.max_body_bytes, "the parser must see every one"
    before = position(tsunagu)
    path = "corrections" if "seq" in RAW_BODIES[name] else "consultations"
    response = client.post(f"/cases/{case_id}/{path}", content=RAW_BODIES[name].encode(),
                           headers={**auth(ELDERLY), "Content-Type": "application/json"})
    detail = response.json().get("detail")
    figures(input=name, status=response.status_code, written=position(tsunagu) - before,
            bytes=len(RAW_BODIES[name].encode()), code=detail.get("code") if isinstance(detail, dict) else None)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
    assert response.status_code != 413, "under the size limit: the parser must see it and answer for it"
    assert isinstance(detail, dict) and detail["code"] and detail["message"], response.text[:200]
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


# ----- the inputs the security review found answered 500 (with the input in the log) -----------------------------

PLANTED = "漏洩確認太郎"


def errors_logged(caplog) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING]


def planted_in_logs(caplog) -> list[str]:
    """The server's log lines carrying the planted name (the test client's own, ``httpx``, aside)."""
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    return [r.getMessage() for r in server if PLANTED in r.getMessage() or quote(PLANTED) in r.getMessage()
            or (r.exc_info and PLANTED in logging.Formatter().formatException(r.exc_info))]


@pytest.mark.parametrize("params", [{"case_id": PLANTED}, {"reader_staff": f"{PLANTED} 様"}, {"case_id": "x" * 101},
                                    {"year": "1800"}, {"year": PLANTED}])
@pytest.mark.parametrize("page", ["/ui/audit", "/ui/audit/unconsented.csv"])
def test_invalid_audit_page_filters_are_400_and_log_nothing(client, auth, caplog, page, params) -> None:
    caplog.set_level(logging.DEBUG)
    client.cookies.set("tsunagu_session", auth("watanabe-makoto")["Authorization"].removeprefix("Bearer "))
    response = client.get(page, params=params, follow_redirects=False)
    assert response.status_code == 400, response.text[:300]
    assert errors_logged(caplog) == [] and planted_in_logs(caplog) == []


def form_headers() -> dict[str, str]:
    return {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize(("page", "status"), [("/ui/signin", 400), ("/ui/signout", 400),
                                              ("/ui/cases/search", 303)])  # 303: to sign in, the form unread
def test_more_than_a_thousand_form_fields_without_signing_in_are_4xx(client, caplog, page, status) -> None:
    caplog.set_level(logging.DEBUG)
    body = "&".join(f"f{i}={quote(PLANTED)}" for i in range(1001))
    response = client.post(page, content=body.encode(), headers=form_headers(), follow_redirects=False)
    assert response.status_code == status, response.text[:300]
    assert errors_logged(caplog) == [] and planted_in_logs(caplog) == []


def test_a_thousand_multipart_fields_without_signing_in_are_400(client, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    parts = "".join(f'--B\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\n{PLANTED}\r\n' for i in range(1001))
    response = client.post("/ui/signin", content=(parts + "--B--\r\n").encode(),
                           headers={"Content-Type": "multipart/form-data; boundary=B"})
    assert response.status_code == 400
    assert errors_logged(caplog) == [] and planted_in_logs(caplog) == []


@pytest.mark.parametrize(("page", "status"), [("/ui/signin", 413), ("/ui/cases/search", 303)])
def test_an_oversized_chunked_form_without_signing_in_is_refused(client, caplog, page, status) -> None:
    caplog.set_level(logging.DEBUG)

    def chunks():  # no Content-Length: the size is known only as it arrives
        for _ in range(200):
            yield f"token={quote(PLANTED) * 30}&".encode()

    response = client.post(page, content=chunks(), headers=form_headers(), follow_redirects=False)
    assert response.status_code == status
    if status == 413:
        assert response.json()["detail"]["code"] == "body_too_large"
    assert errors_logged(caplog) == [] and planted_in_logs(caplog) == []


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "2200-01-01", PLANTED])
def test_workloads_far_from_today_are_422(client, auth, caplog, as_of) -> None:
    caplog.set_level(logging.DEBUG)
    response = client.get("/workloads/elderly-shiba", params={"as_of": as_of}, headers=auth(ELDERLY))
    assert response.status_code == 422
    assert response.json()["detail"]["fields"][0]["field"] == "query.as_of"
    assert errors_logged(caplog) == [] and planted_in_logs(caplog) == []
