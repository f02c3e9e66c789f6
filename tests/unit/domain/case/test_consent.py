"""Withdrawing part of a consent takes out exactly what the person named, within what they had agreed to,
and says so in both languages when there is nothing to take out."""

from __future__ import annotations

import pytest

from domain.errors import InvalidCommand, NotFound, RuleViolation
from domain.vocabulary import InformationCategory
from tests.unit.test_case_rules import ELDERLY, NOW, consent, new_case

BASIC, HEALTH, FINANCE = InformationCategory.BASIC, InformationCategory.HEALTH, InformationCategory.FINANCE


def narrowed(case, consent_id: str, agencies: list[str], categories: list[InformationCategory]):
    case.narrow_consent(ELDERLY, NOW, consent_id=consent_id, agencies=agencies, categories=categories,
                        reason="本人の申出")
    return list(case.collect_events())[-1]


def test_narrowing_takes_out_only_the_named_agencies_within_the_consent() -> None:
    case, son = new_case()
    consent_id = consent(case, son, ["hikikomori", "livelihood", "health-center"], categories=(BASIC, HEALTH))
    event = narrowed(case, consent_id, ["livelihood", "children-family"], [])
    assert (event.agencies, event.categories, event.reason) == (["livelihood"], [], "本人の申出")
    assert case.consents[consent_id]["agencies"] == ["health-center", "hikikomori"]
    assert case.consents[consent_id]["categories"] == [BASIC, HEALTH]


def test_narrowing_by_category_alone_keeps_every_agency() -> None:
    case, son = new_case()
    consent_id = consent(case, son, ["hikikomori", "livelihood"], categories=(BASIC, HEALTH))
    event = narrowed(case, consent_id, [], [HEALTH, FINANCE])
    assert (event.agencies, event.categories) == ([], [HEALTH])
    assert case.consents[consent_id]["agencies"] == ["hikikomori", "livelihood"]
    assert case.consents[consent_id]["categories"] == [BASIC]


def test_narrowing_outside_the_consents_scope_is_refused_and_says_what_to_choose() -> None:
    case, son = new_case()
    consent_id = consent(case, son, ["hikikomori"], categories=(BASIC,))
    with pytest.raises(InvalidCommand) as refused:
        narrowed(case, consent_id, ["livelihood"], [HEALTH])
    assert (refused.value.message_ja, refused.value.message_en) == (
        "撤回する機関か情報の種類を、同意の範囲の中から選んでください。",
        "Choose agencies or categories within the consent's scope to withdraw.")


def test_a_withdrawn_consent_cannot_be_narrowed() -> None:
    case, son = new_case()
    consent_id = consent(case, son, ["hikikomori"])
    case.withdraw_consent(ELDERLY, NOW, consent_id=consent_id, reason="本人の申出")
    with pytest.raises(RuleViolation) as refused:
        narrowed(case, consent_id, ["hikikomori"], [])
    assert (refused.value.message_ja, refused.value.message_en) == (
        "この同意はすでに撤回されています。", "This consent has already been withdrawn.")


def test_narrowing_a_consent_the_case_does_not_have_names_it_as_a_consent() -> None:
    case, _ = new_case()
    with pytest.raises(NotFound) as missing:
        narrowed(case, "no-such-consent", ["hikikomori"], [])
    assert (missing.value.message_ja, missing.value.message_en) == (
        "この事例に同意「no-such-consent」はありません。", "This case has no consent 'no-such-consent'.")


def test_withdrawing_a_consent_the_case_does_not_have_names_it_as_a_consent() -> None:
    case, _ = new_case()
    with pytest.raises(NotFound) as missing:
        case.withdraw_consent(ELDERLY, NOW, consent_id="no-such-consent", reason="本人の申出")
    assert (missing.value.message_ja, missing.value.message_en) == (
        "この事例に同意「no-such-consent」はありません。", "This case has no consent 'no-such-consent'.")


def test_a_consent_is_withdrawn_once_with_the_persons_reason() -> None:
    case, son = new_case()
    consent_id = consent(case, son, ["hikikomori"])
    case.withdraw_consent(ELDERLY, NOW, consent_id=consent_id, reason="本人の申出")
    assert list(case.collect_events())[-1].reason == "本人の申出"
    with pytest.raises(RuleViolation) as refused:
        case.withdraw_consent(ELDERLY, NOW, consent_id=consent_id, reason="再度")
    assert (refused.value.message_ja, refused.value.message_en) == (
        "この同意はすでに撤回されています。", "This consent has already been withdrawn.")


def test_a_withdrawal_concerns_the_member_whose_consent_it_was() -> None:
    case, son = new_case()
    consent_id = consent(case, son, ["hikikomori"])
    case.withdraw_consent(ELDERLY, NOW, consent_id=consent_id, reason="本人の申出")
    withdrawal = list(case.collect_events())[-1]
    assert withdrawal.subject_ids(case) == (son,)
    case.consents.pop(consent_id)
    assert withdrawal.subject_ids(case) == ()  # a consent the reader's view does not hold: it concerns no one shown


def test_a_consent_for_someone_not_in_the_household_names_them_as_a_member() -> None:
    case, _ = new_case()
    with pytest.raises(NotFound) as missing:
        consent(case, "no-such-member", ["hikikomori"])
    assert (missing.value.message_ja, missing.value.message_en) == (
        "この事例に世帯員「no-such-member」はありません。", "This case has no member 'no-such-member'.")
