"""An HTTP client on the real app, over the store under test, with tokens for the ward's staff."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from domain.application import Tsunagu
from domain.registry import Registry
from infra.auth import TokenIssuer

SECRET = "test-secret-" + "x" * 40


@pytest.fixture
def issuer(registry: Registry) -> TokenIssuer:
    return TokenIssuer(secret=SECRET, issuer="tsunagu", audience="tsunagu-api", ttl=timedelta(hours=1),
                       registry=registry)


@pytest.fixture
def client(tsunagu: Tsunagu, issuer: TokenIssuer) -> Iterator[TestClient]:
    with TestClient(create_app(tsunagu, issuer, max_body_bytes=100_000), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def auth(issuer: TokenIssuer, registry: Registry) -> Callable[[str], dict[str, str]]:
    return lambda staff_id: {"Authorization": f"Bearer {issuer.issue(registry.staff_member(staff_id))}"}
