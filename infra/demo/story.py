"""One household's story: a case, its cursor in time, and the steps agencies record on it.

Every step builds a command (:mod:`domain.commands`) and issues it through ``Tsunagu.execute``
as the household's worker at the agency that acts, dated at the story's cursor. The command's
rule decides as it would for anyone: an agency records on a case it has a basis on, a 支援会議
is convened by the ward's office for it, a 重層的支援会議 needs consent covering everyone in the
room, and the lead agency or a coordinator closes the case. The scenarios (``stories/``) say
what happens in each kind of household; this module says how it is recorded.

Consent is a person's: each member gives their own (a child under the ward's age through a
親権者, with the child's own view noted where it was heard; an adult with a 成年後見人 through
them, with the member's view), on a numbered consent form or orally to a named worker. Every
consultation, issue and referral names the members it is about, so that it is shared only as
far as each of them agreed. A 支援会議 tables some members and categories until its next
sitting; a story that still needs it holds that sitting on the day, and lets it lapse once
consent has moved the case on to a 重層的支援会議.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar
from uuid import UUID

from domain.calendar import JST, age_on, local_date
from domain.commands import (
    AcceptReferral,
    AddMember,
    AdoptPlan,
    CaseCommand,
    CloseCase,
    CompleteHandover,
    CompleteReferral,
    CorrectMemberDetails,
    DeclineReferral,
    EndInvolvement,
    EvaluatePlan,
    FollowUpParticipation,
    GrantConsent,
    HoldMultiLayeredMeeting,
    HoldSupportMeeting,
    IdentifyIssue,
    MatchParticipation,
    MeetingDecision,
    NarrowConsent,
    OpenCase,
    Participant,
    PlanHandover,
    PlanOutreach,
    PlanRole,
    RecordConsultation,
    RecordSupportRefusal,
    RecordVisit,
    ReopenCase,
    RequestEmergencyAccess,
    RequestReferral,
    ResolveIssue,
    ReviewPlan,
    RevisePlan,
    WithdrawConsent,
)
from domain.vocabulary import ClosureReason, ConsentGiver, ConsentMethod, DecisionKind, Field, IssueTag, ResourceKind
from domain.vocabulary import InformationCategory as Cat
from domain.vocabulary import VisitOutcome as Visit
from infra.demo.names import GIVEN_NAMES, SURNAMES, generation
from infra.demo.ward import Run, Stop

ALL_CATEGORIES = list(Cat)


def one_year_after(day: date) -> date:
    """About a year later: the day before the anniversary."""
    try:
        anniversary = day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        anniversary = day.replace(year=day.year + 1, day=28)
    return anniversary - timedelta(days=1)


def unique(items: Iterable[str | None]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item is not None and item not in seen:
            seen.append(item)
    return seen


@dataclass
class Sitting:
    """A 支援会議 a story keeps sitting while it still needs what the meeting shares.

    Its sharing lasts until ``until`` (the next sitting); when the story's time passes that day, the
    next sitting is held on it, tabling the same members and categories (and what was recorded since).
    """

    purpose: str
    attendees: list[str]
    about: list[str]
    categories: list[Cat]
    follow_up: MeetingDecision
    until: date
    number: int = 1


@dataclass(frozen=True)
class HeldSupportMeeting:
    """A 支援会議 as the story held it (for the showcases: who sat in it, until when it shared)."""

    meeting_id: str
    held_on: date
    until: date
    attendees: tuple[str, ...]


class Story:
    """One household: a case, its cursor in time, and what has been recorded so far."""

    SCENARIO: ClassVar[str]
    LABEL_JA: ClassVar[str]
    WEIGHT: ClassVar[int]
    """Rough share of a ward's year, per 100 households."""

    def __init__(self, run: Run, index: int, rng: random.Random, district: str | None, opened_at: datetime,
                 force: dict[str, bool], workers: dict[str, str], pace: float) -> None:
        self.run = run
        self.index = index
        self.rng = rng
        self.district = district
        self.desks = run.ward.of(district)
        """The agencies this household's story turns to (:mod:`infra.demo.desks`)."""
        self.t = opened_at
        self.last_at: datetime | None = None
        self.force = force
        self.workers = dict(workers)
        self.pace = pace
        self._case_id: UUID | None = None
        self.version = 0
        self.lead = ""  # the case's lead agency: the opener, until a handover moves it
        self.surname, self.surname_kana = rng.choice(SURNAMES)
        self.household = f"{self.surname}家"
        self.members: dict[str, str] = {}
        self.births: dict[str, date] = {}
        self.names: dict[str, str] = {}
        self.relationships: dict[str, str] = {}
        self.genders: dict[str, str] = {}
        self.involved: list[str] = []  # agencies with any part in the case
        self.attended: list[str] = []  # agencies that sat in a 支援会議
        self.consents: dict[str, dict[str, Any]] = {}  # active consents as this story granted them
        self.child_views: list[tuple[str, int, str]] = []  # (member key, age, view) of children who consented
        self.narrowed: list[str] = []  # what each partial withdrawal took out, in words
        self.support_meetings: list[HeldSupportMeeting] = []
        self.sitting: Sitting | None = None
        self.referrals: dict[str, str] = {}  # to_agency -> referral id, while in progress
        self.plan_in_progress = False
        self.closed = False
        self.milestones: list[str] = []
        self.flags: list[str] = []
        self.emergency_staff: str | None = None

    def play(self) -> None:
        """What happens in this kind of household, recorded step by step (cut off at ``until``)."""
        raise NotImplementedError

    @property
    def opened(self) -> bool:
        return self._case_id is not None

    @property
    def case_id(self) -> UUID:
        assert self._case_id is not None, "the story has not opened its case yet"
        return self._case_id

    # -- the household's desks (its district's, and the ward's) --

    @property
    def elderly(self) -> str:
        return self.desks.elderly

    @property
    def general(self) -> str:
        return self.desks.general

    @property
    def coordination(self) -> str:
        return self.desks.coordination

    @property
    def hikikomori(self) -> str:
        return self.desks.hikikomori

    @property
    def livelihood(self) -> str:
        return self.desks.livelihood

    @property
    def children(self) -> str:
        return self.desks.children

    @property
    def child_guidance(self) -> str | None:
        return self.desks.child_guidance

    @property
    def disability(self) -> str:
        return self.desks.disability

    @property
    def shakyo(self) -> str:
        return self.desks.shakyo

    @property
    def health(self) -> str:
        return self.desks.health

    # -- chance and time --

    def chance(self, p: float, feature: str | None = None) -> bool:
        draw = self.rng.random()  # drawn even when forced, so stories keep their shape
        if feature is not None and feature in self.force:
            return self.force[feature]
        return draw < p

    def business(self, day: date) -> datetime:
        """A time in office hours on ``day``, or on the next weekday."""
        while day.weekday() >= 5:
            day += timedelta(days=1)
        minutes = self.rng.randrange(9 * 60, 17 * 60 + 15, 5)
        return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=JST)

    def _move(self, t: datetime) -> None:
        if t > self.run.until:
            raise Stop
        self.t = t

    def wait(self, low: float, high: float, *, paced: bool = True) -> None:
        """Let some days pass, to a weekday during office hours (showcase households move faster).

        A 支援会議 the story keeps sitting meets again on the day its sharing ends, if the wait passes it.
        """
        target = self.t + timedelta(days=self.rng.uniform(low, high) * (self.pace if paced else 1.0))
        t = self.business(local_date(target))
        if t <= self.t:
            t = self.t + timedelta(minutes=self.rng.randrange(10, 65, 5))
        while self.sitting is not None and local_date(t) > self.sitting.until:
            self._sit_again(self.sitting)
        self._move(t)

    def now(self) -> datetime:
        """When the next record happens: a few minutes after the last one, if the clock has not moved."""
        if self.last_at is not None and self.t <= self.last_at:
            self._move(self.last_at + timedelta(minutes=self.rng.randrange(3, 21)))
        return self.t

    def today(self) -> date:
        return local_date(self.now())

    def review_date(self) -> date:
        return self.today() + timedelta(days=self.rng.randint(60, 100))

    # -- staff --

    def worker(self, agency: str) -> str:
        """The household's worker at ``agency`` (a coordinator at an office)."""
        if agency not in self.workers:
            self.workers[agency] = self.rng.choice(self.run.ward.staff_of(agency))
        return self.workers[agency]

    def _involve(self, *agencies: str | None) -> None:
        for agency in agencies:
            if agency is not None and agency not in self.involved:
                self.involved.append(agency)

    # -- writing through the application --

    def open(self, agency: str, summary: str) -> None:
        command = OpenCase(household_name=self.household, household_name_kana=f"{self.surname_kana}け",
                           district=self.district, summary=summary, occurred_at=self.now())
        result = self.run.execute(self.worker(agency), command, version_before=0)
        self._case_id = UUID(result.case_id)
        self.version = result.version
        self.last_at = self.t
        self.lead = agency
        self._involve(agency)

    def do(self, agency: str, command: CaseCommand) -> str | None:
        """Issue ``command`` as this household's worker at ``agency``, dated at the cursor."""
        at = self.now()
        result = self.run.execute(self.worker(agency), replace(command, occurred_at=at), version_before=self.version)
        self.version = result.version
        self.last_at = at
        self._involve(agency, *command.agencies_named())
        return result.created_id

    # -- intake --

    def add(self, key: str, agency: str, *, relationship: str, gender: str, age: int | None = None,
            birth: date | None = None, principal: bool = False) -> str:
        if birth is None:
            assert age is not None
            birth = self.today() - timedelta(days=age * 365 + age // 4 + self.rng.randrange(0, 360))
        given, given_kana = self.rng.choice(GIVEN_NAMES[(generation(age_on(birth, self.today())), gender)])
        member_id = self.do(agency, AddMember(
            case_id=self.case_id, name=f"{self.surname} {given}", name_kana=f"{self.surname_kana} {given_kana}",
            birth_date=birth, relationship=relationship, is_principal=principal))
        assert member_id is not None
        self.members[key] = member_id
        self.births[key] = birth
        self.names[key] = f"{self.surname} {given}"
        self.relationships[key] = relationship
        self.genders[key] = gender
        return member_id

    def age(self, key: str) -> int:
        return age_on(self.births[key], self.today())

    def subjects(self, about: Sequence[str]) -> tuple[str, ...]:
        """The members an entry is about, by the story's keys (none: the whole household)."""
        return tuple(self.members[key] for key in about)

    def consult(self, agency: str, field_: Field, category: Cat, channel: str, summary: str, *,
                about: Sequence[str]) -> None:
        self.do(agency, RecordConsultation(case_id=self.case_id, field=field_, category=category, channel=channel,
                                           summary=summary, subjects=self.subjects(about)))

    def issue(self, agency: str, tag: IssueTag, note: str, *, about: Sequence[str]) -> None:
        self.do(agency, IdentifyIssue(case_id=self.case_id, tag=tag, note=note, subjects=self.subjects(about)))

    def resolve(self, agency: str, tag: IssueTag, note: str) -> None:
        self.do(agency, ResolveIssue(case_id=self.case_id, tag=tag, note=note))

    def maybe_correct(self, agency: str, member: str) -> None:
        """Now and then the worker who added a member corrects a birth date against a document."""
        if self.chance(0.08):
            corrected = self.births[member] + timedelta(days=self.rng.choice([-3, -2, -1, 1, 2, 3]))
            self.do(agency, CorrectMemberDetails(
                case_id=self.case_id, member_id=self.members[member], corrections={"birth_date": corrected},
                reason="介護保険被保険者証で生年月日を確認し、入力誤りを訂正"))
            self.births[member] = corrected

    # -- consent --

    def grant(self, agency: str, member: str, *, agencies: Sequence[str], categories: Sequence[Cat], purpose: str,
              method: ConsentMethod | None = None, parent: str | None = None, guardian: str | None = None,
              view: str = "") -> str:
        """``member``'s consent to share their own information, recorded by ``agency``.

        A child under the ward's age consents through ``parent`` (a member with parental authority);
        an adult with a 成年後見人 etc. through ``guardian`` (who they are, in words), with the member's
        ``view``. Written consents carry the form's number; oral ones the worker who heard them (and,
        as the recording agency is in their scope, go to the auditors' review: most are written).
        """
        if method is None:
            method = ConsentMethod.WRITTEN if self.rng.random() < 0.85 else ConsentMethod.ORAL
        agencies = unique(agencies)
        age = self.age(member)
        representative = ""
        if guardian is not None:
            given_by, representative = ConsentGiver.GUARDIAN, guardian
            assert view, "a guardian's consent records the member's own view"
        elif age < self.run.app.policy.self_consent_age:
            assert parent is not None, f"{member} is {age}: a child consents through a parent"
            given_by, representative = ConsentGiver.PARENT, f"{self.names[parent]}（{self.capacity(parent)}・親権者）"
        else:
            given_by, view = ConsentGiver.SELF, ""  # a view is noted when someone else consents for the member
        written = method == ConsentMethod.WRITTEN
        consent_id = self.do(agency, GrantConsent(
            case_id=self.case_id, member_id=self.members[member], agencies=tuple(agencies),
            categories=tuple(categories), purpose=purpose, method=method, valid_until=one_year_after(self.today()),
            given_by=given_by, representative=representative, member_view=view,
            document_ref=self.run.consent_form(self.today()) if written else "",
            heard_by="" if written else self.worker(agency)))
        assert consent_id is not None
        self.consents[consent_id] = {"member": member, "agencies": list(agencies), "categories": list(categories)}
        self.run.consent_givers[given_by.value] += 1
        if given_by == ConsentGiver.PARENT and view:
            self.child_views.append((member, age, view))
        if "同意" not in self.milestones[-1:]:
            self.milestones.append("同意")
        return consent_id

    def capacity(self, key: str) -> str:
        """How a member stands to the household's children, in words (the principal as 母 or 父)."""
        relationship = self.relationships[key]
        if relationship == "本人":
            return "母" if self.genders[key] == "f" else "父"
        return relationship

    def withdraw(self, agency: str, consent_id: str, reason: str) -> None:
        self.do(agency, WithdrawConsent(case_id=self.case_id, consent_id=consent_id, reason=reason))
        del self.consents[consent_id]
        self.milestones.append("同意撤回")
        self.flags.append("consent_withdrawn")

    def narrow(self, agency: str, consent_id: str, *, agencies: Sequence[str] = (), categories: Sequence[Cat] = (),
               reason: str) -> None:
        """A partial withdrawal: the member takes some agencies or categories out of their consent."""
        consent = self.consents[consent_id]
        agencies = [a for a in agencies if a in consent["agencies"]]
        categories = [c for c in categories if c in consent["categories"]]
        assert agencies or categories, "a partial withdrawal takes something out of the consent"
        self.do(agency, NarrowConsent(case_id=self.case_id, consent_id=consent_id, agencies=tuple(agencies),
                                      categories=tuple(categories), reason=reason))
        consent["agencies"] = [a for a in consent["agencies"] if a not in agencies]
        consent["categories"] = [c for c in consent["categories"] if c not in categories]
        if not consent["agencies"] or not consent["categories"]:
            del self.consents[consent_id]
        taken = [self.run.ward.agency_ja(a) for a in agencies] + [c.label_ja for c in categories]
        self.narrowed.append(f"{self.relationships[consent['member']]}の同意から{'・'.join(taken)}を除外")
        self.milestones.append("同意の一部撤回")
        self.flags.append("consent_narrowed")

    def covers(self, agency: str) -> bool:
        """Whether a consent this story granted (and has not withdrawn) covers ``agency`` (any member's:
        enough for the agency to sit in a 重層的支援会議 or take a role; what it reads is per member)."""
        return any(agency in c["agencies"] for c in self.consents.values())

    # -- meetings and plans --

    def support_meeting(self, purpose: str, attendees: Sequence[str], decisions: Sequence[MeetingDecision], *,
                        about: Sequence[str], categories: Sequence[Cat],
                        follow_up: MeetingDecision | None = None) -> str:
        """A 支援会議, convened by a coordinator of the ward's office for it.

        Each member sits for their agency as its registry staff (the household's worker there) and
        pledges confidentiality; no consent is needed. It tables the members ``about`` and the
        ``categories`` it discusses, and shares them until its next sitting. With ``follow_up``, the
        story keeps sitting (each next sitting decides that) until :meth:`stop_sitting`.
        """
        office = self.desks.support_office
        attendees = unique([office, *attendees])
        held_on = self.today()
        until = self.next_sitting(held_on)
        meeting_id = self.do(office, HoldSupportMeeting(
            case_id=self.case_id, held_on=held_on, purpose=purpose,
            participants=tuple(Participant(a, self.worker(a), pledged=True) for a in attendees),
            decisions=tuple(decisions), tabled_subjects=self.subjects(about), tabled_categories=tuple(categories),
            until=until))
        assert meeting_id is not None
        self.support_meetings.append(HeldSupportMeeting(meeting_id, held_on, until, tuple(attendees)))
        self.attended = unique([*self.attended, *attendees])
        self.milestones.append("支援会議")
        if follow_up is not None:
            self.sitting = Sitting(purpose, list(attendees), list(about), list(categories), follow_up, until,
                                   self.sitting.number + 1 if self.sitting is not None else 1)
        return meeting_id

    def next_sitting(self, held_on: date) -> date:
        """When the next sitting is planned (a weekday two or three months on): the meeting's sharing lasts
        until then, within the ward's maximum."""
        longest = self.run.app.policy.support_meeting_max_days
        day = held_on + timedelta(days=self.rng.randint(min(56, longest), longest))
        while day.weekday() >= 5 and day - timedelta(days=1) > held_on:
            day -= timedelta(days=1)
        return day

    def _sit_again(self, sitting: Sitting) -> None:
        """The next sitting, on the day the last one's sharing ends: it tables what was recorded since."""
        if sitting.until > local_date(self.t):
            self._move(self.business(sitting.until))
        self.support_meeting(f"{sitting.purpose.split('（第')[0]}（第{sitting.number + 1}回）", sitting.attendees,
                             [sitting.follow_up], about=sitting.about, categories=sitting.categories,
                             follow_up=sitting.follow_up)

    def stop_sitting(self) -> None:
        """The 支援会議 meets no more: its sharing ends on the day its last sitting named."""
        self.sitting = None

    def multi_meeting(self, purpose: str, attendees: Sequence[str],
                      decisions: Sequence[MeetingDecision] = ()) -> str | None:
        """A 重層的支援会議 convened by the household's coordinator, with the agencies the person's consent covers.

        The consent must cover everyone in the room, the convener included: None (not held) when
        it does not cover the coordination office, or covers no one else.
        """
        attendees = [a for a in unique([self.coordination, *attendees]) if self.covers(a)]
        if self.coordination not in attendees or len(attendees) < 2:
            return None
        meeting_id = self.do(self.coordination, HoldMultiLayeredMeeting(
            case_id=self.case_id, held_on=self.today(), purpose=purpose,
            participants=tuple(Participant(a, self.worker(a)) for a in attendees), decisions=tuple(decisions)))
        self.milestones.append("重層的支援会議")
        return meeting_id

    def _covered(self, roles: Sequence[PlanRole]) -> tuple[PlanRole, ...]:
        """Plan roles go only to agencies the consent covers."""
        return tuple(role for role in roles if self.covers(role.agency))

    def adopt(self, meeting_id: str, goals: list[str], roles: Sequence[PlanRole]) -> None:
        self.do(self.coordination, AdoptPlan(case_id=self.case_id, meeting_id=meeting_id, goals=tuple(goals),
                                        roles=self._covered(roles), next_review_on=self.review_date()))
        self.plan_in_progress = True
        self.milestones.append("プラン決定")

    def review(self, agency: str, findings: str) -> None:
        self.do(agency, ReviewPlan(case_id=self.case_id, findings=findings, next_review_on=self.review_date()))
        self.milestones.append("モニタリング")

    def revise(self, attendees: Sequence[str], goals: list[str], roles: Sequence[PlanRole], reason: str) -> bool:
        meeting_id = self.multi_meeting("支援プランの見直し", attendees)
        if meeting_id is None:
            return False
        self.do(self.coordination, RevisePlan(case_id=self.case_id, meeting_id=meeting_id, goals=tuple(goals),
                                         roles=self._covered(roles), next_review_on=self.review_date(),
                                         reason=reason))
        self.milestones.append("プラン見直し")
        return True

    def evaluate(self, attendees: Sequence[str], evaluation: str, goals_met: bool) -> bool:
        meeting_id = self.multi_meeting("終結評価", attendees, [
            MeetingDecision(DecisionKind.OTHER, "支援プランの目標の達成状況を評価し、終結を確認した。")])
        if meeting_id is None:
            return False
        self.do(self.coordination, EvaluatePlan(case_id=self.case_id, meeting_id=meeting_id, evaluation=evaluation,
                                           goals_met=goals_met))
        self.plan_in_progress = False
        self.milestones.append("終結評価")
        return True

    # -- referrals --

    def refer(self, from_agency: str, to_agency: str, categories: Sequence[Cat], reason: str, *,
              about: Sequence[str]) -> str:
        """A referral sharing ``categories`` of the members ``about``: each one's consent must cover it, or a
        current 支援会議 must have decided it."""
        referral_id = self.do(from_agency, RequestReferral(case_id=self.case_id, to_agency=to_agency,
                                                           categories=tuple(categories), reason=reason,
                                                           subjects=self.subjects(about)))
        assert referral_id is not None
        self.referrals[to_agency] = referral_id
        self.milestones.append("つなぎ")
        return referral_id

    def accept(self, to_agency: str, note: str) -> None:
        self.do(to_agency, AcceptReferral(case_id=self.case_id, referral_id=self.referrals[to_agency], note=note))

    def decline(self, to_agency: str, reason: str, *, alternative: str | None = None,
                escalate: bool = False) -> None:
        self.do(to_agency, DeclineReferral(case_id=self.case_id, referral_id=self.referrals.pop(to_agency),
                                           reason=reason, alternative_agency=alternative, escalate=escalate))
        self.milestones.append("つなぎ辞退")
        self.flags.append("referral_declined")

    def complete(self, to_agency: str, outcome: str) -> None:
        self.do(to_agency, CompleteReferral(case_id=self.case_id, referral_id=self.referrals.pop(to_agency),
                                            outcome=outcome))

    # -- outreach and participation --

    def plan_outreach(self, agency: str, member: str, approach: str) -> str:
        outreach_id = self.do(agency, PlanOutreach(
            case_id=self.case_id, member_id=self.members[member], approach=approach,
            planned_on=self.today() + timedelta(days=self.rng.randint(3, 10))))
        assert outreach_id is not None
        return outreach_id

    def visit(self, agency: str, outreach_id: str | None, member: str, outcome: Visit, notes: str) -> None:
        self.do(agency, RecordVisit(case_id=self.case_id, outreach_id=outreach_id, member_id=self.members[member],
                                    outcome=outcome, notes=notes))
        if "訪問" not in self.milestones:
            self.milestones.append("訪問")

    def refuse(self, agency: str, member: str, reason: str) -> None:
        self.do(agency, RecordSupportRefusal(case_id=self.case_id, member_id=self.members[member], reason=reason))

    def participate(self, agency: str, member: str, resource: tuple[str, ResourceKind],
                    follow_ups: Sequence[tuple[float, float, str]]) -> None:
        match_id = self.do(agency, MatchParticipation(
            case_id=self.case_id, member_id=self.members[member], resource_name=resource[0],
            resource_kind=resource[1], starts_on=self.today() + timedelta(days=self.rng.randint(3, 14))))
        assert match_id is not None
        self.milestones.append("参加支援")
        for low, high, note in follow_ups:
            self.wait(low, high)
            continuing = self.rng.random() < 0.85
            self.do(agency, FollowUpParticipation(
                case_id=self.case_id, match_id=match_id, continuing=continuing,
                note=note if continuing else "欠席が続いている。本人の意向を確認し、別の活動も検討する。"))

    # -- transitions and closure --

    def handover(self, agency: str, member: str, at_age: int, to_agency: str, due_on: date,
                 completed_by: str, note: str) -> None:
        """A 制度切替 at ``at_age``: the lead moves with it when the handing-over agency led the case."""
        handover_id = self.do(agency, PlanHandover(case_id=self.case_id, member_id=self.members[member],
                                                   at_age=at_age, to_agency=to_agency, due_on=due_on))
        assert handover_id is not None
        self.milestones.append(f"{at_age}歳の制度切替計画")
        days_to_due = (due_on - self.today()).days
        self.wait(max(days_to_due, 0) + 0.2, max(days_to_due, 0) + 12, paced=False)
        self.do(completed_by, CompleteHandover(case_id=self.case_id, handover_id=handover_id, note=note))
        if self.lead == agency:
            self.lead = to_agency
        self.milestones.append("制度切替完了")
        self.flags.append("handover_completed")

    def end_involvement(self, agency: str, reason: str) -> None:
        """関与終了: an agency other than the lead ends its own part; the case goes on."""
        assert agency != self.lead, "the lead agency closes the case (or hands the lead over) instead"
        self.do(agency, EndInvolvement(case_id=self.case_id, reason=reason))
        self.milestones.append("関与終了")

    def close(self, agency: str, evaluation: str, outcome: str, reason: ClosureReason | None = None) -> None:
        """Closing is for the lead agency or the coordinator (on a case it has a part in), on the plan's
        終結評価 or with ``reason``, why there is none."""
        assert agency in (self.lead, self.coordination), "an agency that is not the lead ends its involvement instead"
        self.do(agency, CloseCase(case_id=self.case_id, evaluation=evaluation, outcome=outcome, reason=reason))
        self.closed = True
        self.milestones.append("終結")

    def reopen(self, agency: str, reason: str) -> None:
        assert agency in (self.lead, self.coordination)
        self.do(agency, ReopenCase(case_id=self.case_id, reason=reason))
        self.closed = False
        self.milestones.append("再開")
        self.flags.append("reopened")

    # -- break-glass --

    def emergency(self, reason_by_agency: Sequence[tuple[str, str]]) -> None:
        """Break-glass by a staff member of an agency with no part in the case (dated by the app's clock).

        It is read-only: the story ends with it, and its holder records nothing on the case.
        """
        if not self.opened or self.closed:
            return
        for agency, reason in reason_by_agency:
            if agency in self.involved or agency in self.attended or self.covers(agency):
                continue
            staff_id = self.worker(agency)
            result = self.run.execute(staff_id, RequestEmergencyAccess(case_id=self.case_id, reason=reason),
                                      version_before=self.version)
            self.version = result.version
            self.emergency_staff = staff_id
            self.milestones.append("緊急時アクセス")
            self.flags.append("emergency")
            return
