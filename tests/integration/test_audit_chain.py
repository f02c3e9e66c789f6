"""The audit chain's own promises, beyond the tampering scenarios of test_tamper_evidence: every kind of
difference is found wherever it sits (after another one, at the tail, past the chain's head), each is told
to the auditor in Japanese and English, and a checkpoint covers exactly what it signed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from uuid import UUID

import pytest

from domain.commands import AddMember
from projections import audit_chain, build_read_models
from projections.audit_chain import GENESIS, make_checkpoint, verify_chain
from projections.runner import BatchRunner
from tests.integration.test_case_store import open_8050_case
from tests.integration.test_tamper_evidence import KEY, chained, execute, kinds

pytestmark = pytest.mark.integration
__all__ = ["chained"]  # the fixture, shared with the tampering tests


def details(problems) -> list[tuple[str, str, str]]:
    return [(p.kind, p.detail_ja, p.detail_en) for p in problems]


def last_position(tsunagu) -> int:
    return tsunagu.recorder.max_notification_id()


def add_records(tsunagu, staff, case_id: UUID, n: int = 2) -> None:
    for i in range(n):
        tsunagu.execute(staff("suzuki-kenta"), AddMember(case_id=case_id, name=f"追加 {i}", name_kana="ついか",
                                                         birth_date=date(1990, 1, 1), relationship="家族"))


def case_of(tsunagu) -> UUID:
    return next(n.originator_id for n in tsunagu.notifications() if n.topic.endswith("Case.Opened"))


def test_each_kind_of_difference_is_told_in_japanese_and_english(chained) -> None:
    tsunagu, chain, env = chained
    execute(env, "UPDATE stored_events SET state = ? WHERE rowid = 3",
            "UPDATE EVENTS SET state = %s WHERE notification_id = 3", (b'{"forged": true}',))
    execute(env, "DELETE FROM stored_events WHERE rowid = 5", "DELETE FROM EVENTS WHERE notification_id = 5")
    chain.view.execute("DELETE FROM {chain} WHERE position = 7")  # record 7 is no longer chained

    problems = verify_chain(tsunagu, chain.view)
    # A missing chain row also breaks the link the next row was made on: record 8 is reported with it.
    assert kinds(problems) == [(3, "modified"), (5, "deleted"), (7, "inserted"), (8, "modified")]
    assert details(problems) == [
        ("modified", "記録の内容が書き換えられています。", "The stored record was modified."),
        ("deleted", "記録が削除されています。", "A record was deleted."),
        ("inserted", "連鎖にない記録が挿入されています。", "A record not in the chain was inserted."),
        ("modified", "記録の内容が書き換えられています。", "The stored record was modified."),
    ]


def test_a_record_whose_topic_alone_was_changed_is_reported_as_modified(chained) -> None:
    tsunagu, chain, env = chained
    execute(env, "UPDATE stored_events SET topic = topic || 'X' WHERE rowid = 4",
            "UPDATE EVENTS SET topic = topic || 'X' WHERE notification_id = 4")
    assert kinds(verify_chain(tsunagu, chain.view)) == [(4, "modified")]


def test_a_deleted_record_followed_by_a_modified_one_reports_both(chained) -> None:
    tsunagu, chain, env = chained
    execute(env, "DELETE FROM stored_events WHERE rowid = 3", "DELETE FROM EVENTS WHERE notification_id = 3")
    execute(env, "UPDATE stored_events SET state = ? WHERE rowid = 6",
            "UPDATE EVENTS SET state = %s WHERE notification_id = 6", (b'{"forged": true}',))
    assert kinds(verify_chain(tsunagu, chain.view)) == [(3, "deleted"), (6, "modified")]


def test_an_unchained_record_followed_by_a_modified_one_reports_both(chained) -> None:
    tsunagu, chain, env = chained
    chain.view.execute("DELETE FROM {chain} WHERE position = 2")
    execute(env, "UPDATE stored_events SET state = ? WHERE rowid = 6",
            "UPDATE EVENTS SET state = %s WHERE notification_id = 6", (b'{"forged": true}',))
    # Row 3 of the chain was made on the missing row 2: its link no longer verifies either.
    assert kinds(verify_chain(tsunagu, chain.view)) == [(2, "inserted"), (3, "modified"), (6, "modified")]


def test_records_past_the_chains_head_are_not_judged_yet_but_a_deletion_before_it_and_the_checkpoint_are(
        chained) -> None:
    tsunagu, chain, env = chained
    checkpoint = make_checkpoint(chain.view, KEY)
    last = last_position(tsunagu)
    execute(env, f"DELETE FROM stored_events WHERE rowid = {last}",
            f"DELETE FROM EVENTS WHERE notification_id = {last}")
    # A record recorded later, not chained yet (inserted by hand: SQLite would reuse the deleted rowid).
    execute(env, "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
                 f"SELECT {last + 5}, originator_id, 99, topic, state FROM stored_events WHERE rowid = 2",
            "INSERT INTO EVENTS (notification_id, originator_id, originator_version, topic, state) "
            f"SELECT {last + 5}, originator_id, 99, topic, state FROM EVENTS WHERE notification_id = 2")
    assert kinds(verify_chain(tsunagu, chain.view)) == [(last, "deleted")]

    forged = replace(checkpoint, count=checkpoint.count + 1)
    assert kinds(verify_chain(tsunagu, chain.view, checkpoint=forged, key=KEY)) == [(last, "deleted"),
                                                                                    (last, "checkpoint")]


def test_an_older_checkpoint_still_verifies_after_the_log_and_chain_grow(chained, staff) -> None:
    tsunagu, chain, _ = chained
    checkpoint = make_checkpoint(chain.view, KEY)
    add_records(tsunagu, staff, case_of(tsunagu))
    BatchRunner(tsunagu, [chain]).catch_up()
    assert chain.view.head()["position"] > checkpoint.position
    assert verify_chain(tsunagu, chain.view, checkpoint=checkpoint, key=KEY) == []


def test_a_checkpoint_changed_after_signing_does_not_verify_and_says_why(chained) -> None:
    tsunagu, chain, _ = chained
    checkpoint = make_checkpoint(chain.view, KEY)
    assert checkpoint.is_authentic(KEY)
    for changed in (replace(checkpoint, head_hash=GENESIS), replace(checkpoint, count=checkpoint.count - 1),
                    replace(checkpoint, position=checkpoint.position - 1), replace(checkpoint, created_at="2020")):
        assert not changed.is_authentic(KEY)
        assert details(verify_chain(tsunagu, chain.view, checkpoint=changed, key=KEY)) == [
            ("checkpoint", "チェックポイントの署名が正しくありません。", "The checkpoint's signature does not verify.")]
    assert not checkpoint.is_authentic(b"another key")


def test_a_truncated_log_and_chain_are_told_against_the_checkpoint(chained) -> None:
    tsunagu, chain, env = chained
    checkpoint = make_checkpoint(chain.view, KEY)
    last = last_position(tsunagu)
    execute(env, f"DELETE FROM stored_events WHERE rowid = {last}",
            f"DELETE FROM EVENTS WHERE notification_id = {last}")
    chain.view.execute(f"DELETE FROM {{chain}} WHERE position = {last}")
    assert details(verify_chain(tsunagu, chain.view, checkpoint=checkpoint, key=KEY)) == [(
        "checkpoint", "チェックポイント時点までの記録が、書き出したときと一致しません（削除・書き換え・切り詰め）。",
        "The records up to the checkpoint differ from when it was exported (deleted, rewritten or truncated).")]


def test_a_checkpoint_of_an_empty_chain_starts_at_genesis_and_is_dated_with_its_zone(store_env) -> None:
    view = build_read_models(store_env).audit_chain.view
    checkpoint = make_checkpoint(view, KEY)
    assert (checkpoint.position, checkpoint.count, checkpoint.head_hash) == (0, 0, GENESIS)
    assert datetime.fromisoformat(checkpoint.created_at).utcoffset() is not None
    assert checkpoint.is_authentic(KEY)


def test_an_empty_store_and_an_unchained_log_verify_without_findings(tsunagu, store_env, staff) -> None:
    view = build_read_models(store_env).audit_chain.view
    assert verify_chain(tsunagu, view) == []
    open_8050_case(tsunagu, staff)
    assert verify_chain(tsunagu, view) == []  # nothing chained yet: nothing to judge


def test_the_chain_is_read_page_by_page_to_its_end(chained, monkeypatch) -> None:
    tsunagu, chain, _ = chained
    monkeypatch.setattr(audit_chain, "PAGE", 3)  # not 2: the last row of a page is then not also its second
    positions = [row["position"] for row in chain.view.links()]
    assert positions == [n.id for n in tsunagu.notifications()]
    assert verify_chain(tsunagu, chain.view) == []


def test_each_chain_row_names_the_record_it_links(chained) -> None:
    tsunagu, chain, _ = chained
    rows = list(chain.view.links())
    assert [(r["position"], r["topic"], r["originator_id"], r["originator_version"]) for r in rows] == [
        (n.id, n.topic, str(n.originator_id), n.originator_version) for n in tsunagu.notifications()]


def test_records_deleted_from_the_end_of_the_log_alone_are_each_reported(chained) -> None:
    tsunagu, chain, env = chained
    last = last_position(tsunagu)
    for position in (last - 1, last):
        execute(env, f"DELETE FROM stored_events WHERE rowid = {position}",
                f"DELETE FROM EVENTS WHERE notification_id = {position}")
    assert details(verify_chain(tsunagu, chain.view)) == [
        ("deleted", "記録が削除されています。", "A record was deleted.")] * 2
    assert kinds(verify_chain(tsunagu, chain.view)) == [(last - 1, "deleted"), (last, "deleted")]
