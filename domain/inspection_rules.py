"""The indicator rules of the inspection framework (001, Bijlage), decided from a case's
events alone. Each rule reads a `History` and returns a `Finding`: verdict, one sentence
with figures, and the facts it rests on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from itertools import pairwise
from typing import Generic, TypeVar, cast

from domain.case_event import CaseEvent
from domain.events_intake import (
    CaseOpened,
    CoachAssigned,
    CoachChanged,
    CoachingEnded,
    ConversationHeld,
    RegisseurMadeKnown,
    WaitlistLeft,
    WaitlistPlaced,
)
from domain.events_lifecycle import CaseClosed, CaseReopened, Escalated
from domain.events_plan import (
    AgreementBroken,
    PlanAdopted,
    PlanEvaluated,
    RoundTableHeld,
    SeparatePlanReported,
)
from domain.events_referral import ReferralCareStarted, ReferralRejected, ReferralRequested
from domain.plan import Goal
from domain.vocabulary import ClosureReason, ConversationKind, MemberRole, WaitlistExit

START_DAYS = 28
"""T3: the approach starts within four weeks of the melding (accepted in 001)."""
PLAN_DAYS = 42
"""A3: a gezinsplan within six weeks after the coach starts (000)."""
WAIT_DAYS = 28
"""C4: waiting longer than four weeks for care or for a coach is not timely."""
ESCALATION_DAYS = 14
"""S5: a broken agreement is escalated within two weeks."""

E = TypeVar("E", bound=CaseEvent, covariant=True)
K = TypeVar("K", bound=CaseEvent)
Office = tuple[str, str]  # (coach, organisation) of the regisseur in office
Wait = tuple[int, str, tuple["Fact[CaseEvent]", ...]]  # days, in words, the facts measured


class Verdict(Enum):
    MEETS = "voldoet"
    IMPROVE = "verbeterpunt"
    NOT_ASSESSABLE = "niet te beoordelen"


@dataclass(frozen=True)
class Fact(Generic[E]):
    """One event of the history: its place in the sequence and its position (evidence)."""

    seq: int
    position: int
    event: E

    @property
    def at(self) -> datetime:
        return self.event.occurred_at

    @property
    def on(self) -> str:
        return self.event.occurred_at.date().isoformat()


@dataclass(frozen=True)
class Finding:
    verdict: Verdict
    explanation: str
    facts: tuple[Fact[CaseEvent], ...] = ()


def meets(text: str, *facts: Fact[CaseEvent]) -> Finding:
    return Finding(Verdict.MEETS, text, facts)


def improve(text: str, *facts: Fact[CaseEvent]) -> Finding:
    return Finding(Verdict.IMPROVE, text, facts)


def unknown(text: str, *facts: Fact[CaseEvent]) -> Finding:
    return Finding(Verdict.NOT_ASSESSABLE, text, facts)


class History:
    """A case's events as known at `as_of`, in order, with the questions rules ask of them."""

    def __init__(self, facts: Sequence[Fact[CaseEvent]], as_of: datetime) -> None:
        self.facts = tuple(facts)
        self.as_of = as_of
        self.opened = self.of(CaseOpened)[0]
        self.members = {str(m["member_id"]): str(m["role"]) for m in self.opened.event.members}
        self._offices = _walk_offices(self.facts)

    def of(self, kind: type[K]) -> list[Fact[K]]:
        return cast("list[Fact[K]]", self.any_of(kind))

    def any_of(self, *kinds: type[CaseEvent]) -> list[Fact[CaseEvent]]:
        return [f for f in self.facts if isinstance(f.event, kinds)]

    @property
    def plan(self) -> Fact[PlanAdopted] | None:
        """The current plan version (PlanRevised is a PlanAdopted)."""
        versions = self.of(PlanAdopted)
        return versions[-1] if versions else None

    @property
    def closure(self) -> Fact[CaseClosed] | None:
        """The closure in force: the last CaseClosed, unless a reopening followed it."""
        ends = self.any_of(CaseClosed, CaseReopened)
        last = ends[-1] if ends else None
        return (
            cast("Fact[CaseClosed]", last) if last and isinstance(last.event, CaseClosed) else None
        )

    @property
    def end(self) -> datetime:
        """Where open-ended periods stop: the closure, or `as_of`."""
        closure = self.closure
        return closure.at if closure is not None else self.as_of

    def appointments(self) -> list[Fact[CoachAssigned | CoachChanged]]:
        return cast(
            "list[Fact[CoachAssigned | CoachChanged]]", self.any_of(CoachAssigned, CoachChanged)
        )

    def office_after(self, fact: Fact[CaseEvent]) -> Office | None:
        return self._offices[fact.seq]

    def office_before(self, fact: Fact[CaseEvent]) -> Office | None:
        return self._offices[fact.seq - 1] if fact.seq else None

    def family_in(self, ids: Iterable[str]) -> list[str]:
        return [i for i in ids if i in self.members]

    def problem_groups(self) -> dict[str, tuple[list[str], set[str]]]:
        """Problems are recorded for the parents and for the children as groups (CaseOpened)."""
        children = {m for m, role in self.members.items() if role == MemberRole.CHILD}
        e = self.opened.event
        return {
            "parents": (list(e.problems_parents), set(self.members) - children),
            "children": (list(e.problems_children), children),
        }

    def involved(self) -> dict[str, Fact[CaseEvent]]:
        """Each organisation taking part in the case, with the first fact naming it."""
        found: dict[str, Fact[CaseEvent]] = {}
        for fact in self.facts:
            for organisation in _organisations(fact.event):
                found.setdefault(organisation, fact)
        return found


def _walk_offices(facts: Sequence[Fact[CaseEvent]]) -> list[Office | None]:
    """Who is regisseur after each fact, following the coach events."""
    office: Office | None = None
    last: Office = ("", "")
    offices: list[Office | None] = []
    for fact in facts:
        e = fact.event
        if isinstance(e, CoachAssigned | CoachChanged):
            office = last = (e.coach, e.organisation)
        elif isinstance(e, CoachingEnded | CaseClosed):
            office = None
        elif isinstance(e, CaseReopened):
            office = (e.coach, last[1])
        offices.append(office)
    return offices


def _organisations(e: CaseEvent) -> list[str]:
    if isinstance(e, RoundTableHeld | PlanEvaluated):
        return list(e.organisations)
    if isinstance(e, PlanAdopted):
        return [str(a["organisation"]) for a in e.agreements]
    if isinstance(e, ReferralRequested | SeparatePlanReported):
        return [e.organisation]
    return []


def _days(start: datetime, end: datetime) -> int:
    return (end - start).days


def _name(fact: Fact[CaseEvent]) -> str:
    return type(fact.event).__name__


def _goals(plan: Fact[PlanAdopted]) -> list[Goal]:
    return [Goal.from_dict(g) for g in plan.event.goals]


def _n(count: int, noun: str, plural: str = "") -> str:
    """'1 evaluation', '2 evaluations': counts in explanations read as sentences."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _listed(items: Iterable[str]) -> str:
    return ", ".join(items) or "none"


# --- Toeleiding ---------------------------------------------------------------------------


def t2_registered(h: History) -> Finding:
    """Voldoet when the history opens with a melding (CaseOpened): date, channel, reporter."""
    e = h.opened.event
    text = f"registered on {h.opened.on} via {e.channel} by {e.reporter_organisation}"
    return meets(text, h.opened)


def t3_started_in_time(h: History) -> Finding:
    """Voldoet when the first conversation, coach assignment or round table came within
    START_DAYS of the melding; verbeterpunt when later, or when nothing started by then."""
    starts = sorted(h.any_of(ConversationHeld, CoachAssigned, RoundTableHeld), key=lambda f: f.at)
    if starts:
        first = starts[0]
        waited = _days(h.opened.at, first.at)
        text = (
            f"the approach started {waited} days after registration "
            f"({_name(first)} on {first.on}; norm {START_DAYS} days)"
        )
        verdict = Verdict.MEETS if waited <= START_DAYS else Verdict.IMPROVE
        return Finding(verdict, text, (h.opened, first))
    waited = _days(h.opened.at, h.end)
    if waited > START_DAYS:
        text = f"no conversation, coach or round table {waited} days after registration"
        return improve(f"{text} (norm {START_DAYS} days)", h.opened)
    text = f"registered {waited} days ago; the approach may start until day {START_DAYS}"
    return unknown(text, h.opened)


# --- Gezin centraal -----------------------------------------------------------------------


def _clarifications(h: History) -> list[Fact[ConversationHeld]]:
    talks = h.of(ConversationHeld)
    return [f for f in talks if f.event.kind == ConversationKind.CLARIFICATION]


def g1_analysis_with_family(h: History) -> Finding:
    """The analysis is the clarification conversations (brede vraagverheldering). Voldoet when
    a family member took part in one; verbeterpunt when all were held without the family."""
    talks = _clarifications(h)
    if not talks:
        return unknown("no clarification conversation (probleemanalyse) recorded yet")
    with_family = [f for f in talks if h.family_in(f.event.participants)]
    if not with_family:
        return improve(
            f"{_n(len(talks), 'clarification conversation')}, none with the family", *talks
        )
    names = _listed(sorted({m for f in with_family for m in h.family_in(f.event.participants)}))
    return meets(
        f"{len(with_family)} of {len(talks)} clarification conversations with {names}", *with_family
    )


def g2_goals_with_family(h: History) -> Finding:
    """Voldoet when a round table with family members came before plan version 1 (it sets the
    goals, 002); verbeterpunt when the plan was adopted without one."""
    versions = h.of(PlanAdopted)
    if not versions:
        return unknown("no gezinsplan yet: no goals to judge")
    first = versions[0]
    before = [f for f in h.of(RoundTableHeld) if f.seq < first.seq and h.family_in(f.event.members)]
    if not before:
        text = f"plan version 1 adopted on {first.on} without a round table with the family"
        return improve(text, first)
    table = before[-1]
    names = _listed(h.family_in(table.event.members))
    return meets(f"goals set after the round table on {table.on} with {names}", table, first)


def _family_meetings(h: History) -> list[Fact[CaseEvent]]:
    """Round tables and evaluations in which a family member took part, in order."""
    meetings: list[Fact[RoundTableHeld] | Fact[PlanEvaluated]] = [
        *h.of(RoundTableHeld),
        *h.of(PlanEvaluated),
    ]
    return sorted((f for f in meetings if h.family_in(f.event.members)), key=lambda f: f.seq)


def g3_approach_with_family(h: History) -> Finding:
    """Voldoet when every plan version followed (since the version before) a round table or
    evaluation with family members; verbeterpunt names the versions set without them."""
    versions = h.of(PlanAdopted)
    if not versions:
        return unknown("no gezinsplan yet: no approach to judge")
    meetings = _family_meetings(h)
    without: list[Fact[PlanAdopted]] = []
    cited: list[Fact[CaseEvent]] = []
    previous_seqs = [-1, *(v.seq for v in versions[:-1])]
    for previous, version in zip(previous_seqs, versions, strict=True):
        since = [m for m in meetings if previous < m.seq < version.seq]
        cited += [since[-1], version] if since else []
        without += [] if since else [version]
    if without:
        numbers = _listed(str(v.event.version) for v in without)
        text = f"{len(without)} of {_n(len(versions), 'plan version')} set without the family"
        return improve(f"{text} (version {numbers})", *without)
    text = f"every plan version ({len(versions)}) came after a meeting with the family"
    return meets(text, *cited)


def g4_evaluation_with_family(h: History) -> Finding:
    """Voldoet when every evaluation (PlanEvaluated) had a family member; verbeterpunt when one
    had none; niet te beoordelen before the first evaluation."""
    evaluations = h.of(PlanEvaluated)
    if not evaluations:
        return unknown("no evaluation held yet")
    without = [f for f in evaluations if not h.family_in(f.event.members)]
    if without:
        dates = _listed(f.on for f in without)
        text = (
            f"{len(without)} of {_n(len(evaluations), 'evaluation')} without the family ({dates})"
        )
        return improve(text, *without)
    return meets(f"every evaluation ({len(evaluations)}) had family members", *evaluations)


def _is_network(life_domain: str) -> bool:
    return "netwerk" in life_domain.lower() or "network" in life_domain.lower()


def g9_network_building(h: History) -> Finding:
    """Voldoet when the current plan has a goal in a social-network life domain; otherwise
    niet te beoordelen: the history does not record whether the network is lacking."""
    plan = h.plan
    goals = _goals(plan) if plan else []
    network = [g for g in goals if _is_network(g.life_domain)]
    if plan and network:
        text = f"plan version {plan.event.version} has {_n(len(network), 'network goal')}"
        return meets(f"{text} ({_listed(g.member_id for g in network)})", plan)
    return unknown(
        "no network goal in the plan, and no event records whether the family's network is lacking"
    )


# --- Aanpak -------------------------------------------------------------------------------


def a1_problem_analysis(h: History) -> Finding:
    """Voldoet when the melding names problem categories and a clarification conversation
    analysed them; verbeterpunt when a plan was adopted without either. Problems are
    recorded for parents and children as groups, not per member."""
    e = h.opened.event
    talks = _clarifications(h)
    summary = (
        f"{_n(len(e.problems_parents), 'problem category', 'problem categories')} for the "
        f"parents, {len(e.problems_children)} for the children, "
        f"{_n(len(talks), 'clarification conversation')}"
    )
    if (e.problems_parents or e.problems_children) and talks:
        return meets(summary, h.opened, *talks)
    plan = h.plan
    if plan is not None:
        return improve(f"{summary}, yet plan version {plan.event.version} exists", h.opened, plan)
    return unknown(f"{summary}: the analysis is not complete yet", h.opened)


def a2_goals_for_problems(h: History) -> Finding:
    """Voldoet when the current plan has a goal for a member of each group (parents,
    children) the melding names problems for; verbeterpunt names the group without."""
    plan = h.plan
    if plan is None:
        return unknown("no gezinsplan yet: no goals to judge")
    with_goal = {g.member_id for g in _goals(plan)}
    groups = {k: v for k, v in h.problem_groups().items() if v[0]}
    if not groups:
        return unknown("the melding names no problem categories", h.opened)
    missing = [f"{k} ({_listed(p)})" for k, (p, ids) in groups.items() if not ids & with_goal]
    if missing:
        text = f"problems without a goal in plan version {plan.event.version}: {'; '.join(missing)}"
        return improve(text, h.opened, plan)
    return meets(f"goals for the problems of the {' and '.join(groups)}", h.opened, plan)


def _taken_up(h: History, report: Fact[SeparatePlanReported]) -> Fact[PlanAdopted] | None:
    versions = h.of(PlanAdopted)
    organisation = report.event.organisation
    return next(
        (v for v in versions if v.seq > report.seq and organisation in _organisations(v.event)),
        None,
    )


def a3_one_plan(h: History) -> Finding:
    """Verbeterpunt when a SeparatePlanReported is unresolved (no later plan version takes up
    that organisation's agreements), or when there is no plan PLAN_DAYS after a coach
    started; voldoet with one gezinsplan and every separate plan taken up."""
    reports = h.of(SeparatePlanReported)
    unresolved = [r for r in reports if _taken_up(h, r) is None]
    plan = h.plan
    if unresolved:
        names = _listed(r.event.organisation for r in unresolved)
        text = f"{_n(len(unresolved), 'organisation')} with a plan of its own: {names}"
        return improve(text, *unresolved, *([plan] if plan else []))
    if plan is not None:
        text = f"one gezinsplan (version {plan.event.version}); {_n(len(reports), 'separate plan')}"
        return meets(f"{text} reported, all taken up in it", plan, *reports)
    coaches = h.appointments()
    if coaches and _days(coaches[0].at, h.end) > PLAN_DAYS:
        waited = _days(coaches[0].at, h.end)
        return improve(f"no gezinsplan {waited} days after the coach started", coaches[0])
    return unknown("no gezinsplan yet")


def a4_goals_for_all_members(h: History) -> Finding:
    """Verbeterpunt when a family member of the melding has no goal in the current plan;
    voldoet when every member has one (the life domains are named)."""
    plan = h.plan
    if plan is None:
        return unknown("no gezinsplan yet: no goals to judge")
    goals = _goals(plan)
    missing = [m for m in h.members if m not in {g.member_id for g in goals}]
    version = plan.event.version
    if missing:
        text = f"no goal for {_listed(missing)} in plan version {version}"
        return improve(
            f"{text} ({len(h.members) - len(missing)} of {len(h.members)} members)", h.opened, plan
        )
    domains = sorted({g.life_domain for g in goals})
    text = f"goals for all {len(h.members)} members in {len(domains)} life domains"
    return meets(f"{text} ({_listed(domains)})", h.opened, plan)


def _joint(h: History, fact: Fact[PlanEvaluated]) -> tuple[list[str], list[str]]:
    """Family members, and organisations other than the regisseur's, at an evaluation."""
    office = h.office_after(fact)
    own = office[1] if office else ""
    return h.family_in(fact.event.members), [o for o in fact.event.organisations if o != own]


def a5_joint_evaluation(h: History) -> Finding:
    """Voldoet when an evaluation had a family member and an organisation other than the
    coach's; verbeterpunt when evaluations lacked either (e.g. with the family only), or
    none was held by the plan's evaluation date."""
    evaluations = h.of(PlanEvaluated)
    joint = [f for f in evaluations if all(_joint(h, f))]
    if joint:
        family, others = _joint(h, joint[-1])
        text = f"joint evaluation on {joint[-1].on} with {_listed(family)} and {_listed(others)}"
        return meets(text, *joint)
    if evaluations:
        family_only = sum(1 for f in evaluations if _joint(h, f)[0])
        held = _n(len(evaluations), "evaluation")
        text = f"{held}, none with both the family and an organisation besides the coach's"
        return improve(f"{text} ({family_only} with the family only)", *evaluations)
    plan = h.plan
    due = plan.event.next_evaluation if plan else None
    if plan and due and due < h.as_of.date():
        return improve(f"no evaluation held; one was due on {due.isoformat()}", plan)
    return unknown("no evaluation held yet")


def a7_not_let_go(h: History) -> Finding:
    """The family declines: closure as family_declined, or leaving the waitlist withdrawn.
    Voldoet when an escalation (Escalated) came before each, or they never declined;
    verbeterpunt when they were let go without one."""
    closures = h.of(CaseClosed)
    exits = h.of(WaitlistLeft)
    declined: list[Fact[CaseEvent]] = [
        *(f for f in closures if f.event.reason == ClosureReason.FAMILY_DECLINED),
        *(f for f in exits if f.event.exit == WaitlistExit.WITHDRAWN),
    ]
    if not declined:
        text = "the family never declined help (no closure as declined, no withdrawal)"
        return meets(text, *closures)
    escalations = h.of(Escalated)
    let_go = [f for f in declined if not any(e.seq < f.seq for e in escalations)]
    if let_go:
        text = f"the family declined on {_listed(f.on for f in let_go)} and was let go"
        return improve(f"{text} without escalation", *let_go)
    text = f"the family declined after {_n(len(escalations), 'escalation')}"
    return meets(text, *declined, *escalations)


# --- Samenwerking -------------------------------------------------------------------------

COORDINATION = (RoundTableHeld, PlanAdopted, PlanEvaluated, ReferralRequested)


def s1_one_regisseur(h: History) -> Finding:
    """Verbeterpunt when a coach was assigned while another was in office, or coordination
    (round table, plan, evaluation, referral) went on without a regisseur after the first;
    voldoet otherwise; niet te beoordelen when no coach was ever assigned."""
    coaches = h.appointments()
    if not coaches:
        return unknown("no regisseur has been appointed")
    two = [f for f in h.of(CoachAssigned) if h.office_before(f) is not None]
    later = [f for f in h.any_of(*COORDINATION) if f.seq > coaches[0].seq]
    none = [f for f in later if h.office_after(f) is None]
    if two or none:
        text = f"two regisseurs at once {_n(len(two), 'time')}; {_n(len(none), 'step')} of"
        text += " coordination (round table, plan, evaluation, referral) without a regisseur"
        return improve(text, *two, *none)
    names = _listed(dict.fromkeys(f.event.coach for f in coaches))
    return meets(f"one regisseur at a time since {coaches[0].on} ({names})", *coaches)


def s2_regisseur_changes(h: History) -> Finding:
    """Counts the changes of regisseur: a CoachChanged, or a CoachAssigned naming another coach
    than the one before. Voldoet with none; verbeterpunt shows each change from -> to."""
    coaches = h.appointments()
    if not coaches:
        return unknown("no regisseur has been appointed")
    changes = [
        (before.event.coach, after)
        for before, after in pairwise(coaches)
        if after.event.coach != before.event.coach
    ]
    if not changes:
        return meets(f"{coaches[0].event.coach} was regisseur throughout", *coaches)
    chain = " → ".join([changes[0][0], *(after.event.coach for _, after in changes)])
    dates = _listed(after.on for _, after in changes)
    text = f"{len(changes) + 1} coaches in sequence: {chain} (changed on {dates})"
    return improve(text, *(after for _, after in changes))


def s3_regisseur_known(h: History) -> Finding:
    """Every organisation involved (round tables, agreements, evaluations, referrals, separate
    plans) must have been told who the current regisseur is since they started: by a
    RegisseurMadeKnown or a round table during their office. Verbeterpunt names the unaware."""
    coaches = h.appointments()
    if not coaches:
        return unknown("no regisseur has been appointed")
    start = coaches[-1]
    coach, own = start.event.coach, start.event.organisation
    involved = {o: f for o, f in h.involved().items() if o != own}
    if not involved:
        return unknown(f"no organisation besides {own} is involved", start)
    told_by = [
        f
        for f in h.any_of(RegisseurMadeKnown, RoundTableHeld)
        if f.seq > start.seq and h.office_after(f) is not None
    ]
    unaware = sorted(set(involved) - {o for f in told_by for o in _told(f.event)})
    count = _n(len(involved), "involved organisation")
    if unaware:
        text = f"{len(unaware)} of {count} not told that {coach} is regisseur: {_listed(unaware)}"
        return improve(text, start, *(involved[o] for o in unaware))
    return meets(f"{count}, all told that {coach} is regisseur", start, *told_by)


def _told(e: CaseEvent) -> list[str]:
    return list(e.organisations) if isinstance(e, RegisseurMadeKnown | RoundTableHeld) else []


def s5_stagnation_escalated(h: History) -> Finding:
    """Stagnation is a broken agreement (AgreementBroken). Voldoet when each was followed by an
    escalation (Escalated), or none occurred; verbeterpunt when one went unescalated for more
    than ESCALATION_DAYS by as_of; niet te beoordelen while that time runs."""
    broken = h.of(AgreementBroken)
    escalations = h.of(Escalated)
    if not broken and not escalations:
        return meets("no stagnation logged: no broken agreements, no escalations")
    pending = [f for f in broken if not any(e.seq > f.seq for e in escalations)]
    late = [f for f in pending if _days(f.at, h.end) > ESCALATION_DAYS]
    if late:
        ids = _listed(f.event.agreement_id for f in late)
        late_text = f"{_n(len(late), 'broken agreement')} ({ids}) not escalated"
        text = f"{late_text} within {ESCALATION_DAYS} days"
        return improve(text, *late)
    if pending:
        return unknown(
            f"{_n(len(pending), 'broken agreement')}, escalation still in time", *pending
        )
    targets = _listed(sorted({e.event.target for e in escalations}))
    escalated = f"{_n(len(escalations), 'escalation')} (to {targets})"
    text = f"{_n(len(broken), 'broken agreement')}, {escalated}"
    return meets(text, *broken, *escalations)


def s6_party_for_every_problem(h: History) -> Finding:
    """For the parents and the children, when the melding names problems for them, a party:
    a referral of one of them that was not rejected, or a goal for one of them in a plan with
    agreements. Verbeterpunt names the group without a party."""
    plan = h.plan
    rejected = {f.event.referral_id for f in h.of(ReferralRejected)}
    requests = h.of(ReferralRequested)
    referrals = [f for f in requests if f.event.referral_id not in rejected]
    if plan is None and not referrals:
        return unknown("no gezinsplan and no referrals yet")
    goal_members = {g.member_id for g in _goals(plan)} if plan else set()
    parties = {str(a["organisation"]) for a in plan.event.agreements} if plan else set()
    found: dict[str, set[str]] = {}
    for group, (problems, ids) in h.problem_groups().items():
        if problems:
            found[group] = {r.event.organisation for r in referrals if r.event.member_id in ids}
            found[group] |= parties if ids & goal_members else set()
    if not found:
        return unknown("the melding names no problem categories", h.opened)
    text = "; ".join(f"{group}: {_listed(sorted(orgs))}" for group, orgs in found.items())
    cited = (h.opened, *([plan] if plan else []), *referrals)
    verdict = Verdict.MEETS if all(found.values()) else Verdict.IMPROVE
    return Finding(verdict, f"parties per problem group: {text}", cited)


def s7_agreements_kept(h: History) -> Finding:
    """Voldoet when no agreement of the plan was reported broken; verbeterpunt counts each
    AgreementBroken with its party; niet te beoordelen without agreements."""
    versions = h.of(PlanAdopted)
    party = {
        str(a["agreement_id"]): str(a["organisation"]) for v in versions for a in v.event.agreements
    }
    if not party:
        return unknown("the plan holds no agreements yet")
    broken = h.of(AgreementBroken)
    ids = list(dict.fromkeys(f.event.agreement_id for f in broken))
    if ids:
        names = _listed(f"{i} ({party.get(i, '?')})" for i in ids)
        return improve(f"{len(ids)} of {_n(len(party), 'agreement')} not kept: {names}", *broken)
    return meets(f"none of the plan's agreements ({len(party)}) reported broken", versions[-1])


# --- Continu ------------------------------------------------------------------------------

SOLVED = {
    ClosureReason.GOALS_REACHED,
    ClosureReason.NO_FURTHER_HELP_NEEDED,
    ClosureReason.TRANSFERRED,
}


def c1_closed_when_solved(h: History) -> Finding:
    """Voldoet when the case closed with goals reached, no further help needed, or transferred;
    verbeterpunt when closed as inactive or declined; niet te beoordelen while open or when
    the family moved away."""
    closure = h.closure
    if closure is None:
        return unknown("the case is open: the approach goes on")
    reason = ClosureReason(closure.event.reason)
    text = f"closed on {closure.on} as {reason.value}"
    if reason in SOLVED:
        return meets(text, closure)
    if reason is ClosureReason.MOVED:
        return unknown(f"{text}: the approach could not go on here", closure)
    return improve(f"{text}, not with goals reached or problems manageable", closure)


def _unserved(h: History) -> list[Fact[CaseEvent]]:
    """Rejected referrals with no care started later for that member, and, once the case
    is closed, referrals that never reached care."""
    member = {f.event.referral_id: f.event.member_id for f in h.of(ReferralRequested)}
    started, rejected = h.of(ReferralCareStarted), h.of(ReferralRejected)
    unserved: list[Fact[CaseEvent]] = [
        r
        for r in rejected
        if not any(
            member[s.event.referral_id] == member[r.event.referral_id] and s.seq > r.seq
            for s in started
        )
    ]
    done = {f.event.referral_id for f in [*started, *rejected]}
    never = [f for f in h.of(ReferralRequested) if f.event.referral_id not in done]
    return unserved + (never if h.closure is not None else [])


def c3_referrals_started(h: History) -> Finding:
    """Voldoet when care started for the referrals; verbeterpunt when a referral was rejected
    with no later care started for that member, or the case closed with a referral never
    started; niet te beoordelen while referrals are pending (their wait is C4)."""
    requests = h.of(ReferralRequested)
    if not requests:
        return unknown("no referrals")
    started, unserved = h.of(ReferralCareStarted), _unserved(h)
    text = f"care started for {len(started)} of {len(requests)} referrals"
    if unserved:
        return improve(f"{text}; {len(unserved)} without care obtained", *unserved)
    if not started:
        return unknown(f"{text}: all still pending", *requests)
    return meets(text, *requests, *started)


def _referral_waits(h: History) -> list[Wait]:
    starts = {f.event.referral_id: f for f in h.of(ReferralCareStarted)}
    rejected = {f.event.referral_id for f in h.of(ReferralRejected)}
    waits: list[Wait] = []
    requests = h.of(ReferralRequested)
    for request in requests:
        e, start = request.event, starts.get(request.event.referral_id)
        what = f"{e.referral_id} ({e.member_id} → {e.organisation})"
        if start is not None:
            days = _days(request.at, start.at)
            waits.append(
                (days, f"{what} waited {days} days from request to care start", (request, start))
            )
        elif e.referral_id not in rejected:
            days = _days(request.at, h.end)
            waits.append((days, f"{what} waiting {days} days since the request", (request,)))
    return waits


def _waitlist_waits(h: History) -> list[Wait]:
    exits = h.of(WaitlistLeft)
    waits: list[Wait] = []
    for placed in h.of(WaitlistPlaced):
        left = next((x for x in exits if x.seq > placed.seq), None)
        days = _days(placed.at, left.at if left else h.end)
        how = f"until {left.event.exit}" if left else "and still waiting"
        waits.append(
            (days, f"{days} days on the waitlist {how}", (placed, *([left] if left else [])))
        )
    return waits


def c4_timely_care(h: History) -> Finding:
    """Waiting days per referral, request to care start (or to as_of / closure while waiting;
    rejected ones are C3's), and on the waitlist, placement to leaving. Verbeterpunt when
    any wait exceeds WAIT_DAYS; voldoet when none does."""
    waits = _referral_waits(h) + _waitlist_waits(h)
    if not waits:
        return unknown("no referral and no waitlist placement")
    text = f"{'; '.join(w[1] for w in waits)} (norm {WAIT_DAYS} days)"
    verdict = Verdict.IMPROVE if any(w[0] > WAIT_DAYS for w in waits) else Verdict.MEETS
    return Finding(verdict, text, tuple(f for w in waits for f in w[2]))


def c5_aftercare(h: History) -> Finding:
    """Voldoet when the CaseClosed names who keeps an eye on the family (aftercare_by);
    verbeterpunt when it names nobody; niet te beoordelen while the case is open."""
    closure = h.closure
    if closure is None:
        return unknown("the case is open: after-care is arranged at closure")
    e = closure.event
    informed = _n(len(e.informed_organisations), "organisation")
    risk = f"relapse risk {e.relapse_risk}, {informed} informed"
    if e.aftercare_by.strip():
        return meets(
            f"closed on {closure.on} with after-care by {e.aftercare_by} ({risk})", closure
        )
    return improve(
        f"closed on {closure.on} with nobody keeping an eye on the family ({risk})", closure
    )
