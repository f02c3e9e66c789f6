"""The support-refusal household: visits refused, a 支援会議 for watching over, and—once the
person opens the door—consent, a salon, closure, and now and then a reopening.
"""

from __future__ import annotations

from domain.commands import MeetingDecision
from domain.vocabulary import ClosureReason, ConsentMethod, DecisionKind, Field, IssueTag, ResourceKind
from domain.vocabulary import InformationCategory as Cat
from domain.vocabulary import VisitOutcome as Visit
from infra.demo.story import Story

MAX_REOPENINGS = 2
"""Reopenings in a whole run: a few show the flow; most closed cases stay closed."""


class SupportRefusal(Story):
    """支援拒否: an older person living alone who turns every helper away."""

    SCENARIO = "refusal"
    LABEL_JA = "支援拒否（独居高齢者）"
    WEIGHT = 10

    def play(self) -> None:
        # this household's desks (infra.demo.desks)
        COORDINATION, HEALTH, SHAKYO = self.coordination, self.health, self.shakyo
        rng, E = self.rng, self.elderly
        age = rng.randint(75, 92)
        male = rng.random() < 0.55
        self.open(E, f"{age}歳の独居の本人。民生委員の声かけに応じず、郵便物がたまっている。支援を拒否している。")
        self.add("self", E, relationship="本人", gender="m" if male else "f", age=age, principal=True)
        if self.chance(0.5):
            rel = rng.choice(["長女", "長男", "孫"])
            self.add("relative", E, relationship=rel, gender="m" if rel == "長男" else rng.choice("mf"),
                     age=rng.randint(22, 35) if rel == "孫" else rng.randint(45, 62))
        self.consult(E, Field.ELDERLY, Cat.CONSULTATION, "民生委員からの連絡",
                     "夏でも厚着で外出する姿があり、食事をとれているか心配との連絡。", about=["self"])
        self.issue(E, IssueTag.SUPPORT_REFUSAL, "「役所の世話にはならない」と訪問を断っている。", about=["self"])
        self.issue(E, IssueTag.ISOLATION, "近隣との交流がない。", about=["self"])
        if self.chance(0.4):
            self.issue(E, IssueTag.DEMENTIA, "同じ話を繰り返す。認知症の疑い。", about=["self"])
        self.wait(2, 10)
        outreach = self.plan_outreach(E, "self", "民生委員と同行し、玄関先での短時間の声かけから始める。")
        for _ in range(rng.randint(1, 3)):
            self.wait(5, 15)
            outcome = rng.choice([Visit.REFUSED, Visit.NOT_AT_HOME])
            self.visit(E, outreach, "self", outcome,
                       "インターホン越しに「用はない」と言われた。" if outcome == Visit.REFUSED
                       else "不在。民生委員の連絡先を記したメモを投函した。")
        self.refuse(E, "self", "「自分のことは自分でできる」と支援を拒否。")
        self.wait(7, 21)
        health = self.chance(0.3)
        attendees = [E, SHAKYO, self.general] + ([HEALTH] if health else [])
        tabled = [Cat.BASIC, Cat.CONSULTATION, Cat.SUPPORT] + ([Cat.HEALTH] if health else [])
        self.support_meeting("支援を拒む独居高齢者の見守り体制の検討", attendees, about=["self"], categories=tabled,
                             decisions=[
            MeetingDecision(
                DecisionKind.WATCH, "民生委員・社協の地域見守りを続け、異変時は高齢者相談センターへ連絡する。",
                     SHAKYO),
            MeetingDecision(DecisionKind.OUTREACH, "高齢者相談センターが月2回の訪問を続ける。", E)])
        met = False
        for _ in range(rng.randint(1, 4)):
            self.wait(10, 25)
            if self.chance(0.4, "met"):
                self.visit(E, outreach, "self", Visit.MET, "玄関先で体調の話ができた。血圧の薬が切れているとのこと。")
                met = True
                break
            self.visit(E, outreach, "self", Visit.REFUSED, "声かけには応じたが、訪問は断られた。")
        if not met:
            return
        self.wait(5, 15)
        self.grant(E, "self", agencies=[E, SHAKYO, COORDINATION],
                   categories=[Cat.BASIC, Cat.CONSULTATION, Cat.HEALTH, Cat.SUPPORT],
                   purpose="受診と地域の見守りのため関係機関で情報を共有する", method=ConsentMethod.ORAL)
        self.wait(10, 30)
        self.participate(SHAKYO, "self", ("地域のふれあい・いきいきサロン", ResourceKind.SALON),
                         [(20, 40, "月2回のサロンに参加している。")])
        if self.chance(0.4, "close"):
            self.wait(10, 40)
            self.resolve(E, IssueTag.SUPPORT_REFUSAL, "訪問とサロンへの参加を受け入れるようになった。")
            self.close(E, "受診が再開し、サロンと民生委員による見守り体制が整ったため終結する。", "見守り体制の構築",
                       reason=ClosureReason.NO_NEED)
            if self.chance(0.1, "reopen") and self.run.commands["ReopenCase"] < MAX_REOPENINGS:
                self.wait(20, 60)
                self.reopen(E, "民生委員から、再び食事がとれていない様子との連絡があったため再開する。")
                self.consult(E, Field.ELDERLY, Cat.HEALTH, "民生委員からの連絡", "体重が減り、室内で転倒した跡がある。",
                             about=["self"])
                self.wait(1, 4)
                self.visit(E, outreach, "self", Visit.MET, "訪問し本人と面談。受診に同行することを了承した。")
