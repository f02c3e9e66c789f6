"""The cases worth opening once the year is written: who should look at each, and what they will see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from domain.access import decide_case
from domain.application import Tsunagu
from domain.calendar import JST
from domain.case import Case
from domain.vocabulary import Basis, Field
from infra.demo.story import HeldSupportMeeting, Story
from infra.demo.summary import Showcase
from infra.demo.ward import Ward


def describe(story: Story, ward: Ward, tail: str) -> str:
    steps: list[str] = []
    for milestone in story.milestones:
        if not steps or steps[-1] != milestone:
            steps.append(milestone)
    return (f"{story.LABEL_JA}・{story.household}（{ward.district_name(story.district)}）："
            f"{'→'.join(steps) or 'ケース開始'}。{tail}")


def bases(app: Tsunagu, ward: Ward, staff_id: str, story: Story, at: datetime | None = None) -> list[Basis | None]:
    """How the reader's agency would see each entry now (or at ``at``): the domain's rules; nothing is
    read or recorded."""
    case: Case = app.repository.get(story.case_id)
    return [d.basis for d in decide_case(ward.actor(staff_id), case, at or app.clock())]


def showcases(app: Tsunagu, ward: Ward, stories: list[Story]) -> list[Showcase]:
    found: list[Showcase] = []
    written = [s for s in stories if s.opened]
    cases_8050 = [s for s in written if s.SCENARIO == "8050"]

    def richest(candidates: list[tuple[tuple[Any, ...], Story]]) -> Story | None:
        return max(candidates, key=lambda c: (c[0], -c[1].index))[1] if candidates else None

    coordinator_id, hikikomori_id = ward.showcase_coordinator, ward.showcase_hikikomori
    coordinator = ward.registry.staff_member(coordinator_id)
    scored: list[tuple[tuple[Any, ...], Story]] = []
    for story in cases_8050[:40]:
        seen = bases(app, ward, coordinator_id, story)
        if all(b is not None for b in seen):
            scored.append(((story.workers.get(story.coordination) == coordinator_id, "プラン決定" in story.milestones,
                            len(seen)), story))
    if (best := richest(scored)) is not None:
        kinds = "・".join(b.label_ja for b in sorted({b for b in bases(app, ward, coordinator_id, best)
                                                      if b is not None}))
        found.append(Showcase("coordinator_8050", str(best.case_id), coordinator_id, describe(
            best, ward, f"{coordinator.name}（コーディネーター）は{kinds}の根拠で全記録を閲覧できる（非表示なし）。")))

    hikikomori = ward.registry.staff_member(hikikomori_id)
    desk = ward.registry.agency(hikikomori.agency)
    desk_ja = "ひきこもり窓口" if desk.field == Field.HIKIKOMORI else desk.name_ja
    scored = []
    withheld: list[tuple[tuple[Any, ...], Story]] = []
    for story in cases_8050[:40]:
        seen = bases(app, ward, hikikomori_id, story)
        if Basis.SUPPORT_MEETING in seen:
            scored.append(((len(set(seen)), seen.count(Basis.SUPPORT_MEETING)), story))
        if None in seen and any(b is not None for b in seen):
            withheld.append(((seen.count(None), len(seen)), story))
    if (best := richest(scored)) is not None:
        seen = bases(app, ward, hikikomori_id, best)
        kinds = "・".join(b.label_ja for b in sorted({b for b in seen if b is not None}))
        found.append(Showcase("hikikomori_support_meeting", str(best.case_id), hikikomori_id, describe(
            best, ward, f"{hikikomori.name}（{desk_ja}）には{kinds}の根拠で表示され、"
                        f"うち{seen.count(Basis.SUPPORT_MEETING)}件は支援会議（守秘義務）のみが根拠。")))
    if (best := richest(withheld)) is not None:
        seen = bases(app, ward, hikikomori_id, best)
        kinds = "・".join(b.label_ja for b in sorted({b for b in seen if b is not None}))
        shown = len(seen) - seen.count(None)
        found.append(Showcase("hikikomori_withheld", str(best.case_id), hikikomori_id, describe(
            best, ward, f"{hikikomori.name}には{kinds}の根拠で{shown}件が表示され、本人同意（その人自身の同意）"
                        f"にも支援会議で共有された範囲にもない{seen.count(None)}件は「非表示」として示される。")))
    found.extend(young_carer_view(ward, written))
    found.extend(support_meeting_ended(app, ward, written))

    def first(flag: str, key: str, tail: Callable[[Story], str], reader: Callable[[Story], str]) -> None:
        for story in written:
            if flag in story.flags:
                found.append(Showcase(key, str(story.case_id), reader(story), describe(story, ward, tail(story))))
                return

    first("emergency", "emergency", lambda s: f"{ward.name(s.emergency_staff or '')}（関与のない機関）が"
          "理由を記して緊急時アクセスを行った（要検証）。", lambda s: s.emergency_staff or "")
    first("consent_withdrawn", "consent_withdrawn", lambda s: "同意が撤回され、範囲を限定して再同意された。",
          lambda s: coordinator_id)
    first("consent_narrowed", "consent_narrowed",
          lambda s: f"同意の一部撤回（{'、'.join(s.narrowed)}）。残りの範囲の共有は続き、除かれた機関・情報の種類には"
                    "以後「非表示」となる。", lambda s: coordinator_id)
    first("referral_declined", "referral_declined",
          lambda s: "つなぎが理由と代替先（または多機関協働）を添えて辞退された。", lambda s: coordinator_id)
    first("handover_completed", "handover", lambda s: "年齢到達による制度切替で担当機関が移った。",
          lambda s: coordinator_id)
    first("reopened", "reopened", lambda s: "いったん終結した後、再度の連絡で再開された。",
          lambda s: coordinator_id)
    return found


def young_carer_view(ward: Ward, written: list[Story]) -> list[Showcase]:
    """A young carer under the ward's age whose consent a parent gave, with the child's own view recorded."""
    for story in written:
        if story.SCENARIO == "young_carer":
            for member, age, view in story.child_views:
                if story.relationships[member] == "本人":
                    return [Showcase("young_carer_view", str(story.case_id), ward.showcase_coordinator, describe(
                        story, ward, f"本人（{age}歳）の同意は親権者の母から得て、本人の意見も記録した：{view}"
                                     "同意はそれぞれ自分の情報についてのもので、母の同意は母の記録だけを開く。"))]
    return []


def support_meeting_ended(app: Tsunagu, ward: Ward, written: list[Story]) -> list[Showcase]:
    """A 支援会議 whose sharing has ended: what an agency that sat in it saw on it then, and sees no more.

    Preferably the hikikomori desk's showcase reader; otherwise whoever lost most.
    """
    now = app.clock()
    best: tuple[tuple[Any, ...], Story, HeldSupportMeeting, str, int, int] | None = None
    for story in written[:60]:
        for meeting in story.support_meetings:
            last_moment = datetime.combine(meeting.until, time(17, 0), JST)
            if last_moment >= now:
                continue
            for agency in meeting.attendees:
                if agency == ward.registry.support_meeting_office:
                    continue
                staff_id = story.workers[agency]
                then = bases(app, ward, staff_id, story, last_moment)
                seen = bases(app, ward, staff_id, story)
                lost = sum(1 for b, s in zip(then, seen, strict=False)
                           if b == Basis.SUPPORT_MEETING and s is None)
                if not lost:
                    continue
                shared = then.count(Basis.SUPPORT_MEETING)
                score = (staff_id == ward.showcase_hikikomori, lost, -story.index)
                if best is None or score > best[0]:
                    best = (score, story, meeting, staff_id, shared, lost)
    if best is None:
        return []
    _, story, meeting, staff_id, shared, lost = best
    agency = ward.agency_ja(ward.registry.staff_member(staff_id).agency)
    return [Showcase("support_meeting_ended", str(story.case_id), staff_id, describe(
        story, ward, f"{meeting.held_on:%Y-%m-%d}の支援会議は{meeting.until:%Y-%m-%d}（次回の開催日）までの共有だった。"
                     f"{agency}はその間、支援会議を根拠に{shared}件を閲覧できたが、期間が終わった今、"
                     f"うち{lost}件は「非表示」となる（本人同意で見える記録は残る）。"))]
