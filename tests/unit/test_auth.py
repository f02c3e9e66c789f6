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
from infra.revocations import MemoryRevokedTokens

SECRET = "unit-test-secret-for-tokens-0123456789"


@pytest.fixture
def issuer(registry: Registry) -> TokenIssuer:
    return TokenIssuer(secret=SECRET, issuer="tsunagu", audience="tsunagu-api", ttl=timedelta(hours=1),
                       registry=registry, revoked=MemoryRevokedTokens())


def claims(**overrides: object) -> dict:
    now = datetime.now(UTC)
    base = {"sub": "tanaka-yui", "agency": "coordination", "roles": ["coordinator"], "iss": "tsunagu",
            "aud": "tsunagu-api", "iat": now, "exp": now + timedelta(hours=1), "jti": "a-token-id"}
    return {**base, **overrides}


def test_token_names_the_staff_member_agency_and_roles(issuer: TokenIssuer, registry: Registry) -> None:
    actor = issuer.verify(issuer.issue(registry.staff_member("tanaka-yui")))
    assert (actor.staff_id, actor.agency_id, actor.roles) == ("tanaka-yui", "coordination",
                                                             frozenset({Role.COORDINATOR}))


def test_well_formed_claims_are_accepted(issuer: TokenIssuer) -> None:
    """The baseline the rejections below differ from by one claim each."""
    assert issuer.verify(jwt.encode(claims(), SECRET, algorithm="HS256")).staff_id == "tanaka-yui"


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


@pytest.mark.parametrize("missing", ["iat", "jti"])
def test_token_without_issue_time_or_id_is_rejected(issuer: TokenIssuer, missing: str) -> None:
    token_claims = claims()
    del token_claims[missing]
    with pytest.raises(AuthenticationError):
        issuer.verify(jwt.encode(token_claims, SECRET, algorithm="HS256"))


def test_token_living_longer_than_the_server_allows_is_rejected_whoever_signed_it(issuer: TokenIssuer) -> None:
    now = datetime.now(UTC)
    at_limit = claims(iat=now, exp=now + timedelta(hours=1))
    assert issuer.verify(jwt.encode(at_limit, SECRET, algorithm="HS256")).staff_id == "tanaka-yui"
    too_long = claims(iat=now, exp=now + timedelta(hours=1, seconds=1))
    with pytest.raises(AuthenticationError, match="longer"):
        issuer.verify(jwt.encode(too_long, SECRET, algorithm="HS256"))
    backdated = claims(iat=now - timedelta(days=30), exp=now + timedelta(minutes=5))
    with pytest.raises(AuthenticationError, match="longer"):
        issuer.verify(jwt.encode(backdated, SECRET, algorithm="HS256"))


def test_issued_tokens_never_outlive_the_server_ttl(issuer: TokenIssuer, registry: Registry) -> None:
    token = issuer.issue(registry.staff_member("tanaka-yui"), ttl=timedelta(days=7))
    decoded = jwt.decode(token, SECRET, algorithms=["HS256"], audience="tsunagu-api")
    assert decoded["exp"] - decoded["iat"] == 3600 and decoded["jti"]


def test_a_revoked_token_is_rejected_and_others_are_not(issuer: TokenIssuer, registry: Registry) -> None:
    staff = registry.staff_member("tanaka-yui")
    signed_out, other = issuer.issue(staff), issuer.issue(staff)
    issuer.revoke(signed_out)
    with pytest.raises(AuthenticationError, match="signed out"):
        issuer.verify(signed_out)
    assert issuer.verify(other).staff_id == "tanaka-yui"
