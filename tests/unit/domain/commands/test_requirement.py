"""A requirement is the sentence people read beside the check that enforces it: both kept as written, named
after the check unless a name is given (the name is what a refused write is recorded under)."""

from __future__ import annotations

from typing import Any

from domain.commands.base import Context, case_not_found, requirement
from domain.errors import DomainError, NotPermitted

REFUSED = NotPermitted("だめです。", "No.")


def never(context: Context, command: Any) -> DomainError | None:
    return REFUSED


def test_a_requirement_is_named_after_its_check_and_keeps_both_sentences_and_the_check() -> None:
    made = requirement("書いた機関であること", "The agency that wrote it")(never)
    assert (made.name, made.text_ja, made.text_en, made.check) == (
        "never", "書いた機関であること", "The agency that wrote it", never)
    assert made.refusal(None, None) is REFUSED  # type: ignore[arg-type]


def test_a_requirement_given_a_name_is_recorded_under_that_name() -> None:
    assert requirement("ja", "en", name="by_entry_author")(never).name == "by_entry_author"


def test_a_missing_case_and_a_hidden_one_get_the_same_answer_in_both_languages() -> None:
    missing = case_not_found()
    assert (missing.message_ja, missing.message_en) == ("ケースが見つかりません。", "Case not found.")
