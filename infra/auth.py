"""Bearer tokens: HS256 JWTs naming the staff member, agency and roles.

The algorithm, issuer, audience, expiry, issue time and token id are always checked; a token
living longer than the server's TTL is refused whatever its signer chose; a signed-out token
(its ``jti`` in the deny-list) is refused until it would have expired. The claims must agree with
the ward registry, which stays the source of truth for roles.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import jwt

from domain.actor import Actor
from domain.errors import NotFound
from domain.registry import Registry, Staff
from domain.vocabulary import Role
from infra.revocations import RevokedTokens

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "jti", "sub", "iss", "aud"]


class AuthenticationError(Exception):
    """The bearer token is missing, malformed, forged, expired, signed out or for someone unknown."""


class TokenIssuer:
    def __init__(self, *, secret: str, issuer: str, audience: str, ttl: timedelta, registry: Registry,
                 revoked: RevokedTokens) -> None:
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl
        self._registry = registry
        self._revoked = revoked

    @property
    def ttl(self) -> timedelta:
        """The longest a token may live (``exp - iat``)."""
        return self._ttl

    def issue(self, staff: Staff, *, now: datetime | None = None, ttl: timedelta | None = None) -> str:
        now = now or datetime.now(UTC)
        claims = {
            "sub": staff.id, "agency": staff.agency, "roles": [str(r) for r in staff.roles],
            "name": staff.name, "iss": self._issuer, "aud": self._audience, "iat": now,
            "exp": now + min(ttl or self._ttl, self._ttl), "jti": uuid4().hex,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Actor:
        claims = self._claims(token)
        try:
            staff = self._registry.staff_member(str(claims["sub"]))
        except NotFound as error:
            raise AuthenticationError("unknown staff member") from error
        if claims.get("agency") != staff.agency:
            raise AuthenticationError("the token's agency does not match the registry")
        claimed = set(claims.get("roles") or [])
        roles = frozenset(r for r in staff.roles if str(r) in claimed)
        if not roles:
            raise AuthenticationError("the token names no role the staff member holds")
        return Actor(staff_id=staff.id, agency_id=staff.agency, roles=frozenset(Role(r) for r in roles))

    def revoke(self, token: str) -> None:
        """Sign the token out: it is refused from now on, by every process on this store."""
        claims = self._claims(token)
        self._revoked.revoke(str(claims["jti"]), expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC))

    def _claims(self, token: str) -> dict[str, Any]:
        try:
            claims = jwt.decode(token, self._secret, algorithms=[ALGORITHM], audience=self._audience,
                                issuer=self._issuer, options={"require": REQUIRED_CLAIMS})
        except jwt.PyJWTError as error:
            raise AuthenticationError(str(error)) from error
        if int(claims["exp"]) - int(claims["iat"]) > self._ttl.total_seconds():
            raise AuthenticationError("the token lives longer than the server allows")
        if not isinstance(claims["jti"], str) or not claims["jti"]:
            raise AuthenticationError("the token has no id")
        if self._revoked.is_revoked(claims["jti"]):
            raise AuthenticationError("the token was signed out")
        return claims
