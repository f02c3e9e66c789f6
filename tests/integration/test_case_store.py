"""The case core on a real store (SQLite file and PostgreSQL): persistence, encryption,
optimistic concurrency, and reads that are recorded before anything is shown."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from uuid import UUID

import pytest
from eventsourcing.cryptography import AESCipher

from domain.application import Tsunagu
from domain.commands import AddMember, GrantConsent, IdentifyIssue, OpenCase
from domain.errors import AccessNotRecorded, NotFound, VersionConflict
from domain.vocabulary import Basis, ConsentMethod, InformationCategory
from tests.support import access_records

pytestmark = pytest.mark.integration


def open_8050_case(app: Tsunagu, staff) -> tuple[UUID, str]:
    elderly = staff("suzuki-kenta")
    case_id = UUID(app.execute(elderly, OpenCase(household_name="佐藤家", household_name_kana="さとうけ",
                                                 district="shiba", summary="母の介護と長男のひきこもり")).case_id)
    son = app.execute(elderly, AddMember(case_id=case_id, name="佐藤 健一", name_kana="さとう けんいち",
                                         birth_date=date(1975, 4, 2), relationship="長男",
                                         is_principal=True)).created_id
    assert son is not None
    return case_id, son


def test_case_is_stored_and_read_back_in_order(tsunagu, staff) -> None:
    case_id, son = open_8050_case(tsunagu, staff)
    timeline = tsunagu.read_timeline(staff("suzuki-kenta"), case_id)
    assert [e.kind for e in timeline.entries] == ["Opened", "MemberAdded"]
    assert timeline.entries[1].content["name"] == "佐藤 健一"
    assert timeline.entries[1].content["birth_date"] == date(1975, 4, 2)


def test_personal_data_is_encrypted_at_rest_when_a_key_is_configured(store_env, registry, clock, staff) -> None:
    app = Tsunagu({**store_env, "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
                   "CIPHER_KEY": AESCipher.create_key(32)}, registry=registry, clock=clock)
    case_id, _ = open_8050_case(app, staff)
    stored = b"".join(n.state for n in app.recorder.select_notifications(start=1, limit=100))
    assert "佐藤".encode() not in stored and b"suzuki-kenta" not in stored
    assert app.read_timeline(staff("suzuki-kenta"), case_id).entries[1].content["name"] == "佐藤 健一"


def test_stale_expected_version_is_refused_as_a_conflict(tsunagu, staff) -> None:
    case_id, _ = open_8050_case(tsunagu, staff)
    elderly = staff("suzuki-kenta")
    with pytest.raises(VersionConflict) as conflict:
        tsunagu.execute(elderly, IdentifyIssue(case_id=case_id, tag="8050"), expected_version=1)
    assert "版：2" in conflict.value.message_ja


def test_two_writers_racing_on_one_case_do_not_both_succeed(store_env, registry, clock, staff) -> None:
    first, second = (Tsunagu(store_env, registry=registry, clock=clock) for _ in range(2))
    case_id, _ = open_8050_case(first, staff)
    elderly = staff("suzuki-kenta")
    case_a, case_b = first._load(case_id), second._load(case_id)
    case_a.identify_issue(elderly, clock(), tag="8050")
    case_b.identify_issue(elderly, clock(), tag="hikikomori")
    first._save(case_a, created_id=None)
    with pytest.raises(VersionConflict):
        second._save(case_b, created_id=None)
    assert first._load(case_id).version == 3


def test_every_read_leaves_exactly_one_access_record(tsunagu, staff) -> None:
    case_id, _ = open_8050_case(tsunagu, staff)
    elderly = staff("suzuki-kenta")
    timeline = tsunagu.read_timeline(elderly, case_id)
    tsunagu.read_case(elderly, case_id)
    records = access_records(tsunagu)
    assert [(r.purpose, r.reader_staff, r.shown, r.withheld) for r in records] == [
        ("timeline", "suzuki-kenta", {"OWN_RECORD": [1, 2]}, []),
        ("case_state", "suzuki-kenta", {"OWN_RECORD": [1, 2]}, []),
    ]
    assert str(records[0].originator_id) == timeline.access_record_id


def test_read_is_refused_when_its_access_record_cannot_be_written(tsunagu, staff, monkeypatch) -> None:
    case_id, _ = open_8050_case(tsunagu, staff)
    put = tsunagu.events.put

    def failing_put(events, **kwargs):
        if any(type(e).__qualname__ == "AccessRecord.Recorded" for e in events):
            raise OSError("disk full")
        return put(events, **kwargs)

    monkeypatch.setattr(tsunagu.events, "put", failing_put)
    with pytest.raises(AccessNotRecorded):
        tsunagu.read_timeline(staff("suzuki-kenta"), case_id)
    with pytest.raises(AccessNotRecorded):
        tsunagu.read_case(staff("suzuki-kenta"), case_id)
    monkeypatch.undo()
    assert access_records(tsunagu) == []


def test_guessed_case_id_answers_like_a_missing_one_and_the_denial_is_recorded(tsunagu, staff) -> None:
    case_id, _ = open_8050_case(tsunagu, staff)
    stranger = staff("takahashi-aoi")
    with pytest.raises(NotFound) as forbidden:
        tsunagu.read_timeline(stranger, case_id)
    with pytest.raises(NotFound) as missing:
        tsunagu.read_timeline(stranger, uuid.uuid4())
    assert (forbidden.value.message_ja, forbidden.value.message_en) == (missing.value.message_ja,
                                                                        missing.value.message_en)
    denied, absent = access_records(tsunagu)
    assert (denied.case_found, denied.shown, denied.withheld) == (True, {}, [1, 2])
    assert (absent.case_found, absent.shown) == (False, {})


def test_concurrent_readers_of_one_case_never_conflict(tsunagu, staff) -> None:
    case_id, son = open_8050_case(tsunagu, staff)
    elderly = staff("suzuki-kenta")
    tsunagu.execute(elderly, GrantConsent(case_id=case_id, member_id=son, agencies=("hikikomori",),
                                          categories=tuple(InformationCategory), purpose="支援",
                                          method=ConsentMethod.ORAL, heard_by="suzuki-kenta",
                                          valid_until=date(2027, 3, 31)))
    readers = [staff("suzuki-kenta"), staff("takahashi-aoi"), staff("watanabe-makoto")] * 4
    errors: list[BaseException] = []

    def read(reader) -> None:
        try:
            tsunagu.read_timeline(reader, case_id)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=read, args=(r,)) for r in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    records = access_records(tsunagu)
    assert len(records) == len(readers)
    assert {b for r in records for b in r.shown} == {Basis.OWN_RECORD, Basis.CONSENT, Basis.AUDIT}
    assert tsunagu._load(case_id).version == 3  # reading changed nothing on the case


def test_a_retry_racing_its_first_attempt_returns_the_first_result(store_env, registry, clock, staff) -> None:
    from domain.idempotency import IdempotencyKey

    first, second = (Tsunagu(store_env, registry=registry, clock=clock) for _ in range(2))
    case_id, _ = open_8050_case(first, staff)
    elderly = staff("suzuki-kenta")
    key = IdempotencyKey(staff_id=elderly.staff_id, key="retry-1", request_digest="same-request")
    case_a, case_b = first._load(case_id), second._load(case_id)  # both attempts loaded before either saved
    created_a = case_a.record_consultation(elderly, clock(), field="elderly", category="consultation",
                                           channel="電話", summary="x")
    case_b.record_consultation(elderly, clock(), field="elderly", category="consultation", channel="電話",
                               summary="x")
    won = first._save(case_a, created_id=created_a, idempotency=key)
    replayed = second._save(case_b, created_id="never-used", idempotency=key)
    assert (replayed.version, replayed.created_id) == (won.version, created_a)
    assert first._load(case_id).version == 3


def test_a_read_sees_what_another_process_wrote_since_the_case_was_last_read(store_env, registry, clock,
                                                                            staff) -> None:
    reader_app, writer_app = (Tsunagu(store_env, registry=registry, clock=clock) for _ in range(2))
    case_id, _ = open_8050_case(writer_app, staff)
    elderly = staff("suzuki-kenta")
    assert len(reader_app.read_timeline(elderly, case_id).entries) == 2  # now cached by the reader
    writer_app.execute(elderly, IdentifyIssue(case_id=case_id, tag="8050"))
    timeline = reader_app.read_timeline(elderly, case_id)
    assert [e.kind for e in timeline.entries][-1] == "IssueIdentified" and timeline.version == 3
