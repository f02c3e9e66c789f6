"""Bearer tokens: HS256 JWTs naming the staff member, agency and roles.

The algorithm, issuer, audience and expiry are always checked; the claims must
agree with the ward registry, which stays the source of truth for roles.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt

from domain.actor import Actor
from domain.errors import NotFound
from domain.registry import Registry, Staff
from domain.vocabulary import Role

ALGORITHM = "HS256"


class AuthenticationError(Exception):
    """The bearer token is missing, malformed, forged, expired or for someone unknown."""


class TokenIssuer:
    def __init__(self, *, secret: str, issuer: str, audience: str, ttl: timedelta, registry: Registry) -> None:
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl
        self._registry = registry

    def issue(self, staff: Staff, *, now: datetime | None = None, ttl: timedelta | None = None) -> str:
        now = now or datetime.now(UTC)
        claims = {
            "sub": staff.id, "agency": staff.agency, "roles": [str(r) for r in staff.roles],
            "name": staff.name, "iss": self._issuer, "aud": self._audience, "iat": now,
            "exp": now + (ttl or self._ttl), "jti": uuid4().hex,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Actor:
        try:
            claims = jwt.decode(token, self._secret, algorithms=[ALGORITHM], audience=self._audience,
                                issuer=self._issuer, options={"require": ["exp", "iat", "sub", "iss", "aud"]})
        except jwt.PyJWTError as error:
            raise AuthenticationError(str(error)) from error
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
