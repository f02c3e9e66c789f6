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
from infra.bootstrap import Services
from infra.revocations import RevokedTokens, revoked_tokens
from infra.settings import Settings
from projections import build_read_models
from projections.runner import BatchRunner

SECRET = "test-secret-for-signing-e2e-tokens-0123456789"


@pytest.fixture
def revoked(store_env: dict[str, str]) -> Iterator[RevokedTokens]:
    """The deny-list of signed-out tokens, in the store under test (as deployed)."""
    deny_list = revoked_tokens(store_env)
    yield deny_list
    deny_list.close()


@pytest.fixture
def issuer(registry: Registry, revoked: RevokedTokens) -> TokenIssuer:
    return TokenIssuer(secret=SECRET, issuer="tsunagu", audience="tsunagu-api", ttl=timedelta(hours=1),
                       registry=registry, revoked=revoked)


@pytest.fixture
def services(tsunagu: Tsunagu, issuer: TokenIssuer, store_env: dict[str, str], tmp_path) -> Iterator[Services]:
    settings = Settings(data_dir=tmp_path, jwt_secret=SECRET, max_body_bytes=100_000, read_wait_seconds=10)
    read_models = build_read_models(store_env)
    yield Services(settings=settings, tsunagu=tsunagu, read_models=read_models,
                   runner=BatchRunner(tsunagu, read_models.all()), token_issuer=issuer)
    for model in read_models.all():  # each view has its own pool: give the connections back
        datastore = getattr(model.view, "datastore", None)
        if datastore is not None and hasattr(datastore, "close"):
            datastore.close()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def auth(issuer: TokenIssuer, registry: Registry) -> Callable[[str], dict[str, str]]:
    return lambda staff_id: {"Authorization": f"Bearer {issuer.issue(registry.staff_member(staff_id))}"}
