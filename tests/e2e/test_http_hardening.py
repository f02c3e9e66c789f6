"""HTTP hardening on the real app: a server-side token lifetime, revocation on sign-out, rate limits
answered 429 with Retry-After, nothing cacheable, /readyz that tells strangers nothing, and /docs
without a CDN."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.main import create_app
from api.rate_limits import LIMITED_ROUTES
from infra.auth import AuthenticationError, TokenIssuer
from infra.bootstrap import Services
from infra.revocations import revoked_tokens
from tests.e2e.conftest import SECRET

pytestmark = pytest.mark.integration

CASEWORKER, COORDINATOR, AUDITOR = "suzuki-kenta", "tanaka-yui", "watanabe-makoto"
REASON = {"reason": "本人と連絡が取れず、室内で倒れている可能性があるため安否確認に必要な情報を確認する。"}


@pytest.fixture
def case_id(client, auth) -> str:
    response = client.post("/cases", json={"household_name": "安全家", "household_name_kana": "あんぜんけ"},
                           headers=auth(CASEWORKER))
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


@pytest.fixture
def app_with(services: Services) -> Callable[..., TestClient]:
    """A client on the app over the same store, with some settings changed (e.g. small limits)."""
    def make(**changes: object) -> TestClient:
        settings = services.settings.model_copy(update=changes)
        return TestClient(create_app(dataclasses.replace(services, settings=settings)),
                          raise_server_exceptions=False, follow_redirects=False)
    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def signed(**claims: object) -> str:
    now = datetime.now(UTC)
    return jwt.encode({"sub": CASEWORKER, "agency": "elderly-shiba", "roles": ["caseworker"], "iss": "tsunagu",
                       "aud": "tsunagu-api", "iat": now, "exp": now + timedelta(minutes=30), "jti": uuid.uuid4().hex,
                       **claims}, SECRET, algorithm="HS256")


# ----- tokens -----------------------------------------------------------------------------------


def test_a_token_living_longer_than_the_server_allows_is_refused_whoever_signed_it(client, case_id) -> None:
    assert client.get(f"/cases/{case_id}", headers=bearer(signed())).status_code == 200  # the same, but short
    now = datetime.now(UTC)
    for token in (signed(exp=now + timedelta(days=365)),
                  signed(iat=now - timedelta(days=2), exp=now + timedelta(minutes=5)),
                  signed(iat=None)):
        response = client.get(f"/cases/{case_id}", headers=bearer(token))
        assert response.status_code == 401 and response.json()["detail"]["code"] == "unauthenticated"


def test_a_token_signed_out_over_the_api_is_refused_from_then_on_by_every_process(
        client, case_id, issuer, registry, store_env) -> None:
    staff = registry.staff_member(CASEWORKER)
    token, other = issuer.issue(staff), issuer.issue(staff)
    assert client.get(f"/cases/{case_id}/timeline", headers=bearer(token)).status_code == 200
    assert client.post("/auth/sign-out", headers=bearer(token)).status_code == 204
    refused = client.get(f"/cases/{case_id}/timeline", headers=bearer(token))
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert client.post("/auth/sign-out", headers=bearer(token)).status_code == 401
    assert client.get(f"/cases/{case_id}/timeline", headers=bearer(other)).status_code == 200
    deny_list = revoked_tokens(store_env)  # another API process on the same store
    try:
        elsewhere = TokenIssuer(secret=SECRET, issuer="tsunagu", audience="tsunagu-api", ttl=timedelta(hours=1),
                                registry=registry, revoked=deny_list)
        with pytest.raises(AuthenticationError, match="signed out"):
            elsewhere.verify(token)
        assert elsewhere.verify(other).staff_id == CASEWORKER
    finally:
        deny_list.close()


def test_signing_out_of_the_pages_revokes_the_session_token(client, issuer, registry, case_id) -> None:
    token = issuer.issue(registry.staff_member(CASEWORKER))
    page = client.get("/ui/signin")
    signed_in = client.post("/ui/signin", data={"csrf_token": csrf_of(page.text), "token": token},
                            follow_redirects=False)
    assert signed_in.status_code == 303 and client.cookies.get("tsunagu_session") == token
    home = client.get("/ui/")
    out = client.post("/ui/signout", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get(f"/cases/{case_id}", headers=bearer(token)).status_code == 401
    client.cookies.set("tsunagu_session", token, path="/ui")  # a copied cookie is dead too
    assert client.get("/ui/", follow_redirects=False).status_code == 303


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the page has a CSRF token"
    return found.group(1)


# ----- rate limits ------------------------------------------------------------------------------


def assert_rate_limited(response, *, window_seconds: int) -> None:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= window_seconds


def test_case_reads_over_a_staff_members_limit_get_429_with_retry_after(app_with, auth, case_id) -> None:
    client = app_with(rate_limit_reads_per_staff="3/minute")
    for path in ("", "/timeline", "/timeline"):
        assert client.get(f"/cases/{case_id}{path}", headers=auth(CASEWORKER)).status_code == 200
    limited = client.get(f"/cases/{case_id}/timeline", headers=auth(CASEWORKER))
    assert_rate_limited(limited, window_seconds=60)
    assert limited.json()["detail"]["code"] == "rate_limited" and "秒後" in limited.json()["detail"]["message"]
    assert client.get(f"/cases/{case_id}", headers=auth(COORDINATOR)).status_code in (200, 404)  # others go on


def test_reads_from_one_address_over_its_limit_get_429_whoever_reads(app_with, auth, case_id) -> None:
    client = app_with(rate_limit_reads_per_address="4/minute")
    for staff in (CASEWORKER, COORDINATOR, CASEWORKER, COORDINATOR):
        assert client.get(f"/cases/{case_id}", headers=auth(staff)).status_code in (200, 404)
    assert_rate_limited(client.get(f"/cases/{case_id}", headers=auth(AUDITOR)), window_seconds=60)
    assert client.post("/cases", json={"household_name": "別家", "household_name_kana": "べつけ"},
                       headers=auth(CASEWORKER)).status_code == 201  # writes are not reads


def test_break_glass_over_the_limit_gets_429(app_with, auth, case_id) -> None:
    client = app_with(rate_limit_break_glass_per_staff="2/hour")
    for _ in range(2):
        assert client.post(f"/cases/{case_id}/emergency-access", json=REASON,
                           headers=auth(COORDINATOR)).status_code != 429
    assert_rate_limited(client.post(f"/cases/{case_id}/emergency-access", json=REASON, headers=auth(COORDINATOR)),
                        window_seconds=3600)


def test_sign_in_attempts_over_the_limit_get_429_on_the_page(app_with, issuer, registry) -> None:
    client = app_with(rate_limit_sign_in_per_address="3/minute")
    page = client.get("/ui/signin")
    for _ in range(3):
        wrong = client.post("/ui/signin", data={"csrf_token": csrf_of(page.text), "token": "not-a-token"})
        assert wrong.status_code == 401
    right = issuer.issue(registry.staff_member(CASEWORKER))
    limited = client.post("/ui/signin", data={"csrf_token": csrf_of(page.text), "token": right})
    assert_rate_limited(limited, window_seconds=60)
    assert "text/html" in limited.headers["content-type"] and "tsunagu_session" not in client.cookies


def test_failed_bearer_tokens_from_an_address_get_429_but_valid_ones_still_pass(app_with, auth, case_id) -> None:
    client = app_with(rate_limit_sign_in_per_address="3/minute")
    for attempt in range(3):
        assert client.get(f"/cases/{case_id}", headers=bearer(f"guess-{attempt}")).status_code == 401
    assert_rate_limited(client.get(f"/cases/{case_id}", headers=bearer("guess-4")), window_seconds=60)
    assert client.get(f"/cases/{case_id}", headers=auth(CASEWORKER)).status_code == 200


def test_every_limited_route_exists(client) -> None:
    """A renamed or re-methoded route would silently lose its limit: the table must match the app's routes."""
    routes = {(method, route.path) for route in api_routes(client.app.routes) for method in route.methods}
    assert set(LIMITED_ROUTES) <= routes, set(LIMITED_ROUTES) - routes


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """The app's routes, through the routers it includes (FastAPI wraps each in an ``original_router``; our
    routers have no prefix, so a route's path is the path served)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from api_routes(included.routes)


# ----- caching ----------------------------------------------------------------------------------


def test_nothing_with_personal_data_may_be_cached(client, auth, case_id) -> None:
    fiscal_year = 2026
    responses = {
        "json": client.get(f"/cases/{case_id}/timeline", headers=auth(CASEWORKER)),
        "csv": client.get("/audit/access", params={"format": "csv"}, headers=auth(AUDITOR)),
        "xlsx": client.get(f"/indicators/{fiscal_year}/download", params={"format": "xlsx"},
                           headers=auth(CASEWORKER)),
        "page": client.get("/ui/signin"),
        "error": client.get(f"/cases/{case_id}/timeline"),
    }
    assert responses["csv"].headers["content-type"].startswith("text/csv")
    assert "spreadsheetml" in responses["xlsx"].headers["content-type"]
    for kind, response in responses.items():
        assert response.status_code in (200, 401), (kind, response.status_code)
        assert response.headers["cache-control"] == "no-store", kind
        assert response.headers["pragma"] == "no-cache", kind
    static = client.get("/ui/static/tsunagu.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")


# ----- readiness and docs -----------------------------------------------------------------------


def test_readiness_tells_anonymous_callers_only_ready_and_auditors_the_details(client, auth) -> None:
    for headers in ({}, auth(CASEWORKER), bearer("not-a-token")):
        response = client.get("/readyz", headers=headers)
        assert response.status_code == 200 and response.json() == {"status": "ready"}
    detailed = client.get("/readyz", headers=auth(AUDITOR)).json()
    assert detailed["status"] == "ready" and isinstance(detailed["position"], int)


def test_docs_load_their_scripts_from_this_server_not_a_cdn(client, app_with) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(asset.startswith("/docs-static/") for asset in assets), assets
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    for asset in assets:
        assert client.get(asset).status_code == 200
    assert app_with(docs=False).get("/docs").status_code == 404
