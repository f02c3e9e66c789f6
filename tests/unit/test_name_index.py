"""Names are searched by keyed digests of normalised tokens: how a name is typed does not matter."""

from __future__ import annotations

import pytest
from eventsourcing.cryptography import AESCipher

from projections.name_index import digest, household_tokens, index_key, name_tokens, normalise


@pytest.mark.parametrize(("typed", "stored"), [
    ("ｻﾄｳ ｲﾁﾛｳ", "さとう いちろう"),  # half-width katakana
    ("サトウ　イチロウ", "さとう いちろう"),  # full-width katakana, ideographic space
    ("髙橋", "高橋"), ("山﨑", "山崎"), ("渡邉", "渡辺"), ("齋藤", "斎藤"),  # variant kanji
    ("ＳＡＴＯ", "sato"),  # full-width Latin, case
    ("タ\u3099イスケ", "だいすけ"), ("ﾀﾞｲｽｹ", "ダイスケ"),  # combining and half-width dakuten
    ("  佐藤   一郎 ", "佐藤 一郎"),
])
def test_a_name_has_one_spelling_however_it_is_typed(typed: str, stored: str) -> None:
    assert normalise(typed) == normalise(stored)


def test_a_name_is_found_by_each_part_and_by_the_whole() -> None:
    assert name_tokens("佐藤 一郎", "さとう いちろう") == {
        "佐藤", "一郎", "佐藤一郎", "さとう", "いちろう", "さとういちろう"}


def test_a_household_is_found_by_its_surname_too() -> None:
    assert household_tokens("佐藤家", "さとうけ") == {"佐藤家", "さとうけ", "佐藤", "さとう"}
    assert household_tokens("池田", "いけだ") == {"池田", "いけだ"}  # no 家: nothing is cut off


def test_the_key_derives_from_the_cipher_key_and_there_is_none_without_one() -> None:
    cipher_key = AESCipher.create_key(32)
    key = index_key({"CIPHER_KEY": cipher_key})
    assert key is not None and len(key) == 32 and key != index_key({"CIPHER_KEY": AESCipher.create_key(32)})
    assert index_key({}) is None
    other = index_key({"CIPHER_KEY": AESCipher.create_key(32)})
    assert other is not None and digest(key, "さとう") == digest(key, "さとう") != digest(other, "さとう")
