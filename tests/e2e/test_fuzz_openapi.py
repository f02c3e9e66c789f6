"""Schemathesis against our own OpenAPI.

Stateless: every operation, generated from its schema, as each role and without a token: no server
errors, no responses outside the documented schema, and authentication is never skipped.

Stateful: OpenAPI links (added to the schema here) lead from what creates a case, a member, a consent, a
referral, a meeting … to the routes that take its id, so commands and reads run on cases that exist.
Every step is sent as the opening agency's caseworker, a coordinator, an auditor and another agency:
no 5xx, every 4xx in the API's error shape, and the run must reach existing cases (a fuzzer that only
ever meets 404 would report nothing while every command on a real case answered 500).
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Flaky
from schemathesis.checks import not_a_server_error
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput, normalize_name
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import create_app
from domain.application import Tsunagu
from domain.registry import Registry
from infra.auth import TokenIssuer
from infra.bootstrap import Services
from infra.demo import seed_demo
from infra.revocations import revoked_tokens
from infra.settings import Settings
from projections import build_read_models
from projections.runner import BatchRunner

pytestmark = pytest.mark.integration
ROLES = ("tanaka-yui", "suzuki-kenta", "watanabe-makoto", "kobayashi-shota")  # coordinator, caseworker, auditor, admin
# The stateful run, in this order: the opening agency's caseworker goes last, and later steps build on its
# answer (or on another role's, when only that one succeeded).
STATEFUL_ROLES = {"another agency": "inoue-kazuki", "auditor": "watanabe-makoto", "coordinator": "tanaka-yui",
                  "opening caseworker": "suzuki-kenta"}
OPENER = "opening caseworker"
OPEN_PATHS = {"/healthz", "/readyz"}
SECRET = "fuzz-secret-for-signing-tokens-0123456789"
CASE = "/cases/{case_id}"


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
    # Rate limits off: a fuzzer reads the same case far faster than a person, and a 429 answered before
    # the handler would hide what the handler does (the limits have tests of their own).
    services = Services(settings=Settings(data_dir=data, jwt_secret=SECRET, projections_in_process=False,
                                          rate_limits=False),
                        tsunagu=tsunagu, read_models=read_models, runner=BatchRunner(tsunagu, read_models.all()),
                        token_issuer=issuer)
    services.runner.catch_up()
    services.runner.start(poll_interval=0.05)  # as deployed: reads that wait for the read models get them
    app = create_app(services)
    app.state.fuzz_tokens = {staff: issuer.issue(registry.staff_member(staff)) for staff in ROLES}
    app.state.stateful_tokens = {role: issuer.issue(registry.staff_member(staff))
                                 for role, staff in STATEFUL_ROLES.items()}
    yield app
    services.runner.stop()


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
    figures(operations=len(operations), roles=len(ROLES), requests=calls[0], failing_operations=len(failures),
            checks=[check.__name__ for check in CHECKS])
    assert len(operations) >= 40
    assert failures == {}, json.dumps(failures, ensure_ascii=False, indent=1)


# ----- stateful: links from what is created to the routes that take its id ------------------------------------

# A created id reaches the routes below its collection (POST /cases/{case_id}/members creates what
# /cases/{case_id}/members/{member_id}/... takes); these are the ones the paths do not say.
CREATED_ELSEWHERE = {  # (source path, target path): {target path parameter: runtime expression}
    ("/cases/{case_id}/emergency-access", "/audit/emergency-access/{case_id}/{grant_id}/review"):
        {"case_id": "$response.body#/case_id", "grant_id": "$response.body#/id"},
}
CREATED_FROM_REQUEST = {"tag": "$request.body#/tag"}  # an issue is named by its tag, not by a new id
# Who a record concerns is a member id in the body: a created member is offered to every command that names one.
MEMBER_IN_BODY = {"member_id": "$response.body#/id", "subjects": ["$response.body#/id"],
                  "tabled_subjects": ["$response.body#/id"]}
# A few bodies need more than an id to get past the rules: the link gives those fields, the rest is generated.
# A consent about the member just added, in writing and in force; a 支援会議 (convened by the coordinator)
# on that member; a referral within what a consent just given covers (its first agency, categories, member).
LINKED_BODIES = {
    (f"{CASE}/members", f"{CASE}/consents"): {
        "member_id": "$response.body#/id", "given_by": "self", "method": "written", "heard_by": None,
        "document_ref": "同意書 第1号", "valid_until": "2027-03-31"},
    (f"{CASE}/members", f"{CASE}/meetings"): {
        "kind": "support", "held_on": "2026-11-25", "until": "2026-12-10", "tabled_subjects": ["$response.body#/id"],
        "tabled_categories": ["consultation"], "participants": [
            {"agency": "elderly-shiba", "staff": STATEFUL_ROLES[OPENER], "pledged": True},
            {"agency": "coordination", "staff": STATEFUL_ROLES["coordinator"], "pledged": True}]},
    (f"{CASE}/consents", f"{CASE}/referrals"): {
        "to_agency": "$request.body#/agencies/0", "categories": "$request.body#/categories",
        "subjects": ["$request.body#/member_id"]},
}


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], list[str]]]:
    return [(path, method, operation, [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"])
            for path, methods in spec["paths"].items() for method, operation in methods.items()]


def _body_fields(spec: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in body:
        body = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return set(body.get("properties", {}))


def _link(spec_links: dict[str, Any], name: str, target: dict[str, Any], parameters: dict[str, str],
          body: dict[str, Any] | None = None) -> None:
    link: dict[str, Any] = {"operationId": target["operationId"],
                            "parameters": {f"path.{k}": v for k, v in parameters.items()}}
    if body is not None:
        link["requestBody"] = body
        link["x-schemathesis"] = {"merge_body": True}
    spec_links[name] = link


def with_links(spec: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The API's OpenAPI with links from every creating command to the operations that take what it created.
    A case's state and timeline are linked from its opening: a scenario can read them after any later step."""
    spec = copy.deepcopy(spec)
    operations = _operations(spec)
    count = 0
    for source_path, method, source, _ in operations:
        if method != "post" or not source_path.startswith("/cases"):
            continue
        for status, response in source["responses"].items():
            if not status.startswith("2"):
                continue
            links = response.setdefault("links", {})
            for target_path, _, target, parameters in operations:
                given_ids: dict[str, str] | None = None
                if source_path == "/cases":
                    if parameters == ["case_id"] and target_path.startswith(CASE):
                        given_ids = {"case_id": "$response.body#/case_id"}
                elif target_path.startswith(source_path + "/{") and status == "201":
                    created = target_path[len(source_path) + 2:].split("}", 1)[0]
                    given_ids = {"case_id": "$response.body#/case_id",
                                 created: CREATED_FROM_REQUEST.get(created, "$response.body#/id")}
                elif (source_path, target_path) in CREATED_ELSEWHERE and status == "201":
                    given_ids = CREATED_ELSEWHERE[source_path, target_path]
                about: dict[str, Any] = {}
                if source_path == f"{CASE}/members" and status == "201" and parameters == ["case_id"]:
                    about = {field: expression for field, expression in MEMBER_IN_BODY.items()
                             if field in _body_fields(spec, target)}
                if status == "201" and (source_path, target_path) in LINKED_BODIES:
                    about = LINKED_BODIES[source_path, target_path]
                if about:
                    _link(links, f"{target['operationId']}_with_what_was_created", target,
                          {"case_id": "$response.body#/case_id"}, about)
                    count += 1
                if given_ids is not None and set(given_ids) == set(parameters):
                    _link(links, target["operationId"], target, given_ids)
                    count += 1
    return spec, count


# What the server accepts, narrower than what the schema says: the stateful run draws from this, so that
# commands get past validation and run on the case (the stateless run above keeps to the bare schema,
# and tests/e2e/test_bad_input_corpus.py sends what should be refused).
_NO_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
TEXT = rf"^[^{_NO_CONTROLS}]*$"
REQUIRED_TEXT = rf"^[^{_NO_CONTROLS}]*[^{_NO_CONTROLS}\s][^{_NO_CONTROLS}]*$"
DATES = ["2025-04-01", "2026-06-01", "2026-11-25", "2026-12-10", "2027-03-31"]  # the app's clock: 2026-11-25
BIRTH_DATES = ["1938-02-11", "1974-05-10", "2012-07-07"]
HEADERS = {"idempotency-key": {"type": "string", "pattern": "^[A-Za-z0-9-]{8,36}$"}}


def _request_schemas(spec: dict[str, Any]) -> set[str]:
    """The component schemas request bodies use, directly or through others."""
    found: set[str] = set()
    pending: list[Any] = [op.get("requestBody", {}) for methods in spec["paths"].values() for op in methods.values()]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/components/schemas/") and (name := reference.rsplit("/", 1)[1]) not in found:
                found.add(name)
                pending.append(spec["components"]["schemas"][name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def plausible(spec: dict[str, Any], registry: Registry) -> dict[str, Any]:
    """The schema narrowed to inputs the server accepts: text without control characters (and not blank where
    required), dates from a short list, the ward's agencies, staff, districts and meeting participants, a
    well-formed Idempotency-Key and no If-Match; ``occurred_at`` left to default to now."""
    agencies, staff = [a.id for a in registry.agencies], [s.id for s in registry.staff]
    vocabulary = {"agency": agencies, "to_agency": agencies, "target_agency": agencies,
                  "alternative_agency": agencies, "agencies": agencies, "staff": staff, "heard_by": staff,
                  "district": [d.id for d in registry.districts]}
    participants = [{"agency": s.agency, "staff": s.id, "pledged": True} for s in registry.staff[:8]]

    def narrow(node: Any, name: str | None = None) -> Any:
        if isinstance(node, list):
            return [narrow(item, name) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: ({prop: narrow(schema, prop) for prop, schema in value.items() if prop != "occurred_at"}
                      if key == "properties" else narrow(value, name) if key in ("items", "anyOf") else value)
                for key, value in node.items()}
        if name == "participants" and node.get("type") == "array":  # a participant is staff of its own agency
            return {**node, "items": {"enum": participants}}
        if node.get("type") != "string" or "enum" in node:
            return node
        if name in vocabulary:
            return {"type": "string", "enum": vocabulary[name]}
        if "pattern" in node:
            return node
        if node.get("format") == "date":
            return {"type": "string", "enum": BIRTH_DATES if name == "birth_date" else DATES}
        if "format" not in node:
            node["pattern"] = REQUIRED_TEXT if node.get("minLength", 0) >= 1 else TEXT
        return node

    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    for name in _request_schemas(spec):  # what answers say is left as documented
        schemas[name] = narrow(schemas[name])
    for methods in spec["paths"].values():
        for operation in methods.values():
            # If-Match left out: a version drawn at random is a 409 before the command is looked at (the
            # stale-version answer has its tests in test_api_edges.py).
            operation["parameters"] = [p for p in operation.get("parameters", [])
                                       if not (p["in"] == "header" and p["name"] == "if-match")]
            for parameter in operation["parameters"]:
                if parameter["in"] == "header" and parameter["name"] in HEADERS:
                    parameter["schema"] = HEADERS[parameter["name"]]
    return spec


def _error_shape_problem(response: Any) -> str | None:
    """Why a 4xx body is not the API's one error shape ({"detail": {"code", "message", "message_en"}})."""
    try:
        detail = response.json()["detail"]
    except (ValueError, KeyError, TypeError):
        return f"not the error shape: {response.text[:200]!r}"
    if not isinstance(detail, dict) or not all(isinstance(detail.get(k), str) and detail[k].strip()
                                               for k in ("code", "message", "message_en")):
        return f"not the error shape: {response.text[:200]!r}"
    return None


# The budget: ~40 s on a 2-core machine. Deeper routes (a consent's withdrawal, a referral's answer) are
# reached in some runs only; TSUNAGU_FUZZ_SCENARIOS=200 searches longer (not in CI).
STATEFUL = settings(max_examples=int(os.environ.get("TSUNAGU_FUZZ_SCENARIOS", "30")), stateful_step_count=40,
                    deadline=None, derandomize=True, database=None, phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck))
MAX_RESTARTS = 10


def stateful_fuzz(app: Any, stateful_settings: settings = STATEFUL) -> dict[str, Any]:
    """Run the linked state machine, every step as every role; answer what it found and how far it reached."""
    app.openapi_schema = None
    linked, links = with_links(plausible(app.openapi(), app.state.services.tsunagu.registry))
    app.openapi_schema = linked
    try:
        api = schemathesis.openapi.from_asgi("/openapi.json", app)
    finally:
        app.openapi_schema = None  # the app serves its own schema again
    api.config.phases.stateful.inference.algorithms = []  # only the links written above
    api.config.generation.with_security_parameters = False  # the token is the role's, sent below
    tokens: dict[str, str] = app.state.stateful_tokens
    failures: dict[str, str] = {}
    statuses: Counter[tuple[str, str, int]] = Counter()
    # operation -> the statuses it answered when every id in its path came from an earlier answer in this run
    reached: dict[str, set[int]] = defaultdict(set)
    created_cases: set[str] = set()
    scenarios, keys = [0], [0]

    class EveryRole:
        def teardown(self) -> None:
            scenarios[0] += 1
            super().teardown()  # type: ignore[misc]

        def step(self, input: StepInput) -> StepOutput:
            case = input.case
            label = case.operation.label
            linked_ids = {name for location, name in input.applied_parameters if location.value == "path"}
            on_what_exists = (bool(case.path_parameters) and set(case.path_parameters) <= linked_ids
                              and case.path_parameters.get("case_id") in created_cases)
            key = (case.headers or {}).get("idempotency-key")
            answers = []
            for role, token in tokens.items():
                headers = {"Authorization": f"Bearer {token}"}
                if key is not None:  # a key drawn again in a later scenario would replay an earlier case's answer
                    keys[0] += 1
                    headers["idempotency-key"] = f"{key}-{keys[0]}"
                response = case.call(headers=headers)
                answers.append(response)
                self.after_call(response, case)
                statuses[label, role, response.status_code] += 1
                if on_what_exists:
                    reached[label].add(response.status_code)
                problems = []
                try:
                    case.validate_response(response, checks=CHECKS)
                except (Exception, BaseExceptionGroup) as error:
                    problems.append(" ".join(str(error).split())[:240])
                if 400 <= response.status_code < 500 and (shape := _error_shape_problem(response)):
                    problems.append(shape)
                if problems:
                    failures.setdefault(f"{label} as {role} ({response.status_code})", "; ".join(problems))
            # Later steps build on the opening caseworker's answer, or on another role's if only that one succeeded.
            output = next((r for r in reversed(answers) if 200 <= r.status_code < 300), answers[-1])
            if label == "POST /cases" and output.status_code == 201:
                created_cases.add(output.json()["case_id"])
            return StepOutput(output, case)

    machine = api.as_state_machine()
    # Scenarios start by opening a case: an operation below /cases/{case_id} with a made-up id is a 404 the
    # stateless run already sends, and would spend this run's steps outside any case.
    root = normalize_name("RANDOM -> POST /cases")
    not_roots = {name: None for name in machine.root_rules if name != root}  # None: no longer a rule
    fuzzer = type("EveryRoleOnExistingCases", (EveryRole, machine),
                  {**not_roots, "root_rules": frozenset({root}), "_root_labels": frozenset({"POST /cases"})})
    started, restarts = time.perf_counter(), 0
    while scenarios[0] < stateful_settings.max_examples and restarts <= MAX_RESTARTS:
        try:
            fuzzer.run(settings=settings(stateful_settings, max_examples=stateful_settings.max_examples - scenarios[0]))
            break
        except Flaky:
            # The server's state is not Hypothesis's to replay (and schemathesis follows a link or not by a
            # coin it keeps out of Hypothesis), so a scenario replayed can take another path: start afresh.
            restarts += 1
    return {"links": links, "failures": failures, "statuses": statuses, "reached": reached,
            "cases_created": len(created_cases), "scenarios": scenarios[0], "restarts": restarts,
            "seconds": round(time.perf_counter() - started, 1)}


def test_commands_and_reads_on_cases_the_run_created_never_error_as_any_role(fuzz_app, figures) -> None:
    run = stateful_fuzz(fuzz_app)
    statuses, reached = run["statuses"], run["reached"]
    succeeded = sorted(op for op, codes in reached.items() if any(200 <= code < 300 for code in codes))
    figures(links=run["links"], roles=list(STATEFUL_ROLES), scenarios=run["scenarios"], restarts=run["restarts"],
            requests=sum(statuses.values()), cases_created=run["cases_created"],
            operations_on_existing_cases=len(reached), operations_succeeding_on_existing_cases=len(succeeded),
            server_errors=sum(n for (_, _, status), n in statuses.items() if status >= 500),
            failing_checks=len(run["failures"]), checks=[*(c.__name__ for c in CHECKS), "error_shape"],
            seconds=run["seconds"])
    assert run["failures"] == {}, json.dumps(run["failures"], ensure_ascii=False, indent=1)
    # It reached what exists: commands ran with ids the run had created, beyond the case itself, and succeeded.
    assert run["cases_created"] >= 10
    assert len(succeeded) >= 12, succeeded
    assert {"GET /cases/{case_id}", "POST /cases/{case_id}/members",
            "POST /cases/{case_id}/members/{member_id}/corrections"} <= set(succeeded), succeeded
