"""The cases worth opening once the year is written: who should look at each, and what they will see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.access import decide_case
from domain.application import Tsunagu
from domain.case import Case
from domain.vocabulary import Basis
from infra.demo.story import Story
from infra.demo.summary import Showcase
from infra.demo.ward import COORDINATION, SHOWCASE_COORDINATOR, SHOWCASE_HIKIKOMORI, Ward


def describe(story: Story, ward: Ward, tail: str) -> str:
    steps: list[str] = []
    for milestone in story.milestones:
        if not steps or steps[-1] != milestone:
            steps.append(milestone)
    return (f"{story.LABEL_JA}・{story.household}（{ward.district_ja[story.district]}）："
            f"{'→'.join(steps) or 'ケース開始'}。{tail}")


def bases(app: Tsunagu, ward: Ward, staff_id: str, story: Story) -> list[Basis | None]:
    """How the reader's agency would see each entry now (the domain's rules; nothing is read or recorded)."""
    case: Case = app.repository.get(story.case_id)
    return [d.basis for d in decide_case(ward.actor(staff_id), case, app.clock())]


def showcases(app: Tsunagu, ward: Ward, stories: list[Story]) -> list[Showcase]:
    found: list[Showcase] = []
    written = [s for s in stories if s.opened]
    cases_8050 = [s for s in written if s.SCENARIO == "8050"]

    def richest(candidates: list[tuple[tuple[Any, ...], Story]]) -> Story | None:
        return max(candidates, key=lambda c: (c[0], -c[1].index))[1] if candidates else None

    coordinator = ward.registry.staff_member(SHOWCASE_COORDINATOR)
    scored: list[tuple[tuple[Any, ...], Story]] = []
    for story in cases_8050[:40]:
        seen = bases(app, ward, SHOWCASE_COORDINATOR, story)
        if all(b is not None for b in seen):
            scored.append(((story.workers.get(COORDINATION) == SHOWCASE_COORDINATOR, "プラン決定" in story.milestones,
                            len(seen)), story))
    if (best := richest(scored)) is not None:
        kinds = "・".join(b.label_ja for b in sorted({b for b in bases(app, ward, SHOWCASE_COORDINATOR, best)
                                                      if b is not None}))
        found.append(Showcase("coordinator_8050", str(best.case_id), SHOWCASE_COORDINATOR, describe(
            best, ward, f"{coordinator.name}（コーディネーター）は{kinds}の根拠で全記録を閲覧できる（非表示なし）。")))

    hikikomori = ward.registry.staff_member(SHOWCASE_HIKIKOMORI)
    scored = []
    withheld: list[tuple[tuple[Any, ...], Story]] = []
    for story in cases_8050[:40]:
        seen = bases(app, ward, SHOWCASE_HIKIKOMORI, story)
        if Basis.SUPPORT_MEETING in seen:
            scored.append(((len(set(seen)), seen.count(Basis.SUPPORT_MEETING)), story))
        if None in seen and any(b is not None for b in seen):
            withheld.append(((seen.count(None), len(seen)), story))
    if (best := richest(scored)) is not None:
        seen = bases(app, ward, SHOWCASE_HIKIKOMORI, best)
        kinds = "・".join(b.label_ja for b in sorted({b for b in seen if b is not None}))
        found.append(Showcase("hikikomori_support_meeting", str(best.case_id), SHOWCASE_HIKIKOMORI, describe(
            best, ward, f"{hikikomori.name}（ひきこもり窓口）には{kinds}の根拠で表示され、"
                        f"うち{seen.count(Basis.SUPPORT_MEETING)}件は支援会議（守秘義務）のみが根拠。")))
    if (best := richest(withheld)) is not None:
        seen = bases(app, ward, SHOWCASE_HIKIKOMORI, best)
        kinds = "・".join(b.label_ja for b in sorted({b for b in seen if b is not None}))
        shown = len(seen) - seen.count(None)
        found.append(Showcase("hikikomori_withheld", str(best.case_id), SHOWCASE_HIKIKOMORI, describe(
            best, ward, f"{hikikomori.name}には{kinds}の根拠で{shown}件が表示され、"
                        f"本人同意の範囲外の{seen.count(None)}件は「非表示」として示される。")))

    def first(flag: str, key: str, tail: Callable[[Story], str], reader: Callable[[Story], str]) -> None:
        for story in written:
            if flag in story.flags:
                found.append(Showcase(key, str(story.case_id), reader(story), describe(story, ward, tail(story))))
                return

    first("emergency", "emergency", lambda s: f"{ward.name(s.emergency_staff or '')}（関与のない機関）が"
          "理由を記して緊急時アクセスを行った（要検証）。", lambda s: s.emergency_staff or "")
    first("consent_withdrawn", "consent_withdrawn", lambda s: "同意が撤回され、範囲を限定して再同意された。",
          lambda s: SHOWCASE_COORDINATOR)
    first("referral_declined", "referral_declined",
          lambda s: "つなぎが理由と代替先（または多機関協働）を添えて辞退された。", lambda s: SHOWCASE_COORDINATOR)
    first("handover_completed", "handover", lambda s: "年齢到達による制度切替で担当機関が移った。",
          lambda s: SHOWCASE_COORDINATOR)
    first("reopened", "reopened", lambda s: "いったん終結した後、再度の連絡で再開された。",
          lambda s: SHOWCASE_COORDINATOR)
    return found
