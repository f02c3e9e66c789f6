"""What a seeding answers: the figures of the year written, and the cases worth opening."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.calendar import JST
from domain.vocabulary import ConsentGiver, MeetingKind


@dataclass(frozen=True)
class Showcase:
    """A case worth opening in the demo, with who should look at it and why."""

    key: str
    case_id: str
    reader: str
    description_ja: str


@dataclass
class DemoSummary:
    households: int
    events: int
    fiscal_year: int
    seed: int
    until: datetime
    elapsed_seconds: float
    scenarios: dict[str, int]
    meetings: dict[str, int]
    consents_granted: int
    consents_withdrawn: int
    referrals: dict[str, int]
    plans: dict[str, int]
    outreach_visits: int
    participation_matches: int
    handovers: dict[str, int]
    emergency_accesses: int
    closures: int
    reopenings: int
    involvements_ended: int
    consents_by_giver: dict[str, int] = field(default_factory=dict)
    """Consents granted, by who gave them: ``self`` (本人), ``parent`` (親権者), ``guardian`` (成年後見人等)."""
    consents_narrowed: int = 0
    """Partial withdrawals (some agencies or categories taken out of a consent)."""
    support_meetings_ended: int = 0
    """支援会議 whose sharing had ended by ``until`` (their stated end passed, or the case closed)."""
    commands: dict[str, int] = field(default_factory=dict)
    """Commands issued, by command name (``AddMember``, ``HoldSupportMeeting`` …)."""
    showcases: list[Showcase] = field(default_factory=list)

    def showcase(self, key: str) -> Showcase:
        for showcase in self.showcases:
            if showcase.key == key:
                return showcase
        raise KeyError(key)

    def lines_ja(self) -> list[str]:
        """The summary as Japanese lines for a command line."""
        lines = [
            f"{self.fiscal_year}年度のデモデータ：{self.households}世帯・{self.events}件の記録"
            f"（{self.until.astimezone(JST):%Y-%m-%d %H:%M}まで、{self.elapsed_seconds:.1f}秒）",
            f"  重層的支援会議 {self.meetings.get(MeetingKind.MULTI_LAYERED.value, 0)}回・"
            f"支援会議 {self.meetings.get(MeetingKind.SUPPORT.value, 0)}回"
            f"（うち共有期間の終了 {self.support_meetings_ended}回）",
            f"  同意 取得{self.consents_granted}件（"
            + "・".join(f"{ConsentGiver(k).label_ja}{v}件" for k, v in self.consents_by_giver.items())
            + f"）・一部撤回{self.consents_narrowed}件・撤回{self.consents_withdrawn}件",
            "  つなぎ " + "・".join(f"{_REFERRAL_JA[k]}{v}件" for k, v in self.referrals.items()),
            "  支援プラン " + "・".join(f"{_PLAN_JA[k]}{v}件" for k, v in self.plans.items()),
            f"  アウトリーチ訪問 {self.outreach_visits}回・参加支援 {self.participation_matches}件・"
            f"制度切替 計画{self.handovers.get('planned', 0)}件／完了{self.handovers.get('completed', 0)}件",
            f"  緊急時アクセス {self.emergency_accesses}件・関与終了 {self.involvements_ended}件・"
            f"終結 {self.closures}件・再開 {self.reopenings}件",
        ]
        for showcase in self.showcases:
            lines.append(f"  [{showcase.key}] {showcase.case_id}（{showcase.reader}）{showcase.description_ja}")
        return lines


_REFERRAL_JA = {"requested": "依頼", "accepted": "受理", "declined": "辞退", "completed": "完了",
                "escalated": "多機関協働へ"}
_PLAN_JA = {"adopted": "決定", "revised": "見直し", "reviewed": "モニタリング", "evaluated": "終結評価"}
