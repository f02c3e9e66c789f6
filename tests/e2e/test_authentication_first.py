"""Authentication before any other check: every API route in the OpenAPI document, called without a valid
token and with every query parameter, header, path parameter and body wrong — malformed, or well formed
but out of reach (``?after=`` past the log's head, ``as_of=9999-12-31``) — answers 401. An anonymous
caller learns nothing about its input, the log's head or a case first. Only the public routes answer."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from api.rate_limits import RateLimiter

pytestmark = pytest.mark.integration

PUBLIC = {("GET", "/healthz"), ("GET", "/readyz")}
CREDENTIALS = {"no token": {}, "a token that is not one": {"Authorization": "Bearer not-a-jwt"}}


def _types(schema: dict[str, Any]) -> set[str]:
    """The JSON types and formats a parameter's schema allows (``anyOf`` included)."""
    found = {schema.get("format") or schema.get("type") or ""}
    for option in schema.get("anyOf", []):
        found |= _types(option)
    return found - {"", "null"}


def malformed(schema: dict[str, Any]) -> str:
    return "not\x00a-value"


def out_of_reach(schema: dict[str, Any]) -> str:
    kinds = _types(schema)
    if "integer" in kinds or "number" in kinds:
        return "999999999"  # ?after= past the log's head; a fiscal year, a limit, a duration out of range
    if "date" in kinds:
        return "9999-12-31"
    if "date-time" in kinds:
        return "9999-12-31T23:59:59-14:00"
    return "x" * 300


BAD_HEADERS = {
    "malformed": {"If-Match": "yesterday", "Idempotency-Key": "with space", "Last-Event-ID": "abc"},
    "out of reach": {"If-Match": '"999999"', "Idempotency-Key": "k" * 300, "Last-Event-ID": "9" * 30},
}
BAD_BODIES = {"malformed": b'{"household_name": ', "out of reach": b'{"occurred_at": "9999-12-31T00:00:00+09:00"}'}


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, operation) for path, item in spec["paths"].items()
            for method, operation in item.items()]


def request_for(path: str, operation: dict[str, Any], variant: str) -> dict[str, Any]:
    value = malformed if variant == "malformed" else out_of_reach
    parameters = operation.get("parameters", [])
    for parameter in parameters:
        if parameter["in"] == "path":
            filled = "not-a-uuid" if variant == "malformed" else (
                str(uuid.uuid4()) if parameter["name"] == "case_id" else value(parameter["schema"]))
            path = path.replace("{" + parameter["name"] + "}", filled)
    query = {p["name"]: value(p["schema"]) for p in parameters if p["in"] == "query"}
    headers = dict(BAD_HEADERS[variant])
    body = None
    if "requestBody" in operation:
        body = BAD_BODIES[variant]
        headers["Content-Type"] = "application/json"
    return {"url": path, "params": query, "headers": headers, "content": body}


@pytest.fixture
def walker(client):
    """The client with rate limits off: a wrong token counts against the address's sign-ins, and this
    walk sends hundreds (the limits' own tests are in test_http_hardening)."""
    client.app.state.rate_limiter = RateLimiter({}, enabled=False)
    return client


@pytest.mark.parametrize("variant", ["malformed", "out of reach"])
@pytest.mark.parametrize("credentials", sorted(CREDENTIALS))
def test_every_route_answers_an_unauthenticated_caller_401_before_looking_at_its_input(walker, variant,
                                                                                      credentials) -> None:
    spec = walker.get("/openapi.json").json()
    walked, answered = 0, {}
    for method, path, operation in operations(spec):
        if (method, path) in PUBLIC:
            continue
        request = request_for(path, operation, variant)
        request["headers"].update(CREDENTIALS[credentials])
        response = walker.request(method, **request)
        walked += 1
        if response.status_code != 401 or response.headers.get("www-authenticate") != "Bearer":
            answered[f"{method} {path}"] = (response.status_code, response.text[:160])
    assert walked >= 45, "the walk should reach every protected route"
    assert answered == {}, f"{len(answered)} routes looked at the input before the caller: {answered}"


def test_the_public_routes_answer_anyone(walker) -> None:
    for method, path in PUBLIC:
        response = walker.request(method, path, params={"after": "999999999"})
        assert response.status_code == 200, (path, response.text)


def test_after_past_the_logs_head_is_422_for_a_signed_in_caller_only(walker, auth) -> None:
    """The case the issue found: ``?after=`` was answered 422 to anyone, telling them the log's head."""
    assert walker.get("/cases", params={"after": "999999999"}).status_code == 401
    response = walker.get("/cases", params={"after": "999999999"}, headers=auth("suzuki-kenta"))
    assert response.status_code == 422 and response.json()["detail"]["code"] == "position_not_written"


def test_a_malformed_body_from_a_signed_in_caller_is_still_422(walker, auth) -> None:
    response = walker.post("/cases", content=b'{"household_name": ', headers={
        **auth("suzuki-kenta"), "Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["detail"]["code"] == "invalid_input"
