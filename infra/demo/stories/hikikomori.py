"""The hikikomori household: the desk's outreach, a 支援会議 with the health centre when the
person cannot be met, and consent for a place to go when they can — which the person may later
narrow (taking the employment centre out of it, a partial withdrawal).
"""

from __future__ import annotations

from domain.commands import MeetingDecision
from domain.vocabulary import ClosureReason, DecisionKind, Field, IssueTag, ResourceKind
from domain.vocabulary import InformationCategory as Cat
from domain.vocabulary import VisitOutcome as Visit
from infra.demo.story import Story


class Hikikomori(Story):
    """ひきこもり: a young adult who has not left home for years; the family calls first."""

    SCENARIO = "hikikomori"
    LABEL_JA = "ひきこもり"
    WEIGHT = 7

    def play(self) -> None:
        # this household's desks (infra.demo.desks)
        COORDINATION, HEALTH, HIKIKOMORI, LIVELIHOOD = self.coordination, self.health, self.hikikomori, self.livelihood
        rng, H = self.rng, HIKIKOMORI
        age = rng.randint(22, 39)
        years = rng.randint(2, 12)
        male = rng.random() < 0.75
        self.open(H, f"{age}歳の本人が退職後、約{years}年自宅にひきこもっている。母から電話相談。")
        self.add("self", H, relationship="本人", gender="m" if male else "f", age=age, principal=True)
        self.add("mother", H, relationship="母", gender="f", age=age + rng.randint(24, 34))
        if self.chance(0.6):
            self.add("father", H, relationship="父", gender="m", age=age + rng.randint(26, 38))
        self.consult(H, Field.HIKIKOMORI, Cat.CONSULTATION, "電話",
                     "母から、本人が昼夜逆転の生活で家族とも会話が少ないとの相談。本人は相談に来ることを拒んでいる。",
                     about=["self"])
        self.issue(H, IssueTag.HIKIKOMORI, f"約{years}年、ほとんど外出していない。", about=["self"])
        mental = self.chance(0.3)
        if mental:
            self.issue(H, IssueTag.MENTAL_HEALTH, "不眠と強い不安を訴えている。受診歴なし。", about=["self"])
        self.wait(7, 21)
        self.consult(H, Field.HIKIKOMORI, Cat.FAMILY, "来所", "母が来所し家族相談。家族会への参加を案内した。",
                     about=["self", "mother"])
        self.wait(5, 15)
        outreach = self.plan_outreach(H, "self", "母を通じて手紙を渡し、本人の了承を得てから自宅を訪問する。")
        met = False
        for number in range(rng.randint(1, 4)):
            self.wait(10, 25)
            if number >= 1 and self.chance(0.45, "met"):
                self.visit(H, outreach, "self", Visit.MET, "本人と自室の前で話せた。ゲームの話題で会話が続いた。")
                met = True
                break
            self.visit(H, outreach, "self", rng.choice([Visit.NOT_AT_HOME, Visit.REFUSED, Visit.SPOKE_WITH_FAMILY]),
                       "本人とは会えず。母と今後の声かけの方法を話し合った。")
        if not met:
            if mental and self.chance(0.5):
                self.wait(7, 20)
                shared = (Cat.CONSULTATION, Cat.HEALTH)
                self.support_meeting("本人の心身の状況の共有と支援方針の検討", [H, HEALTH],
                                     [MeetingDecision(DecisionKind.OUTREACH, "ひきこもり窓口が訪問を続ける。", H),
                                      MeetingDecision(DecisionKind.REFER, "保健所の精神保健相談につなぐ。", HEALTH,
                                                      categories=shared)],
                                     about=["self"], categories=[Cat.BASIC, Cat.CONSULTATION, Cat.HEALTH])
                self.wait(1, 5)
                self.refer(H, HEALTH, shared, "不眠と不安が強く、精神保健相談を依頼します。", about=["self"])
                self.wait(2, 7)
                if self.chance(0.2):
                    self.decline(HEALTH, "現時点で医療につなぐ緊急性は認められない。訪問による関係づくりを優先すべき。",
                                 escalate=True)
                else:
                    self.accept(HEALTH, "保健師が家族面談から始めます。")
            return
        self.wait(7, 20)
        agencies = [H, COORDINATION] + ([LIVELIHOOD] if self.chance(0.5, "livelihood") else [])
        categories = [Cat.BASIC, Cat.CONSULTATION, Cat.SUPPORT, Cat.FAMILY]
        consent = self.grant(H, "self", agencies=agencies, categories=categories,
                             purpose="居場所や就労準備の支援を関係機関と検討するため")
        if self.chance(0.7):  # the mother, who came to the family consultations, agrees for her part
            self.grant(H, "mother", agencies=agencies, categories=[Cat.BASIC, Cat.FAMILY],
                       purpose="家族相談の内容を本人の支援に生かすため")
        self.wait(7, 20)
        self.participate(H, "self", ("ひきこもり当事者の居場所「ほっとスペース」", ResourceKind.SALON),
                         [(20, 40, "月2回参加している。"), (25, 45, "同世代の参加者と話すようになった。")])
        if LIVELIHOOD in agencies and self.chance(0.2, "narrow"):
            # A partial withdrawal: the rest of the consent stands.
            self.wait(5, 20)
            self.narrow(H, consent, agencies=[LIVELIHOOD],
                        reason="本人から、就労の話はまだ考えられないので、生活・就労支援センターへの情報提供は"
                               "やめてほしいとの申し出があった（居場所の支援のための共有は続ける）。")
            return
        if LIVELIHOOD in agencies:
            self.wait(10, 30)
            self.refer(H, LIVELIHOOD, [Cat.BASIC, Cat.CONSULTATION, Cat.SUPPORT],
                       "就労準備支援事業の利用を依頼します。", about=["self"])
            self.wait(2, 8)
            self.accept(LIVELIHOOD, "就労準備支援員が面談します。")
            self.wait(20, 50)
            self.complete(LIVELIHOOD, "就労準備支援事業の利用を開始した。")
            if self.chance(0.3):
                self.wait(20, 40)
                # The hikikomori desk leads the case, so it closes it (a lead cannot just end its own part).
                self.close(H, "就労準備支援事業に移行したため終結する"
                              "（以後の支援は生活・就労支援センターの事業で継続）。", "他機関の支援へ移行",
                           reason=ClosureReason.TRANSFERRED)
