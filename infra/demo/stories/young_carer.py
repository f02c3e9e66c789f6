"""The young-carer household: a 支援会議 with the health centre (and disability services), then
the mother's own consent and the child's (through the mother as 親権者 when the child is under
the ward's age, with the child's own view recorded), a plan, and at 18 the handover to youth
employment support.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.commands import MeetingDecision, PlanRole
from domain.vocabulary import ConsentMethod, DecisionKind, Field, IssueTag, ResourceKind
from domain.vocabulary import InformationCategory as Cat
from domain.vocabulary import VisitOutcome as Visit
from infra.demo.story import ALL_CATEGORIES, Story

CHILD_VIEWS = (
    "「お母さんの病気のことを、学校の先生にも知ってほしい。家のことを少し手伝ってもらえたら助かる」と話した。",
    "「お母さんには内緒にしてほしいことはない。部活に戻りたい」と話し、関係機関での共有を了解した。",
    "「自分がいないと家が回らない」と話す一方、ヘルパーが来ることには賛成した。学校への共有も了解した。",
)
"""What a young carer said when asked about sharing their information (recorded with the parent's consent)."""

SIBLING_VIEWS = (
    "「{elder}ともっと遊びたい。お母さんが元気になってほしい」と話した。",
    "学校の先生に家のことを知られるのは恥ずかしいが、手伝ってくれる人が来るのはうれしいと話した。",
)


class YoungCarer(Story):
    """ヤングケアラー: a pupil caring for a mother with mental illness, missing school."""

    SCENARIO = "young_carer"
    LABEL_JA = "ヤングケアラー"
    WEIGHT = 7

    def play(self) -> None:
        # this household's desks (infra.demo.desks)
        COORDINATION, HEALTH, LIVELIHOOD, SHAKYO, CHILDREN, CHILD_GUIDANCE, DISABILITY = (
            self.coordination, self.health, self.livelihood, self.shakyo, self.children, self.child_guidance,
            self.disability)
        rng, C = self.rng, CHILDREN
        age = rng.randint(12, 17)
        if self.force.get("under15"):
            age = 12 + (age - 12) % 3
        handover_due: date | None = None
        if age == 17 and self.chance(0.7):
            handover_due = self.today() + timedelta(days=rng.randint(90, 200))
            handover_due = handover_due.replace(day=min(handover_due.day, 28))
        mother_age = age + rng.randint(24, 36)
        school = "高校" if age >= 15 else "中学校"
        self.open(C, f"{age}歳の本人（{school}）が、精神疾患のある母の世話ときょうだいの世話を担い、"
                     "欠席が増えている（ヤングケアラー）。")
        birth = date(handover_due.year - 18, handover_due.month, handover_due.day) if handover_due else None
        self.add("self", C, relationship="本人", gender=rng.choice("mf"), age=age, birth=birth, principal=True)
        self.add("mother", C, relationship="母", gender="f", age=mother_age)
        sibling = self.chance(0.7)
        if sibling:
            sib = rng.choice(["弟", "妹"])
            self.add("sibling", C, relationship=sib, gender="m" if sib == "弟" else "f",
                     age=rng.randint(6, max(6, age - 2)))
        self.consult(C, Field.CHILDREN, Cat.FAMILY, "学校（スクールソーシャルワーカー）からの連絡",
                     "本人が母の通院の付き添いと家事、きょうだいの世話をしており、遅刻と欠席が増えている。",
                     about=["self"])
        self.issue(C, IssueTag.YOUNG_CARER, "本人が家族の世話を日常的に担い、学業に影響が出ている。", about=["self"])
        self.issue(C, IssueTag.MENTAL_HEALTH, "母はうつ病で通院が中断している。", about=["mother"])
        if self.chance(0.3):
            self.issue(C, IssueTag.POVERTY, "母の就労が難しく、児童扶養手当が主な収入。", about=["mother"])
        self.wait(3, 10)
        self.visit(C, None, "self", Visit.MET, "放課後に本人と面談。「母のことは自分がやらないと」と話す。")
        self.wait(7, 21)
        with_disability = self.chance(0.45, "refer_disability")
        attendees = [C, HEALTH] + ([DISABILITY] if with_disability else []) \
            + ([CHILD_GUIDANCE] if self.chance(0.2) and CHILD_GUIDANCE is not None else [])
        shared = (Cat.CONSULTATION, Cat.FAMILY, Cat.HEALTH)
        decisions = [
            MeetingDecision(DecisionKind.WATCH, "学校と連携し、本人の出席状況と様子を見守る。", C),
            MeetingDecision(DecisionKind.REFER, "母の精神保健相談につなぐ。", HEALTH, categories=shared)]
        if with_disability:
            decisions.append(MeetingDecision(DecisionKind.REFER, "母の障害福祉サービス（家事援助）の利用を検討する。",
                                      DISABILITY, categories=shared))
        # It tables the child and the mother (not the younger sibling), in what the meeting needs.
        self.support_meeting("ヤングケアラーの状況共有と支援体制の検討", attendees, decisions, about=["self", "mother"],
                             categories=[Cat.BASIC, Cat.CONSULTATION, Cat.FAMILY, Cat.HEALTH, Cat.SUPPORT])
        self.wait(1, 5)
        self.refer(C, HEALTH, shared, "母の精神保健相談と通院再開の支援を依頼します。", about=["mother"])
        self.wait(1, 5)
        self.accept(HEALTH, "保健師が家庭訪問します。")
        if with_disability:
            self.refer(C, DISABILITY, shared, "母の家事援助（居宅介護）の利用について相談したい。", about=["mother"])
            self.wait(2, 8)
            if self.chance(0.4, "decline"):
                self.decline(DISABILITY, "母は精神科の受診が中断しており、障害福祉サービスの利用要件を確認できない。"
                                         "受診の再開を含め、多機関協働での検討が必要。", escalate=True)
                with_disability = False
            else:
                self.accept(DISABILITY, "相談支援専門員が母と面談します。")
        self.wait(5, 15)
        self.visit(HEALTH, None, "mother", rng.choice([Visit.MET, Visit.MET, Visit.REFUSED]),
                   "保健師が訪問し、母に通院の再開を勧めた。")
        if not self.chance(0.75, "met"):
            return
        self.wait(7, 21)
        agencies = [C, HEALTH, COORDINATION] + ([DISABILITY] if with_disability else []) \
            + ([SHAKYO] if self.chance(0.4) else []) + ([LIVELIHOOD] if handover_due else [])
        categories = ALL_CATEGORIES if self.chance(0.6) else [c for c in ALL_CATEGORIES if c != Cat.FINANCE]
        purpose = "本人の負担を減らし、母の療養を支えるため関係機関で支援を検討する"
        # Each one's own consent: the mother's for her information; the child's, through the mother as
        # 親権者 while the child is under the ward's age (with what the child said), or the child's own.
        self.grant(C, "mother", agencies=agencies, categories=categories, purpose=purpose,
                   method=ConsentMethod.WRITTEN)
        self.grant(C, "self", agencies=agencies, categories=categories, purpose=purpose, parent="mother",
                   view=rng.choice(CHILD_VIEWS), method=ConsentMethod.WRITTEN)
        if sibling:
            old_enough = self.age("sibling") >= 10
            self.grant(C, "sibling", agencies=agencies, categories=[Cat.BASIC, Cat.FAMILY, Cat.SUPPORT],
                       purpose=purpose, parent="mother", method=ConsentMethod.WRITTEN,
                       view=rng.choice(SIBLING_VIEWS).format(elder="お兄ちゃん" if self.genders["self"] == "m"
                                                             else "お姉ちゃん") if old_enough else "")
        self.wait(5, 15)
        meeting = self.multi_meeting("ヤングケアラー世帯の支援プランの検討", agencies)
        assert meeting is not None
        self.adopt(meeting, ["本人が週5日登校できる", "母の通院が定期的に続く"],
                   [PlanRole(C, "本人の学習・生活の支援と学校との連携"), PlanRole(HEALTH, "母の通院・服薬の支援"),
                    PlanRole(DISABILITY, "家事援助サービスの調整"), PlanRole(COORDINATION, "全体の進行管理"),
                    PlanRole(SHAKYO, "子ども食堂の紹介")])
        self.wait(10, 30)
        self.complete(HEALTH, "母の通院が再開した。")
        self.wait(5, 20)
        resource = rng.choice([("子ども食堂「みなとキッチン」", ResourceKind.KODOMO_SHOKUDO),
                               ("無料の学習支援教室", ResourceKind.OTHER)])
        self.participate(C, "self", resource, [(20, 40, "毎週参加している。友人ができた。")])
        self.wait(10, 30)
        self.review(COORDINATION, "本人の欠席が減った。母の体調は波があるが通院は続いている。")
        if handover_due is not None:
            self.wait(5, 20)
            self.handover(C, "self", 18, LIVELIHOOD, handover_due, C,
                          "18歳到達により、若者の自立・就労支援の担当へ引き継いだ。")
