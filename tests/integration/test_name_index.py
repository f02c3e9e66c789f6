"""The name index on both stores: found by kana or kanji, never holding a name, empty without a key."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from eventsourcing.cryptography import AESCipher

from domain.application import Tsunagu
from domain.commands import AddMember, OpenCase
from projections import build_read_models
from projections.runner import BatchRunner

pytestmark = pytest.mark.integration


@pytest.fixture
def households(store_env, registry, clock, staff):
    env = {**store_env, "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher", "CIPHER_KEY": AESCipher.create_key(32)}
    app = Tsunagu(env, registry=registry, clock=clock)
    elderly = staff("suzuki-kenta")
    ids = []
    for name, kana, member, member_kana in (("髙橋家", "たかはしけ", "髙橋 一郎", "たかはし いちろう"),
                                            ("佐藤家", "さとうけ", "佐藤 ハナ", "さとう はな")):
        case_id = UUID(app.execute(elderly, OpenCase(household_name=name, household_name_kana=kana,
                                                     district="shiba", summary="")).case_id)
        app.execute(elderly, AddMember(case_id=case_id, name=member, name_kana=member_kana,
                                       birth_date=date(1950, 1, 1), relationship="本人"))
        ids.append(str(case_id))
    read_models = build_read_models(env)
    BatchRunner(app, read_models.all()).catch_up()
    yield read_models, ids, env
    app.close()


def test_households_are_found_by_kana_or_kanji_however_typed(households) -> None:
    read_models, (takahashi, sato), _ = households
    index = read_models.name_index
    assert index.search("高橋") == {takahashi}
    assert index.search("ﾀｶﾊｼ ｲﾁﾛｳ") == {takahashi}
    assert index.search("たかはしいちろう") == {takahashi}
    assert index.search("サトウ") == {sato}
    assert index.search("佐藤　はな") == {sato}
    assert index.search("さとう いちろう") == set()  # every part must belong to the same case
    assert index.search("") == set()


def test_the_index_holds_no_name_and_a_rebuild_gives_the_same_rows(households, tsunagu) -> None:
    read_models, _, env = households
    rows = read_models.name_index.view.dump()["name_token"]
    assert rows and all(len(r["token"]) == 32 and "髙" not in str(r) and "さとう" not in str(r) for r in rows)
    rebuilt = build_read_models(env).name_index
    assert rebuilt.view.dump() == read_models.name_index.view.dump()


def test_without_a_cipher_key_the_index_stays_empty_and_search_is_off(store_env, tsunagu, staff) -> None:
    tsunagu.execute(staff("suzuki-kenta"), OpenCase(household_name="佐藤家", household_name_kana="さとうけ",
                                                    district=None, summary=""))
    read_models = build_read_models(store_env)
    BatchRunner(tsunagu, read_models.all()).catch_up()
    assert read_models.name_index.view.dump()["name_token"] == []
    assert read_models.name_index.search("佐藤") is None
