"""Bearer tokens: only well-formed, signed, current tokens of registered staff are accepted."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from domain.registry import Registry
from domain.vocabulary import Role
from infra.auth import AuthenticationError, TokenIssuer

SECRET = "s" * 40


@pytest.fixture
def issuer(registry: Registry) -> TokenIssuer:
    return TokenIssuer(secret=SECRET, issuer="tsunagu", audience="tsunagu-api", ttl=timedelta(hours=1),
                       registry=registry)


def claims(**overrides: object) -> dict:
    now = datetime.now(UTC)
    base = {"sub": "tanaka-yui", "agency": "coordination", "roles": ["coordinator"], "iss": "tsunagu",
            "aud": "tsunagu-api", "iat": now, "exp": now + timedelta(hours=1)}
    return {**base, **overrides}


def test_token_names_the_staff_member_agency_and_roles(issuer: TokenIssuer, registry: Registry) -> None:
    actor = issuer.verify(issuer.issue(registry.staff_member("tanaka-yui")))
    assert (actor.staff_id, actor.agency_id, actor.roles) == ("tanaka-yui", "coordination",
                                                             frozenset({Role.COORDINATOR}))


@pytest.mark.parametrize("token_claims", [
    claims(exp=datetime.now(UTC) - timedelta(seconds=1)),
    claims(aud="someone-else"),
    claims(iss="someone-else"),
    claims(agency="hikikomori"),
    claims(sub="nobody"),
    claims(roles=["admin"]),
], ids=["expired", "wrong-audience", "wrong-issuer", "agency-mismatch", "unknown-staff", "role-not-held"])
def test_token_with_bad_claims_is_rejected(issuer: TokenIssuer, token_claims: dict) -> None:
    with pytest.raises(AuthenticationError):
        issuer.verify(jwt.encode(token_claims, SECRET, algorithm="HS256"))


def test_forged_signature_is_rejected(issuer: TokenIssuer) -> None:
    with pytest.raises(AuthenticationError):
        issuer.verify(jwt.encode(claims(), "f" * 40, algorithm="HS256"))


def test_alg_none_token_is_rejected(issuer: TokenIssuer) -> None:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data, default=str).encode()).rstrip(b"=").decode()

    unsigned = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims(iat=1, exp=4102444800))}."
    with pytest.raises(AuthenticationError):
        issuer.verify(unsigned)


def test_token_without_expiry_is_rejected(issuer: TokenIssuer) -> None:
    token_claims = claims()
    del token_claims["exp"]
    with pytest.raises(AuthenticationError):
        issuer.verify(jwt.encode(token_claims, SECRET, algorithm="HS256"))
