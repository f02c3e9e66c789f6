"""The hoarding household: the CSW's visits, a 支援会議 on the neighbours' complaints (sitting
again while the person turns everyone away), then consent for the clean-up and a plan.
"""

from __future__ import annotations

from domain.commands import MeetingDecision, PlanRole
from domain.vocabulary import ConsentMethod, DecisionKind, Field, IssueTag, ResourceKind
from domain.vocabulary import InformationCategory as Cat
from domain.vocabulary import VisitOutcome as Visit
from infra.demo.story import Story


class Hoarding(Story):
    """ごみ屋敷: a flat filled with refuse, neighbours complaining, the tenant refusing help."""

    SCENARIO = "hoarding"
    LABEL_JA = "ごみ屋敷"
    WEIGHT = 7

    def play(self) -> None:
        # this household's desks (infra.demo.desks)
        COORDINATION, HEALTH, SHAKYO = self.coordination, self.health, self.shakyo
        rng = self.rng
        opener = SHAKYO if rng.random() < 0.5 else self.general
        age = rng.randint(55, 85)
        self.open(opener, f"集合住宅の一室にごみが堆積し、悪臭で近隣から苦情。"
                          f"{age}歳の本人は片付けを拒んでいる（ごみ屋敷）。")
        self.add("self", opener, relationship="本人", gender=rng.choice("mf"), age=age, principal=True)
        self.consult(opener, Field.COMMUNITY if opener == SHAKYO else Field.GENERAL, Cat.CONSULTATION,
                     rng.choice(["近隣住民からの通報", "管理会社からの相談"]),
                     "ベランダまでごみがあふれ、害虫が発生している。本人は「全部必要なもの」と話す。", about=["self"])
        self.issue(opener, IssueTag.HOARDING, "居室とベランダにごみが堆積している。", about=["self"])
        self.issue(opener, IssueTag.ISOLATION, "親族とは長年連絡をとっていない。", about=["self"])
        if self.chance(0.25):
            self.issue(opener, IssueTag.MENTAL_HEALTH, "ためこみの背景に精神的な不調がうかがえる。", about=["self"])
        self.wait(3, 10)
        approach = "CSWが定期的に訪問し、本人の困りごとを聴きながら関係をつくる。"
        outreach: str | None = None
        if opener == SHAKYO:
            outreach = self.plan_outreach(SHAKYO, "self", approach)
            self.visit(SHAKYO, outreach, "self", Visit.REFUSED, "玄関先で「放っておいてほしい」と言われた。")
        else:
            self.visit(opener, None, "self", Visit.REFUSED,
                       "総合支所の職員が訪問。玄関先で「放っておいてほしい」と言われた。")
        self.wait(7, 21)
        attendees = [SHAKYO, self.general, HEALTH] + ([self.elderly] if age >= 65 else [])
        refer_health = self.chance(0.5)
        decisions = [
            MeetingDecision(DecisionKind.OUTREACH, "CSWが週1回訪問し、関係づくりを続ける。", SHAKYO),
            MeetingDecision(DecisionKind.WATCH, "総合支所が管理会社・近隣との調整窓口となる。", self.general)]
        shared = (Cat.CONSULTATION, Cat.SUPPORT)
        if refer_health:
            decisions.append(MeetingDecision(
                DecisionKind.REFER, "害虫と悪臭への対応について保健所の助言を得る。", HEALTH, categories=shared))
        self.support_meeting("ごみの堆積と近隣トラブルへの対応の検討", attendees, decisions, about=["self"],
                             categories=[Cat.BASIC, Cat.CONSULTATION, Cat.SUPPORT],
                             follow_up=MeetingDecision(DecisionKind.OUTREACH,
                                                       "CSWの訪問を続け、次回の会議で近隣との状況を確認する。", SHAKYO))
        if refer_health:
            self.wait(1, 5)
            self.refer(opener, HEALTH, shared, "衛生害虫と悪臭について助言を依頼します。", about=["self"])
            self.wait(1, 5)
            self.accept(HEALTH, "環境衛生担当が対応します。")
            self.wait(5, 15)
            self.complete(HEALTH, "害虫駆除の方法を助言し、管理会社が駆除を実施した。")
        if outreach is None:
            self.wait(2, 7)
            outreach = self.plan_outreach(SHAKYO, "self", approach)
        met = False
        for _ in range(rng.randint(1, 4)):
            self.wait(7, 20)
            if self.chance(0.45, "met"):
                self.visit(SHAKYO, outreach, "self", Visit.MET, "室内に入れてもらえた。台所だけでも片付けたいと話す。")
                met = True
                break
            self.visit(SHAKYO, outreach, "self", rng.choice([Visit.REFUSED, Visit.NOT_AT_HOME]),
                       "本人と会えず。手紙を残した。")
        if not met:
            self.stop_sitting()
            return
        self.wait(3, 10)
        self.stop_sitting()  # consent moves the case on to a 重層的支援会議; the last sitting's sharing runs out
        agencies = [SHAKYO, self.general, COORDINATION] + ([self.elderly] if age >= 65 else [])
        self.grant(SHAKYO, "self", agencies=agencies,
                   categories=[Cat.BASIC, Cat.CONSULTATION, Cat.HEALTH, Cat.SUPPORT],
                   purpose="片付けと生活の立て直しを関係機関で支援するため", method=ConsentMethod.ORAL)
        self.wait(7, 20)
        meeting = self.multi_meeting("片付け支援と生活の立て直しに向けた支援プランの検討", agencies)
        assert meeting is not None
        self.adopt(meeting, ["本人の同意のもとで段階的に片付ける", "地域とのつながりを取り戻す"],
                   [PlanRole(SHAKYO, "ボランティアによる片付け支援と定期訪問"),
                    PlanRole(self.general, "管理会社との調整"), PlanRole(self.elderly, "介護保険サービスの検討"),
                    PlanRole(COORDINATION, "全体の進行管理")])
        self.wait(7, 20)
        self.visit(SHAKYO, outreach, "self", Visit.MET,
                   "ボランティア8名と片付けを実施（1回目）。本人も分別に参加した。")
        self.wait(20, 40)
        self.review(COORDINATION, "居室の半分が片付いた。本人は次回の片付けを楽しみにしている。")
        self.participate(SHAKYO, "self", ("地域の食事会", ResourceKind.SALON), [(20, 40, "月1回参加している。")])
        if self.chance(0.25, "close"):
            self.wait(20, 40)
            if self.evaluate(agencies, "片付けが終わり、食事会への参加が続いている。", True):
                self.resolve(SHAKYO, IssueTag.HOARDING, "居室の片付けが終わった。")
                # The desk that opened the case closes it: 社協, or the branch office on 社協's word.
                self.close(self.lead, "片付けが終わり、地域の見守りにつながったため終結する。", "目標達成")
