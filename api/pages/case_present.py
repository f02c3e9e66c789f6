"""What a case page says at a glance, from the case as the reader may know it (``Case.from_granted``): the
members with their 和暦 birth dates and ages, what needs attention (overdue or due soon), and the message
after a save. Nothing here decides a rule: dates are compared with today, the rules stay in the domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from api.pages.labels import birth_with_age
from domain.actor import Actor
from domain.calendar import JST, age_on, business_days_between, local_date
from domain.case import Case
from domain.policy import Policy
from domain.vocabulary import CaseStatus, ReferralStatus

SOON_DAYS = 30
"""Consents and handovers due within this many days are shown as due soon."""

DONE_MESSAGES = {"emergency": ("緊急時アクセスを記録しました。監査担当が検証します。",
                               "Emergency access recorded. An auditor will review it."),
                 "opened": ("ケースを開始しました。続けて世帯員を登録してください。",
                            "The case is open. Add its members next.")}


@dataclass(frozen=True)
class Attention:
    """One thing on the case that is overdue (``overdue``) or due soon."""

    ja: str
    en: str
    overdue: bool
    anchor: str = ""


def present_done(done: str) -> tuple[str, str] | None:
    """The message shown at the top of the case page after a save (the form's name, or a known event)."""
    from api.pages.form_specs import FORMS  # the forms' titles; imported here to keep the modules acyclic

    if done in DONE_MESSAGES:
        return DONE_MESSAGES[done]
    form = FORMS.get(done)
    if form is None:
        return None
    return (f"「{form.title[0]}」を記録しました。", f"Recorded: {form.title[1]}.")


def members_shown(members: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """The visible members, the principal first, each with a 和暦 birth date and an age."""
    rows = []
    for member in members:
        birth = member.get("birth_date")
        birth = birth if isinstance(birth, date) or birth is None else date.fromisoformat(str(birth))
        rows.append({**member, "birth": birth_with_age(birth, today) if birth else ("", ""),
                     "age": age_on(birth, today) if birth else None})
    return sorted(rows, key=lambda m: (not m.get("is_principal"), -(m["age"] or 0)))


def attention(known: Case, actor: Actor, today: date, overdue_after_business_days: int, now: datetime,
              policy: Policy) -> list[Attention]:
    """What is overdue or due soon on the case, as far as the reader may know it (the transitions due are the
    case's own reckoning, ``Case.transitions_due``, over the members the reader may see)."""
    items: list[Attention] = []
    if known.status == CaseStatus.CLOSED:
        return items
    plan = known.plan
    if plan is not None and not plan.get("evaluated") and plan.get("next_review_on"):
        review = plan["next_review_on"]
        if review < today:
            items.append(Attention(f"モニタリング予定日（{_md(review)}）を過ぎています",
                                   f"Plan review was due {review.isoformat()}", True, "plan-heading"))
        elif review <= today + timedelta(days=14):
            items.append(Attention(f"モニタリング {_md(review)}", f"Plan review {review.isoformat()}", False,
                                   "plan-heading"))
    for referral in known.referrals.values():
        if referral["status"] != ReferralStatus.REQUESTED:
            continue
        waited = business_days_between(local_date(referral["requested_at"]), today)
        if waited > overdue_after_business_days:
            items.append(Attention(f"つなぎの回答待ち {waited}開庁日（期限超過）",
                                   f"Referral unanswered for {waited} business days (overdue)", True,
                                   "referrals-heading"))
    for due in known.transitions_due(policy.transition_ages, today, policy.transition_notice_days):
        name = known.members.get(due.member_id, {}).get("name", "")
        state = "（引継ぎ未完了）" if due.overdue else "（引継ぎ計画あり）" if due.handover_id else ""
        items.append(Attention(f"{name}さん {due.at_age}歳の制度切替 {_md(due.due_on)}{state}",
                               f"{name}: handover at {due.at_age} due {due.due_on.isoformat()}", due.overdue,
                               "members-heading"))
    for consent in known.active_consents(now):
        if consent["valid_until"] <= today + timedelta(days=SOON_DAYS):
            items.append(Attention(f"同意の有効期限 {_md(consent['valid_until'])}",
                                   f"Consent expires {consent['valid_until'].isoformat()}", False,
                                   "consents-heading"))
    grant = known.emergency_grant_for(actor.staff_id, now)
    if grant is not None:
        items.append(Attention(f"あなたの緊急時アクセスは {_hm(grant['expires_at'])} まで",
                               f"Your emergency access ends {grant['expires_at'].isoformat()}", False))
    return sorted(items, key=lambda item: not item.overdue)


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _hm(moment: datetime) -> str:
    local = moment.astimezone(JST)
    return f"{local.month}月{local.day}日 {local:%H:%M}"
