"""Name search without names: a blind index of keyed hashes of the household's name tokens.

Read models hold no personal content, yet staff look a household up by name (氏名・ふりがな).
For each case this index keeps HMAC-SHA256 digests of the normalised tokens of the household
name and its members' names (and their kana); a search hashes the query's tokens the same way
and matches digests. Without the key the table says nothing about anyone's name; with a
dictionary of names and the key, it still only says which cases carry which names — the key
is derived from the event store's cipher key, never stored beside the index.

Normalisation makes the match insensitive to how a name was typed: NFKC (full/half width),
katakana to hiragana, case, spaces, and common variant kanji (髙→高, 﨑→崎, 齋→斎 ...).
Only whole tokens match (surname, given name, the full name, the household name); there is
no prefix or fuzzy search, which would need far more revealing digests.

Without a cipher key (an unencrypted store) the index stays empty and name search is off:
a key known to everyone would make the digests as good as the names.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from base64 import b64decode
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from projections.base import Positioned, ReadModel, case_topics
from projections.view import Change, ReadModelView, Row

KEY_CONTEXT = b"tsunagu/name-index/v1"
DIGEST_CHARS = 32  # 128 bits of the HMAC, hex
MAX_QUERY_TOKENS = 6

# Variant and old forms that people type either way in names (異体字・旧字体); NFKC folds the
# compatibility ideographs (﨑 U+FA11 and the like) but not these unified ones.
VARIANTS = str.maketrans({
    "髙": "高", "﨑": "崎", "嵜": "崎", "邉": "辺", "邊": "辺", "齋": "斎", "齊": "斉",
    "澤": "沢", "濱": "浜", "濵": "浜", "廣": "広", "德": "徳", "國": "国", "櫻": "桜", "嶋": "島", "嶌": "島",
    "冨": "富", "眞": "真", "惠": "恵", "藏": "蔵", "瀨": "瀬", "槗": "橋", "壽": "寿", "龍": "竜",
    "榮": "栄", "實": "実", "與": "与", "淺": "浅", "縣": "県", "會": "会", "澁": "渋", "瀧": "滝", "彌": "弥",
    "曻": "昇", "舘": "館", "圓": "円", "萬": "万", "聰": "聡", "驒": "騨", "檜": "桧", "籠": "篭",
})
_SPACES = re.compile(r"[\s\u3000・･.,、，]+")
_KATAKANA = re.compile(r"[\u30a1-\u30f6]")


def normalise(text: str) -> str:
    """One spelling for a name: width, kana, case and variant kanji folded; spaces kept single."""
    text = unicodedata.normalize("NFKC", text).translate(VARIANTS).casefold()
    text = _KATAKANA.sub(lambda m: chr(ord(m.group()) - 0x60), text)
    return _SPACES.sub(" ", text).strip()


def name_tokens(*names: str) -> set[str]:
    """The tokens a name is found by: each part, and all parts joined (佐藤 一郎 → 佐藤, 一郎, 佐藤一郎)."""
    tokens: set[str] = set()
    for name in names:
        parts = normalise(name).split()
        tokens.update(parts)
        if parts:
            tokens.add("".join(parts))
    return tokens


def household_tokens(name: str, kana: str) -> set[str]:
    """A household name's tokens, and the surname alone: 佐藤家 / さとうけ is also found by 佐藤 / さとう."""
    tokens = name_tokens(name, kana)
    joined_name, joined_kana = (normalise(value).replace(" ", "") for value in (name, kana))
    if joined_name.endswith("家") and len(joined_name) > 1:
        tokens.add(joined_name[:-1])
        if joined_kana.endswith("け") and len(joined_kana) > 1:
            tokens.add(joined_kana[:-1])
    return tokens


def index_key(env: Mapping[str, str]) -> bytes | None:
    """The index's HMAC key, derived from the store's cipher key (None when events are not encrypted)."""
    cipher_key = env.get("CIPHER_KEY")
    if not cipher_key:
        return None
    return hmac.new(b64decode(cipher_key), KEY_CONTEXT, hashlib.sha256).digest()


def digest(key: bytes, token: str) -> str:
    return hmac.new(key, token.encode("utf-8"), hashlib.sha256).hexdigest()[:DIGEST_CHARS]


class NameIndexView(ReadModelView):
    TABLES: ClassVar[dict[str, str]] = {
        "name_token": "token TEXT NOT NULL, case_id TEXT NOT NULL, PRIMARY KEY (token, case_id)",
    }
    INDEXES: ClassVar[list[str]] = ["CREATE INDEX IF NOT EXISTS rm_name_token_case ON {name_token} (case_id)"]
    STATEMENTS: ClassVar[dict[str, str]] = {
        "insert_token": "INSERT INTO {name_token} (token, case_id) VALUES (%(token)s, %(case_id)s) "
                        "ON CONFLICT (token, case_id) DO NOTHING",
    }

    def cases_with_every(self, digests: list[str]) -> set[str]:
        """Cases that carry every one of the digests."""
        if not digests:
            return set()
        params: dict[str, Any] = {f"d{i}": d for i, d in enumerate(sorted(set(digests)))}
        params["n"] = len(params)
        placeholders = ", ".join(f"%({name})s" for name in params if name != "n")
        rows = self.query(f"SELECT case_id FROM {{name_token}} WHERE token IN ({placeholders}) "
                          "GROUP BY case_id HAVING COUNT(DISTINCT token) = %(n)s", params)
        return {row["case_id"] for row in rows}


class NameIndexProjection(ReadModel[NameIndexView]):
    name = "name_index"
    view_interface = NameIndexView
    topics = case_topics("Opened", "MemberAdded", "MemberDetailsCorrected")
    key: bytes | None = None

    def use_key_from(self, env: Mapping[str, str]) -> None:
        self.key = index_key(env)

    @property
    def enabled(self) -> bool:
        return self.key is not None

    def changes(self, events: Iterable[Positioned]) -> list[Change]:
        if self.key is None:
            return []
        rows: list[Row] = []
        for _, event in events:
            case_id = str(event.originator_id)
            if event.kind == "Opened":
                tokens = household_tokens(event.household_name, event.household_name_kana)
            elif event.kind == "MemberAdded":
                tokens = name_tokens(event.name, event.name_kana)
            else:  # a corrected name is found by both spellings: the record keeps both
                tokens = name_tokens(*(str(event.corrections[k]) for k in ("name", "name_kana")
                                       if k in event.corrections))
            rows.extend({"token": digest(self.key, token), "case_id": case_id} for token in sorted(tokens))
        return [("insert_token", rows)]

    def search(self, query: str) -> set[str] | None:
        """Cases whose names hold every token of the query, or the query's tokens joined (None: search is off)."""
        if self.key is None:
            return None
        parts = normalise(query).split()[:MAX_QUERY_TOKENS]
        if not parts:
            return set()
        found = self.view.cases_with_every([digest(self.key, part) for part in parts])
        if len(parts) > 1:
            found |= self.view.cases_with_every([digest(self.key, "".join(parts))])
        return found
