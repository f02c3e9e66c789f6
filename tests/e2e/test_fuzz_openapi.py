"""Schemathesis against our own OpenAPI, as each role and without a token: no server errors,
no responses outside the documented schema, and authentication is never skipped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import create_app
from domain.application import Tsunagu
from infra.auth import TokenIssuer
from infra.bootstrap import Services
from infra.demo import seed_demo
from infra.revocations import revoked_tokens
from infra.settings import Settings
from projections import build_read_models
from projections.runner import BatchRunner

pytestmark = pytest.mark.integration
ROLES = ("tanaka-yui", "suzuki-kenta", "watanabe-makoto", "kobayashi-shota")  # coordinator, caseworker, auditor, admin
OPEN_PATHS = {"/healthz", "/readyz"}
SECRET = "fuzz-secret-for-signing-tokens-0123456789"


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, registry):
    data = tmp_path_factory.mktemp("fuzz")
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(data / "events.db")}
    tsunagu = Tsunagu(env, registry=registry,
                      clock=lambda: datetime(2026, 11, 25, 3, 0, tzinfo=UTC))
    seed_demo(tsunagu, households=5)
    read_models = build_read_models(env)
    issuer = TokenIssuer(secret=SECRET, issuer="tsunagu", audience="tsunagu-api", ttl=timedelta(days=3650),
                         registry=registry, revoked=revoked_tokens(env))
    services = Services(settings=Settings(data_dir=data, jwt_secret=SECRET, projections_in_process=False),
                        tsunagu=tsunagu, read_models=read_models, runner=BatchRunner(tsunagu, read_models.all()),
                        token_issuer=issuer)
    services.runner.catch_up()
    app = create_app(services)
    app.state.fuzz_tokens = {staff: issuer.issue(registry.staff_member(staff)) for staff in ROLES}
    return app


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ = settings(max_examples=3, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def test_every_operation_as_every_role_never_errors_and_keeps_to_its_schema(fuzz_app, figures) -> None:
    api = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    operations = [result.ok() for result in api.get_all_operations()]
    failures: dict[str, str] = {}
    calls = [0]
    for operation in operations:
        @FUZZ
        @given(case=operation.as_strategy())
        def fuzz(case) -> None:
            for token in fuzz_app.state.fuzz_tokens.values():
                case.validate_response(case.call(headers={"Authorization": f"Bearer {token}"}), checks=CHECKS)
            anonymous = case.call(headers={"Authorization": ""})
            calls[0] += len(fuzz_app.state.fuzz_tokens) + 1
            case.validate_response(anonymous, checks=[not_a_server_error])
            if case.path not in OPEN_PATHS:
                assert anonymous.status_code in (401, 413, 422), anonymous.status_code

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as error:
            failures[operation.label] = f"{type(error).__name__}: {str(error)[:400]}"
    figures(operations=len(operations), roles=len(ROLES), requests=calls[0], failing_operations=len(failures))
    assert len(operations) >= 40
    assert failures == {}, json.dumps(failures, ensure_ascii=False, indent=1)
