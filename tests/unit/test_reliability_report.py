"""docs/reliability.md says only what a run recorded: a test that failed is shown failed beside its
figures, and no claim (a denial recorded, an input refused, a tampering detected) rests on it."""

from __future__ import annotations

from tests.reliability_report import render

MATRIX = "tests/e2e/test_authorisation_matrix.py::test_reads_and_writes_follow_the_matrix_and_every_denial_is_recorded"
TAMPER = "tests/integration/test_tamper_evidence.py::test_"
INPUTS = "tests/e2e/test_bad_input_corpus.py::test_malformed_bodies_are_4xx_and_write_nothing"


def run(outcomes: dict[str, str] | None) -> dict[str, object]:
    data: dict[str, object] = {
        "run_at": "2026-12-02T18:00:00+00:00", "machine": "vm x86_64 3.11.7", "exit_status": 1,
        "invocation": ["tests/e2e"], "commit": "abc1234",
        "figures": {
            f"{MATRIX}[sqlite]": {"matrix_cells": 300, "principals": 10, "object_states": 6, "requests_per_cell": 5,
                                  "mismatches": 2, "read_denials": 52, "read_denials_recorded": 51,
                                  "write_denials": 132, "write_denials_recorded": 132, "state_views_checked": 28},
            f"{TAMPER}a_deleted_record_is_reported": {"tampering": "a deleted record is reported"},
            f"{TAMPER}a_reordered_run_is_reported": {"tampering": "a reordered run is reported"},
            f"{INPUTS}[sqlite-deep_nesting_arrays]": {"input": "deep_nesting_arrays", "status": 500, "written": 0},
            f"{INPUTS}[sqlite-not_json]": {"input": "not_json", "status": 422, "written": 0},
        }}
    if outcomes is not None:
        data["outcomes"] = outcomes
    return data


def test_a_failed_test_is_shown_failed_and_its_claims_are_not_made() -> None:
    text = render(run({f"{MATRIX}[sqlite]": "failed", f"{TAMPER}a_deleted_record_is_reported": "passed",
                       f"{TAMPER}a_reordered_run_is_reported": "failed",
                       f"{INPUTS}[sqlite-deep_nesting_arrays]": "failed", f"{INPUTS}[sqlite-not_json]": "passed"}))
    assert "denied reads recorded: 51 of 52" in text and "Test **FAILED**" in text
    assert "every denial recorded" not in text and "no 5xx" not in text
    assert "- a deleted record is reported: test passed" in text
    assert "- a reordered run is reported: test **FAILED**" in text
    assert "answered 4xx with nothing written, in a test that passed: 1 of 2" in text
    assert "Did not pass in this run:" in text and f"`{MATRIX}[sqlite]`: **FAILED**" in text
    assert "at commit abc1234: `pytest tests/e2e`, pytest exit status 1" in text


def test_a_run_that_did_not_record_outcomes_backs_nothing() -> None:
    text = render(run(None))
    assert "did not record how its tests ended" in text
    assert "test passed" not in text and "in a test that passed: 0 of 2" in text


def test_modules_missing_from_the_run_are_named() -> None:
    text = render(run({f"{MATRIX}[sqlite]": "passed"}))
    assert "Not in this run (nothing below comes from them): `test_faults.py`, `test_referral_faults.py`" in text
    assert "## Fuzzing (schemathesis)\n\nNot in this run." in text


def test_the_run_names_its_command_a_whole_suite_run_included_and_says_when_it_was_not_recorded() -> None:
    whole_suite = {**run({}), "invocation": []}
    assert "at commit abc1234: `pytest` with no arguments (the whole suite), pytest exit status 1" in render(
        whole_suite)
    unrecorded = {key: value for key, value in run({}).items() if key != "invocation"}
    assert "at commit abc1234: not recorded, pytest exit status 1" in render(unrecorded)
