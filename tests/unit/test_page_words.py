"""How the pages say things: ids become names, yes/no become words, birth dates are 和暦 with the age."""

from __future__ import annotations

from datetime import date

from api.pages.entries import entry_fields
from api.pages.form_fields import humanise, labelled_errors
from api.pages.labels import birth_with_age
from api.pages.names import Names
from domain.registry import Registry


def test_a_refusal_names_agencies_and_staff_by_name_never_by_id(registry: Registry) -> None:
    ja = humanise("次の機関は範囲に含まれていません：hikikomori、livelihood。未誓約：ishikawa-mayumi", registry, False)
    assert ja == ("次の機関は範囲に含まれていません：港区ひきこもり支援専用相談窓口、港区生活・就労支援センター。"
                  "未誓約：石川 真由美")


def test_in_english_only_quoted_or_hyphenated_ids_are_names_so_words_stay_words(registry: Registry) -> None:
    en = humanise("Escalate to multi-agency coordination; not covered: 'hikikomori', elderly-shiba.", registry, True)
    hikikomori, shiba = registry.agency("hikikomori").name_en, registry.agency("elderly-shiba").name_en
    assert en == f"Escalate to multi-agency coordination; not covered: '{hikikomori}', {shiba}."


def test_an_error_names_its_field_in_the_readers_language() -> None:
    assert labelled_errors({"summary": "入力してください。"}, None, False) == {"summary": "内容：入力してください。"}
    assert labelled_errors({"to_agency": "Required."}, None, True) == {"to_agency": "Refer to: Required."}


def test_a_birth_date_is_shown_in_the_japanese_era_with_the_age() -> None:
    assert birth_with_age(date(1974, 5, 10), date(2026, 5, 9)) == ("昭和49年5月10日生（51歳）", "10 May 1974 (51)")
    assert birth_with_age(date(1989, 1, 8), date(2026, 1, 8))[0] == "平成元年1月8日生（37歳）"


def test_yes_and_no_are_said_in_words_and_a_false_principal_is_not_shown(registry: Registry) -> None:
    names = Names(registry, False)
    shown = {f["key"]: f["value"] for f in entry_fields(
        {"name": "佐藤 一郎", "is_principal": True, "birth_date": date(1974, 5, 10)}, names, today=date(2026, 5, 9))}
    assert shown["is_principal"] == "この世帯員が本人（支援の中心となる人）"
    assert shown["birth_date"] == "昭和49年5月10日生（51歳）"
    assert "is_principal" not in {f["key"] for f in entry_fields({"is_principal": False}, names)}
    assert {f["value"] for f in entry_fields({"continuing": False}, names)} == {"参加をやめた"}
