"""Every write to the record is one of these commands, each with the rule of who may issue it.

Entry points (routes, pages, the demo, the benchmark's ward, tests) build a command and hand it to
:meth:`domain.application.Tsunagu.execute`, which checks the rule, runs the command on the case and
saves atomically. ``rules_table`` is the table of who may issue what, printed into
``docs/access-model.md`` (a test keeps the two the same).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.commands.assignment import AssignStaffInCharge
from domain.commands.base import CaseCommand, Command, Context, NewCaseCommand, Requirement, case_not_found
from domain.commands.consent import GrantConsent, NarrowConsent, WithdrawConsent
from domain.commands.emergency import RequestEmergencyAccess, ReviewEmergencyAccess
from domain.commands.intake import (
    AddMember,
    CorrectEntry,
    CorrectMemberDetails,
    IdentifyIssue,
    OpenCase,
    RecordConsultation,
    ResolveIssue,
    VoidEntry,
)
from domain.commands.meetings import (
    ExternalMember,
    HoldMultiLayeredMeeting,
    HoldSupportMeeting,
    MeetingDecision,
    MeetingPart,
    Participant,
    RecordDecision,
)
from domain.commands.outreach import (
    FollowUpParticipation,
    MatchParticipation,
    PlanOutreach,
    RecordSupportRefusal,
    RecordVisit,
)
from domain.commands.plan import (
    AdoptPlan,
    AssignRole,
    DecidePlan,
    EvaluatePlan,
    PlanRole,
    ResumePlan,
    ReviewPlan,
    RevisePlan,
    SuspendPlan,
)
from domain.commands.referral import (
    AcceptReferral,
    CompleteReferral,
    DeclineReferral,
    EscalateToMultiAgency,
    RequestReferral,
    RevokeReferral,
)
from domain.commands.sittings import HoldSitting, hold_meeting
from domain.commands.transitions import CloseCase, CompleteHandover, EndInvolvement, PlanHandover, ReopenCase

COMMANDS: tuple[type[Command], ...] = (
    OpenCase, AddMember, CorrectMemberDetails, RecordConsultation, IdentifyIssue, ResolveIssue, CorrectEntry, VoidEntry,
    GrantConsent, WithdrawConsent, NarrowConsent,
    HoldSupportMeeting, HoldMultiLayeredMeeting, HoldSitting, RecordDecision,
    RequestReferral, AcceptReferral, DeclineReferral, CompleteReferral, RevokeReferral, EscalateToMultiAgency,
    AdoptPlan, RevisePlan, DecidePlan, ReviewPlan, SuspendPlan, ResumePlan, EvaluatePlan, AssignRole,
    PlanOutreach, RecordVisit, RecordSupportRefusal, MatchParticipation, FollowUpParticipation,
    PlanHandover, CompleteHandover, EndInvolvement, CloseCase, ReopenCase,
    RequestEmergencyAccess, ReviewEmergencyAccess,
    AssignStaffInCharge,
)
"""Every command, in the order of the case's story."""


@dataclass(frozen=True)
class RuleRow:
    command: str
    label_ja: str
    requirements: tuple[Requirement, ...]


def rules_table() -> list[RuleRow]:
    """Who may issue each command: the requirements, in the order they are tried."""
    return [RuleRow(command.__name__, command.LABEL_JA, command.RULE) for command in COMMANDS]


def requirements() -> list[Requirement]:
    """Every requirement a rule uses, once, in the order they first appear."""
    seen: dict[str, Requirement] = {}
    for row in rules_table():
        for line in row.requirements:
            seen.setdefault(line.name, line)
    return list(seen.values())


def rules_markdown() -> str:
    """The rules as the two Markdown tables in ``docs/access-model.md``."""
    lines = ["| command | 操作 | requirements, tried in order |", "|---|---|---|"]
    for row in rules_table():
        lines.append(f"| `{row.command}` | {row.label_ja} | "
                     + " → ".join(f"`{line.name}`" for line in row.requirements) + " |")
    lines += ["", "| requirement | meaning | 意味 |", "|---|---|---|"]
    for line in requirements():
        lines.append(f"| `{line.name}` | {line.text_en} | {line.text_ja} |")
    return "\n".join(lines) + "\n"


__all__ = [
    "COMMANDS", "AcceptReferral", "AddMember", "AdoptPlan", "AssignRole", "case_not_found", "CaseCommand",
    "AssignStaffInCharge",
    "CloseCase", "Command", "CompleteHandover", "CompleteReferral", "Context", "CorrectEntry",
    "CorrectMemberDetails", "DecidePlan", "DeclineReferral", "EndInvolvement", "EscalateToMultiAgency",
    "EvaluatePlan",
    "ExternalMember", "FollowUpParticipation", "GrantConsent", "hold_meeting", "HoldMultiLayeredMeeting",
    "HoldSitting", "HoldSupportMeeting", "IdentifyIssue", "MatchParticipation", "MeetingDecision", "MeetingPart",
    "NarrowConsent",
    "NewCaseCommand", "OpenCase", "Participant", "PlanHandover", "PlanOutreach", "PlanRole", "RecordConsultation",
    "RecordDecision", "RecordSupportRefusal", "RecordVisit", "ReopenCase", "RequestEmergencyAccess",
    "RequestReferral", "requirements", "ResolveIssue", "ResumePlan", "SuspendPlan", "ReviewEmergencyAccess",
    "ReviewPlan", "RevisePlan",
    "RevokeReferral", "RuleRow", "rules_markdown", "rules_table", "VoidEntry", "WithdrawConsent",
]
