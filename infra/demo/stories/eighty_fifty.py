"""The 8050 household: the elderly centre finds it, a 支援会議 shares it before consent (sitting
again while the child cannot be met), the hikikomori desk reaches out to the child, and the
parent's and the child's own consents open the 重層的支援会議 and the plan.
"""

from __future__ import annotations

from domain.commands import MeetingDecision, PlanRole
from domain.vocabulary import DecisionKind, Field, IssueTag, ResourceKind
from domain.vocabulary import InformationCategory as Cat
from domain.vocabulary import VisitOutcome as Visit
from infra.demo.story import ALL_CATEGORIES, Story, unique


class EightyFifty(Story):
    """8050: an aged parent supporting a middle-aged child who has withdrawn from society."""

    SCENARIO = "8050"
    LABEL_JA = "8050世帯"
    WEIGHT = 22

    def play(self) -> None:
        # this household's desks (infra.demo.desks)
        COORDINATION, HEALTH, HIKIKOMORI, LIVELIHOOD, SHAKYO = (
            self.coordination, self.health, self.hikikomori, self.livelihood, self.shakyo)
        rng, E = self.rng, self.elderly
        hik_mix, withheld = self.force.get("hik_mix", False), self.force.get("hik_withheld", False)
        parent_f = rng.random() < 0.7
        parent = "母" if parent_f else "父"
        child_rel = rng.choice(["長男", "長男", "長男", "次男", "長女"])
        child_m = child_rel != "長女"
        page = rng.randint(78, 89)
        cage = max(44, min(58, page - rng.randint(26, 36)))
        years = rng.choice([5, 8, 10, 12, 15, 20, 25])
        spouse_age = max(75, page + rng.randint(-4, 4)) if rng.random() < 0.2 else None
        who = f"{page}歳の{parent}"
        if spouse_age is not None:
            who += f"、{spouse_age}歳の{'父' if parent_f else '母'}"
        self.open(E, f"{who}と{cage}歳の{child_rel}が同居。{child_rel}は約{years}年ひきこもり状態で、"
                     f"{parent}の介護と家計に不安がある（8050）。")
        self.add("parent", E, relationship="本人", gender="f" if parent_f else "m", age=page, principal=True)
        if spouse_age is not None:
            self.add("spouse", E, relationship="配偶者", gender="m" if parent_f else "f", age=spouse_age)
        self.add("child", E, relationship=child_rel, gender="m" if child_m else "f", age=cage)
        channel = rng.choice(["来所", "電話", "民生委員からの連絡", "ケアマネジャーからの連絡"])
        self.consult(E, Field.ELDERLY, Cat.CONSULTATION, channel,
                     f"{parent}本人から、足腰が弱り買い物や通院が難しいとの相談。同居の{child_rel}は日中も自室で過ごし、"
                     "家族以外との交流がない。", about=["parent", "child"])
        self.issue(E, IssueTag.ISSUE_8050, f"高齢の{parent}が{cage}歳の{child_rel}の生活を支えている。",
                   about=["parent", "child"])
        self.issue(E, IssueTag.HIKIKOMORI, f"{child_rel}は約{years}年、ほとんど外出していない。", about=["child"])
        if self.chance(0.3):
            self.issue(E, IssueTag.DEMENTIA, f"{parent}の物忘れが増え、服薬の管理ができていない。", about=["parent"])
        if self.chance(0.35):
            self.issue(E, IssueTag.ISOLATION, "近所付き合いがなく、親族とも疎遠。", about=())
        finance = self.chance(0.55, "finance")
        if finance:
            self.wait(1, 10)
            self.consult(E, Field.ELDERLY, Cat.FINANCE, "訪問",
                         f"{parent}の年金（月額約{rng.randint(9, 16)}万円）で{child_rel}の生活費も賄っている。"
                         "預貯金が減り、公共料金の滞納が出始めている。", about=["parent", "child"])
            if self.chance(0.4):
                self.issue(E, IssueTag.POVERTY, "年金収入のみで二人分の生活費を賄っている。", about=["parent", "child"])
        self.wait(3, 14)
        self.visit(E, None, "child", Visit.SPOKE_WITH_FAMILY,
                   f"自宅を訪問し{parent}と面談。{child_rel}は自室から出てこなかった。")
        if self.chance(0.35):
            self.refuse(E, "child", f"{child_rel}が第三者の訪問を拒んでいると{parent}から伝えられた。")
        self.maybe_correct(E, "parent")

        # 支援会議: no consent yet, shared under the members' duty of confidentiality. It tables the
        # household, in the categories its members need, and sits again while the child cannot be met.
        self.wait(7, 30)
        attendees = [E] + ([] if withheld else [HIKIKOMORI])
        if finance and self.chance(0.4):
            attendees.append(LIVELIHOOD)
        if self.chance(0.2):
            attendees.append(HEALTH)
        decisions = [
            MeetingDecision(DecisionKind.WATCH, f"高齢者相談センターが月1回訪問し、{parent}の生活状況を見守る。", E)]
        refer = withheld or self.chance(0.45, "refer")
        if not withheld:
            decisions.append(MeetingDecision(DecisionKind.OUTREACH,
                                      f"ひきこもり窓口が{parent}を通じて手紙を届け、段階的に訪問する。", HIKIKOMORI))
        shared = [Cat.BASIC, Cat.CONSULTATION, Cat.FAMILY, Cat.SUPPORT]
        if refer:
            decisions.append(MeetingDecision(
                DecisionKind.REFER, f"{child_rel}への支援をひきこもり支援専用相談窓口につなぐ。",
                                      HIKIKOMORI, categories=tuple(shared)))
        if LIVELIHOOD in attendees:
            decisions.append(MeetingDecision(
                DecisionKind.SUPPORT_SETUP, "家計の見直しを生活・就労支援センターが支援する。",
                                      LIVELIHOOD))
        tabled = shared + ([Cat.FINANCE] if LIVELIHOOD in attendees else []) \
            + ([Cat.HEALTH] if HEALTH in attendees else [])
        self.support_meeting(
            f"{parent}と{child_rel}の世帯の状況共有と支援方針の検討（8050）", attendees, decisions,
            about=list(self.members), categories=tabled,
            follow_up=MeetingDecision(DecisionKind.OUTREACH, f"ひきこもり窓口が{child_rel}への訪問を続け、"
                                                             "高齢者相談センターが見守りを続ける。次回の会議で経過を確認する。",
                                      HIKIKOMORI))
        if refer:
            self.wait(0.5, 5)
            self.refer(E, HIKIKOMORI, shared, f"支援会議の決定に基づき、{child_rel}への支援を依頼します。",
                       about=["child"])
            self.wait(1, 6)
            self.accept(HIKIKOMORI, "担当者を決め、訪問の準備を始めます。")
        assert self.sitting is not None
        self.sitting.attendees = unique([*self.sitting.attendees, HIKIKOMORI])  # it sits in the next sittings

        # Outreach to the withdrawn child.
        self.wait(3, 10)
        outreach = self.plan_outreach(HIKIKOMORI, "child",
                                      f"{parent}を通じて手紙を届け、玄関先での声かけから短時間の面会へと段階的に進める。")
        visits = rng.randint(2, 5)
        met = False
        for number in range(visits):
            self.wait(7, 25)
            if number == visits - 1 and self.chance(0.6, "met") and not withheld:
                outcome, notes = Visit.MET, f"{child_rel}と初めて玄関先で10分ほど話せた。次回の訪問を了承。"
                met = True
            else:
                outcome = rng.choice([Visit.NOT_AT_HOME, Visit.REFUSED, Visit.SPOKE_WITH_FAMILY])
                notes = {Visit.NOT_AT_HOME: "訪問したが応答なし。手紙を投函した。",
                         Visit.REFUSED: f"{child_rel}がドア越しに「来ないでほしい」と話した。",
                         Visit.SPOKE_WITH_FAMILY: f"{parent}と面談。手紙は{child_rel}が読んでいる様子とのこと。",
                         }[outcome]
            self.visit(HIKIKOMORI, outreach, "child", outcome, notes)
        if not met:
            # Watching over: the elderly centre visits, the desk keeps writing to the child, and the
            # 支援会議 sits again every few months; when it stops, its sharing ends with its last sitting.
            for _ in range(10_000 if self.force.get("watch") else rng.randint(1, 3)):
                self.wait(20, 40)
                self.visit(E, None, "parent", Visit.MET, f"見守り訪問。{parent}の体調に大きな変化はない。")
                if withheld or self.chance(0.5):
                    self.wait(3, 10)
                    self.visit(HIKIKOMORI, outreach, "child", rng.choice([Visit.NOT_AT_HOME, Visit.REFUSED]),
                               f"手紙を届けた。{child_rel}からの返事はまだない。")
            self.stop_sitting()
            return

        # The child's and the parent's own consents; the 支援会議 has done its part and lapses, and
        # the case moves on to the 重層的支援会議 and the plan.
        self.wait(7, 21)
        agencies = [E, HIKIKOMORI, COORDINATION]
        if finance and self.chance(0.45):
            agencies.append(LIVELIHOOD)
        if self.chance(0.3):
            agencies.append(SHAKYO)
        if hik_mix:
            categories = [Cat.BASIC, Cat.CONSULTATION, Cat.FAMILY, Cat.SUPPORT]
        elif self.chance(0.2):
            categories = [c for c in ALL_CATEGORIES if c != Cat.HEALTH]
        else:
            categories = ALL_CATEGORIES
        self.stop_sitting()
        consent = self.grant(HIKIKOMORI, "child", agencies=agencies, categories=categories,
                             purpose="本人と家族の生活の立て直しに向けて、関係機関で支援方針を検討するため")
        self.wait(1, 7)
        self.grant(E, "parent", agencies=agencies, categories=ALL_CATEGORIES,
                   purpose=f"{parent}の介護と世帯の生活を関係機関で支えるため")
        if "spouse" in self.members:
            self.grant(E, "spouse", agencies=agencies, categories=ALL_CATEGORIES,
                       purpose="夫婦の介護と世帯の生活を関係機関で支えるため")
        self.wait(7, 21)
        meeting = self.multi_meeting(f"{child_rel}の社会参加と{parent}の介護に向けた支援プランの検討", agencies,
                                     [MeetingDecision(
                                         DecisionKind.SUPPORT_SETUP, "役割分担を決め、支援プランを作成する。")])
        assert meeting is not None
        roles = [PlanRole(E, f"{parent}の介護保険サービスの調整と見守り"),
                 PlanRole(HIKIKOMORI, f"{child_rel}への継続訪問と居場所へのつなぎ"),
                 PlanRole(COORDINATION, "全体の進行管理とモニタリング"),
                 PlanRole(LIVELIHOOD, "家計改善支援"), PlanRole(SHAKYO, "地域の見守りと居場所の紹介")]
        goals = [f"{child_rel}が月2回、支援者と外出できる", f"{parent}が介護サービスを利用し、在宅生活を続けられる"]
        self.adopt(meeting, goals, roles)
        if LIVELIHOOD in agencies and self.chance(0.6):
            self.wait(2, 10)
            self.refer(HIKIKOMORI, LIVELIHOOD, [Cat.BASIC, Cat.CONSULTATION, Cat.SUPPORT],
                       f"{child_rel}の就労準備支援と世帯の家計改善支援を依頼します。", about=["parent", "child"])
            self.wait(1, 7)
            self.accept(LIVELIHOOD, "家計改善支援員が担当します。")
        self.wait(10, 30)
        resource = rng.choice([("ひきこもり当事者の居場所「ほっとスペース」", ResourceKind.SALON),
                               ("区内NPOでの軽作業体験", ResourceKind.WORK_TRIAL),
                               ("社協の公園清掃ボランティア", ResourceKind.VOLUNTEERING)])
        self.participate(HIKIKOMORI, "child", resource,
                         [(20, 40, "週1回の参加が続いている。表情が明るくなった。")]
                         + ([(25, 45, "参加が定着。ほかの参加者とも会話ができている。")] if self.chance(0.6) else []))
        self.wait(15, 40)
        self.review(COORDINATION, f"{child_rel}の外出の機会が増えた。{parent}は週2回デイサービスを利用している。")
        if LIVELIHOOD in self.referrals:
            self.wait(5, 20)
            self.complete(LIVELIHOOD, "家計の見直しが終わり、滞納が解消した。")
        if self.chance(0.3, "revise"):
            self.wait(10, 30)
            self.revise(agencies, goals + [f"{child_rel}が就労体験に参加する"], roles,
                        f"{child_rel}から就労体験への関心が示されたため。")
        if self.chance(0.15, "withdraw"):
            # A partial withdrawal: the child keeps the desk and the coordination office, and only the
            # basic facts and the support record.
            self.wait(10, 40)
            self.narrow(HIKIKOMORI, consent, agencies=[a for a in agencies if a not in (HIKIKOMORI, COORDINATION)],
                        categories=[c for c in categories if c not in (Cat.BASIC, Cat.SUPPORT)],
                        reason=f"{child_rel}から、ひきこもり窓口以外との情報共有と、相談内容・家族関係などの共有を"
                               "やめてほしいとの申し出があった。")
            return
        if self.chance(0.35, "close"):
            self.wait(20, 50)
            if self.evaluate(agencies, f"{child_rel}の居場所への参加が定着し、{parent}の介護体制も整った。", True):
                self.resolve(E, IssueTag.HIKIKOMORI, f"{child_rel}は週1回の外出が定着した。")
                self.close(E, "支援プランの目標を達成したため終結する。", "目標達成")
