"""Realistic synthetic case histories, seeded so a run is reproducible: families in every
phase of the lifecycle, across municipalities, teams and coaches.

Each case is built in the domain, through the aggregate's own command methods (so every
rule is checked), with its facts a few days apart and never after "now" on the app's
clock; many cases are then saved at once, in one transaction per batch. A history that
would run past "now" simply stops there, which is how recent cases end up early in the
lifecycle: a melding only, waiting for a coach, a plan not yet evaluated.

For a given seed and clock the cases, their ids and every fact are the same."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import TypeVar
from uuid import UUID

from application.cases import CaseApplication
from application.inactivity import INACTIVITY_JOB
from domain.case import Case
from domain.family import FamilyMember
from domain.periods import CasePeriods
from domain.plan import Agreement, Goal
from domain.provenance import Actor, Provenance
from domain.vocabulary import (
    Channel,
    ClosureReason,
    ConsentForm,
    ConsentPurpose,
    ConversationKind,
    DataCategory,
    EscalationTarget,
    LegalGround,
    MemberRole,
    ProblemCategory,
    ReferralDestination,
    ReferralStatus,
    RelapseRisk,
    SafetyMethod,
    SafetyVerdict,
    TriageOutcome,
    Urgency,
    WaitlistExit,
)

TEAMS = {
    "den-haag": ["centrum", "escamp", "laak", "segbroek", "loosduinen"],
    "rijswijk": ["noord", "zuid"],
    "delft": ["west", "oost"],
    "leidschendam-voorburg": ["voorburg"],
}
COACHES = {
    "den-haag": [
        f"coach-{n}" for n in ("anna", "bram", "chantal", "dirk", "esra", "fleur", "gijs", "hanna")
    ],
    "rijswijk": [f"coach-{n}" for n in ("ilse", "jamal", "karin")],
    "delft": [f"coach-{n}" for n in ("lotte", "mehmet", "noor")],
    "leidschendam-voorburg": [f"coach-{n}" for n in ("olga", "pieter")],
}
MUNICIPALITY_WEIGHTS = {"den-haag": 6, "rijswijk": 2, "delft": 2, "leidschendam-voorburg": 1}
BATCH_SIZE = 50
"""Cases saved per transaction."""
HISTORY_DAYS = 900
"""Cases open up to about two and a half years before "now", more of them recently."""

Progress = Callable[[int], None]
"""Told how many more cases were written."""

FIRST_NAMES = [
    "Sanne", "Fatima", "Mohammed", "Daan", "Emma", "Yusuf", "Lisa", "Kevin", "Aylin",
    "Jeroen", "Priya", "Sem", "Noa", "Rachid", "Iris", "Milan", "Zoë", "Tim", "Amira", "Luuk",
]  # fmt: skip
SURNAMES = [
    "de Vries", "Jansen", "El Amrani", "Bakker", "Yilmaz", "Visser", "Ramdin", "Smit",
    "Meijer", "Öztürk", "de Boer", "Mulder", "Bouzid", "Kramer", "van Dijk", "Sardjoe",
]  # fmt: skip
STREETS = [
    "Laan van Meerdervoort", "Hoefkade", "Weimarstraat", "Loosduinseweg", "Haagweg",
    "Herenstraat", "Voorstraat", "Westlandseweg", "Parkweg", "Kerkstraat",
]  # fmt: skip
REPORTERS = {
    Channel.PROFESSIONAL: ["school", "huisarts", "jgz", "politie", "wijkteam", "kinderopvang"],
    Channel.FAMILY: ["gezin"],
    Channel.KCC: ["kcc"],
    Channel.VEILIG_THUIS: ["veilig-thuis-haaglanden"],
}
CHANNEL_WEIGHTS = {
    Channel.PROFESSIONAL: 6,
    Channel.FAMILY: 2,
    Channel.KCC: 1,
    Channel.VEILIG_THUIS: 1,
}
HELP_QUESTIONS = [
    "Ouders vragen hulp bij opvoeding en schoolverzuim",
    "Zorgen over de ontwikkeling van de jongste",
    "Schulden en dreigende huisuitzetting; kinderen komen tekort",
    "Spanningen thuis na de scheiding",
    "Jongere blowt en gaat niet meer naar school",
    "Moeder overbelast, mantelzorg voor grootouder",
    "Gedragsproblemen op school en thuis",
    "Ouder met psychische klachten vraagt steun bij de zorg voor de kinderen",
]
PARTNERS = [
    "school-de-regenboog", "school-het-startpunt", "jgz-haaglanden", "huisarts-de-linde",
    "leerplicht", "schuldhulp", "wijkteam", "kinderopvang-de-vlinder", "ggz-haaglanden",
]  # fmt: skip
LOCAL = {"leerplicht", "schuldhulp", "wijkteam"}
"""Partners that are the municipality's own: named with the municipality."""
PROVIDERS: dict[ReferralDestination, list[str]] = {
    ReferralDestination.JEUGDTEAM: ["jeugdteam"],
    ReferralDestination.OPVOEDSTEUNPUNT: ["opvoedpunt"],
    ReferralDestination.VOORLIGGEND_VELD: ["welzijn", "sportbuurtwerk"],
    ReferralDestination.BASIC_GGZ: ["psychologenpraktijk-de-brug", "ggz-haaglanden"],
    ReferralDestination.SPECIALISED_GGZ: ["parnassia-jeugd", "youz", "ggz-haaglanden"],
    ReferralDestination.OTHER_YOUTH_CARE: ["jeugdformaat", "cardea", "stek-jeugdhulp"],
    ReferralDestination.JGZ: ["jgz-haaglanden"],
    ReferralDestination.ZVW_CARE: ["kinderarts-hmc"],
}
DESTINATION_WEIGHTS = {
    ReferralDestination.JEUGDTEAM: 5,
    ReferralDestination.OPVOEDSTEUNPUNT: 3,
    ReferralDestination.VOORLIGGEND_VELD: 3,
    ReferralDestination.BASIC_GGZ: 3,
    ReferralDestination.SPECIALISED_GGZ: 3,
    ReferralDestination.OTHER_YOUTH_CARE: 2,
    ReferralDestination.JGZ: 1,
    ReferralDestination.ZVW_CARE: 1,
}
LIGHT_DESTINATIONS = [
    ReferralDestination.VOORLIGGEND_VELD,
    ReferralDestination.OPVOEDSTEUNPUNT,
    ReferralDestination.JGZ,
    ReferralDestination.BASIC_GGZ,
]
LIFE_DOMAINS = ["opvoeding", "school", "financien", "wonen", "gezondheid", "werk", "veiligheid"]
MINUTES = [Decimal(m) for m in ("15", "20", "22.5", "30", "45", "60", "75", "90", "120")]
WRITING_MINUTES = [Decimal(m) for m in ("5", "7.5", "10", "15", "20", "30")]
NOTES = [
    "Gesprek over de situatie thuis en op school; afspraken gemaakt.",
    "Ouders ervaren meer rust; avondroutine loopt beter.",
    "Zorgen over schoolverzuim besproken met de jongere.",
    "Financiële situatie in kaart gebracht, aanmelding schuldhulp besproken.",
    "Huisbezoek: gezin was open, kinderen waren aanwezig.",
    "",
]
CONCLUSIONS = [
    "Schoolbezoek verbeterd; avondroutine nog niet stabiel.",
    "Doelen deels bereikt; hulp bij opvoeding loopt door.",
    "Weinig voortgang: afspraken opnieuw gemaakt met school en ouders.",
    "Goede voortgang; volgende evaluatie richting afsluiten.",
]

T = TypeVar("T")


class PastNowError(Exception):
    """The next fact would lie after "now": this case's history stops here."""


def write_demo(
    app: CaseApplication,
    cases: int,
    seed: int = 2021,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> list[UUID]:
    """Write `cases` demo cases ending "now" on the app's clock, `batch_size` cases per
    save (one transaction each); returns their ids in the order they were written."""
    ids: list[UUID] = []
    generated = demo_cases(
        cases, seed=seed, end=app.clock.now(), periods_for=app.settings.periods_for
    )
    while batch := list(islice(generated, batch_size)):
        app.save(*batch)
        ids.extend(case.id for case in batch)
        if progress is not None:
            progress(len(batch))
    return ids


def demo_cases(
    cases: int, *, seed: int, end: datetime, periods_for: Callable[[str], CasePeriods]
) -> Iterator[Case]:
    """The demo cases, built in memory one at a time, each with its events pending."""
    rng = random.Random(seed)
    for number in range(1, cases + 1):
        yield DemoHistory(rng, number, end, periods_for).build()


class DemoHistory:
    """One family's case, fact by fact, each a little later than the last."""

    def __init__(
        self,
        rng: random.Random,
        number: int,
        end: datetime,
        periods_for: Callable[[str], CasePeriods],
    ) -> None:
        self.rng, self.number, self.end = rng, number, end
        self.municipality = _weighted(rng, MUNICIPALITY_WEIGHTS)
        self.team = rng.choice(TEAMS[self.municipality])
        self.periods = periods_for(self.municipality)
        self.organisation = f"cjg-{self.municipality}"
        self.coordinator = Actor(f"coordinator-{self.team}", self.organisation, "coordinator")
        self.coach = Actor(rng.choice(COACHES[self.municipality]), self.organisation, "coach")
        days_ago = HISTORY_DAYS * rng.random() ** 1.2
        self.at = _working_hours(end - timedelta(days=days_ago), rng)
        if self.at > end:
            self.at = end
        self.recorded = self.at
        self.conversations = self.agreements = self.referrals = 0
        self.organisations: list[str] = []

    # -- time ------------------------------------------------------------------------

    def by(self, actor: Actor, low: float = 1, high: float = 14, lag: bool = True) -> Provenance:
        """The next fact: `low` to `high` days later, in working hours, recorded a little
        after (minutes mostly, sometimes days), never after "now"."""
        rng = self.rng
        at = _working_hours(self.at + timedelta(days=rng.uniform(low, high)), rng)
        at = max(at, self.at + timedelta(minutes=rng.randint(5, 60)))
        if at > self.end:
            raise PastNowError
        self.at = at
        if lag:
            kind = rng.random()
            if kind < 0.6:
                delay = timedelta(minutes=rng.randint(1, 120))
            elif kind < 0.9:
                delay = timedelta(hours=rng.uniform(2, 48))
            else:
                delay = timedelta(days=rng.uniform(2, 10))
            self.recorded = min(self.end, max(self.recorded, at + delay))
        else:
            self.recorded = max(self.recorded, at)
        return Provenance(actor, at, self.recorded)

    @property
    def today(self) -> date:
        return self.at.date()

    # -- the family ------------------------------------------------------------------

    def family(self) -> list[FamilyMember]:
        rng, n = self.rng, self.number
        surname = rng.choice(SURNAMES)
        address = f"{rng.choice(STREETS)} {rng.randint(1, 250)}"
        opened = self.today
        adults = rng.choices([1, 2], weights=[2, 3])[0]
        members = [
            FamilyMember(
                f"parent-{i}",
                MemberRole.PARENT if i == 1 or rng.random() < 0.8 else MemberRole.CARER,
                f"{rng.choice(FIRST_NAMES)} {surname}",
                opened - timedelta(days=rng.randint(24 * 365, 52 * 365)),
                parental_authority=i == 1 or rng.random() < 0.85,
                address=address if i == 1 or rng.random() < 0.7 else f"Elders {n}",
                address_secret=rng.random() < 0.03,
            )
            for i in range(1, adults + 1)
        ]
        for i in range(1, rng.choices([1, 2, 3, 4], weights=[4, 4, 2, 1])[0] + 1):
            years = rng.uniform(0.2, 17.9) if rng.random() < 0.95 else rng.uniform(18, 22.9)
            members.append(
                FamilyMember(
                    f"child-{i}",
                    MemberRole.CHILD,
                    f"{rng.choice(FIRST_NAMES)} {surname}",
                    opened - timedelta(days=round(years * 365.25)),
                    address=address,
                )
            )
        return members

    def adults(self, case: Case) -> list[str]:
        return [m.member_id for m in case.members.values() if not m.is_child]

    def talkers(self, case: Case) -> list[str]:
        """The adults and the children of 12 and older: who takes part and consents."""
        return [
            m.member_id
            for m in case.members.values()
            if not m.is_child or (m.age_on(self.today) or 0) >= 12
        ]

    # -- the lifecycle ---------------------------------------------------------------

    def build(self) -> Case:
        case = self.open()
        with suppress(PastNowError):
            self.lifecycle(case)
        return case

    def open(self) -> Case:
        rng = self.rng
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        urgency = rng.choices(list(Urgency), weights=[15, 4, 1])[0]
        problems = list(ProblemCategory)
        return Case.open(
            case_id=UUID(int=rng.getrandbits(128), version=4),
            by=Provenance(self.coordinator, self.at, self.recorded),
            municipality=self.municipality,
            team=self.team,
            channel=channel,
            reporter_organisation=rng.choice(REPORTERS[channel]),
            reporter_professional=f"prof-{rng.randint(1, 60)}"
            if channel is Channel.PROFESSIONAL
            else "",
            members=self.family(),
            help_question_id="hq-1",
            help_question=rng.choice(HELP_QUESTIONS),
            problems_parents=rng.sample(problems, rng.randint(1, 3)),
            problems_children=rng.sample(problems, rng.randint(0, 2)),
            urgency=urgency,
        )

    def lifecycle(self, case: Case) -> None:
        rng = self.rng
        if case.urgency is Urgency.CRISIS:
            outcome = TriageOutcome.CRISIS
        else:
            outcome = rng.choices(list(TriageOutcome), weights=[5, 14, 1])[0]
        level = {TriageOutcome.SINGLE: (0, 2), TriageOutcome.COMPLEX: (3, 5)}.get(outcome, (5, 5))
        quick = outcome is TriageOutcome.CRISIS or case.urgency is not Urgency.NORMAL
        case.triage(
            self.by(self.coordinator, 0, 1 if quick else 7),
            outcome=outcome,
            coordination_level=rng.randint(*level),
        )
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice([ConversationKind.CLARIFICATION, ConversationKind.PHONE])
            self.conversation(case, self.coordinator, kind, 0.5, 7)
        if outcome is TriageOutcome.CRISIS or rng.random() < 0.12:
            self.safety(case, self.coordinator)
        if outcome is TriageOutcome.SINGLE:
            self.light_support(case)
            return
        if not quick and not self.waitlist(case):
            return
        self.start_coaching(case)
        ending = rng.choices(["done", "inactive", "stalled", "ongoing"], weights=[11, 3, 2, 4])[0]
        cycles = rng.randint(3, 10) if ending != "ongoing" else 40
        for _ in range(cycles):
            self.cycle(case)
        if ending == "done":
            self.finish(case)
            if case.is_closed and case.closed_by_coach and rng.random() < 0.2:
                self.reopen(case)
        elif ending == "inactive":
            self.wind_down(case)
            self.close_inactive(case)

    def conversation(
        self, case: Case, actor: Actor, kind: ConversationKind, low: float = 1, high: float = 14
    ) -> None:
        rng = self.rng
        self.conversations += 1
        talkers = self.talkers(case)
        case.hold_conversation(
            self.by(actor, low, high),
            conversation_id=f"c-{self.conversations}",
            kind=kind,
            minutes=rng.choice(MINUTES),
            writing_minutes=rng.choice(WRITING_MINUTES),
            participants=rng.sample(talkers, rng.randint(1, len(talkers))),
            notes=rng.choice(NOTES),
        )

    def consent(self, case: Case, actor: Actor, purpose: ConsentPurpose, organisation: str) -> None:
        """Given by every adult and every child of 12 or older; about the whole family."""
        by = self.by(actor, 0, 3)
        categories = [
            DataCategory.IDENTITY,
            DataCategory.CONTACT_ADDRESS,
            DataCategory.HELP_QUESTION,
        ]
        if purpose is not ConsentPurpose.WAITLIST:
            categories += [DataCategory.PLAN, DataCategory.REFERRALS]
        case.grant_consent(
            by,
            consent_id=f"consent-{purpose.value}-{len(case.consents) + 1}",
            given_by=self.talkers(case),
            about=list(case.members),
            organisation=organisation,
            categories=categories,
            purpose=purpose,
            form=ConsentForm.WRITTEN if self.rng.random() < 0.7 else ConsentForm.ORAL,
        )

    def safety(self, case: Case, actor: Actor) -> None:
        rng = self.rng
        verdict = rng.choices(list(SafetyVerdict), weights=[14, 5, 1])[0]
        case.assess_safety(
            self.by(actor, 0, 5),
            method=rng.choice(list(SafetyMethod)),
            verdict=verdict,
            notes="" if verdict is SafetyVerdict.SAFE else "Zorgen over de thuissituatie.",
        )
        if verdict is SafetyVerdict.UNSAFE:
            case.escalate(
                self.by(actor, 0, 1),
                target=EscalationTarget.VEILIG_THUIS,
                reason="Onveilige situatie voor de kinderen",
            )
            children = [m.member_id for m in case.members.values() if m.is_child]
            case.decide_sharing(
                self.by(actor, 0, 1),
                shared=True,
                organisation="veilig-thuis-haaglanden",
                members=children,
                categories=[DataCategory.IDENTITY, DataCategory.SAFETY],
                legal_ground=LegalGround.MELDRECHT_WMO_5_2_6,
                justification="Meldcode: acute onveiligheid, delen zonder toestemming noodzakelijk",
            )

    def light_support(self, case: Case) -> None:
        """A single question: a few conversations, perhaps a light referral, then done."""
        rng = self.rng
        for _ in range(rng.randint(0, 2)):
            self.conversation(case, self.coordinator, ConversationKind.HELP)
        if rng.random() < 0.2:
            case.register_time(
                self.by(self.coordinator, 0, 3),
                minutes=rng.choice(MINUTES),
                writing_minutes=rng.choice(WRITING_MINUTES),
            )
        if rng.random() < 0.5:
            referral_id = self.request(case, self.coordinator, rng.choice(LIGHT_DESTINATIONS))
            case.accept_referral(self.by(self.coordinator, 2, 20), referral_id=referral_id)
            case.start_care(self.by(self.coordinator, 5, 40), referral_id=referral_id)
            case.end_care(
                self.by(self.coordinator, 20, 120), referral_id=referral_id, reason="afgerond"
            )
        case.answer_help_question(self.by(self.coordinator, 0, 10))
        if rng.random() < 0.65:
            self.close(case, self.coordinator, ClosureReason.NO_FURTHER_HELP_NEEDED)
        else:
            self.close_inactive(case)

    def waitlist(self, case: Case) -> bool:
        """Consent, a place on the waitlist and a contact every two weeks or so; False if
        the family leaves it without a coach."""
        rng = self.rng
        self.consent(case, self.coordinator, ConsentPurpose.WAITLIST, self.organisation)
        case.place_on_waitlist(
            self.by(self.coordinator, 0, 2),
            priority=rng.choices([1, 2, 3, 4, 5], [1, 3, 5, 3, 1])[0],
        )
        waits = rng.uniform(7, 200)
        waited = 0.0
        while waited < waits:
            step = rng.uniform(10, 16) if rng.random() < 0.85 else rng.uniform(17, 35)
            waited += step
            case.contact_waiting_family(self.by(self.coordinator, step, step))
            in_force = case.consents_in_force()
            if in_force and rng.random() < 0.02:
                consent = in_force[0]
                case.withdraw_consent(
                    self.by(self.coordinator, 0, 2),
                    consent_id=consent.consent_id,
                    withdrawn_by=[consent.given_by[0]],
                )
        if rng.random() < 0.12:
            case.leave_waitlist(
                self.by(self.coordinator, 0, 5),
                exit=rng.choice([WaitlistExit.WITHDRAWN, WaitlistExit.NO_LONGER_NEEDED]),
            )
            case.answer_help_question(self.by(self.coordinator, 0, 5))
            if rng.random() < 0.5:
                self.close(case, self.coordinator, ClosureReason.FAMILY_DECLINED)
            else:
                self.close_inactive(case)
            return False
        return True

    def start_coaching(self, case: Case) -> None:
        """A coach, consent to coordinate, a round table, the regisseur made known, a plan."""
        rng = self.rng
        case.assign_coach(
            self.by(self.coordinator, 0, 3),
            coach=self.coach.subject,
            organisation=self.organisation,
        )
        self.consent(case, self.coach, ConsentPurpose.CARE_COORDINATION, self.organisation)
        if rng.random() < 0.06:
            case.record_refusal(
                self.by(self.coach, 0, 3),
                refusal_id="refusal-1",
                given_by=[self.adults(case)[0]],
                recipient="ex-partner",
                categories=[DataCategory.CONTACT_ADDRESS, DataCategory.CONVERSATION_NOTES],
            )
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice([ConversationKind.HOME_VISIT, ConversationKind.HELP])
            self.conversation(case, self.coach, kind, 1, 10)
        self.organisations = [
            f"{p}-{self.municipality}" if p in LOCAL else p
            for p in rng.sample(PARTNERS, rng.randint(2, 4))
        ]
        case.hold_round_table(
            self.by(self.coach, 5, 25),
            members=self.talkers(case),
            organisations=self.organisations,
            decisions="Een gezin, een plan, een regisseur: afspraken over wie wat doet",
        )
        if rng.random() < 0.85:
            told = [case.reporter_organisation, *self.organisations]
            if rng.random() < 0.15:
                told = told[:1]
            case.make_regisseur_known(self.by(self.coach, 0, 5), organisations=told)
        if rng.random() < 0.12:
            case.report_separate_plan(
                self.by(self.coach, 0, 10),
                organisation=rng.choice(self.organisations),
                description="Werkt met een eigen behandelplan",
            )
        if rng.random() < 0.92:
            self.plan(case, revise=False)

    def plan(self, case: Case, revise: bool) -> None:
        rng = self.rng
        by = self.by(self.coach, 3, 25)
        goals = [
            Goal(f"g-{member}-{n}", member, domain, f"Doel voor {domain}")
            for member in self.talkers(case)
            for n, domain in enumerate(rng.sample(LIFE_DOMAINS, rng.randint(1, 2)))
        ]
        agreements = []
        for _ in range(rng.randint(1, 3)):
            self.agreements += 1
            agreements.append(
                Agreement(
                    f"a-{self.agreements}",
                    rng.choice(self.organisations),
                    rng.choice(["wekelijks contact", "aanmelding", "huisbezoek", "overleg"]),
                    self.today + timedelta(days=rng.randint(14, 60)),
                    f"prof-{rng.randint(1, 60)}",
                )
            )
        next_evaluation = self.today + timedelta(days=rng.choice([42, 56, 90]))
        if revise:
            case.revise_plan(
                by, goals=goals, agreements=agreements, next_evaluation=next_evaluation
            )
        else:
            case.adopt_plan(by, goals=goals, agreements=agreements, next_evaluation=next_evaluation)

    def cycle(self, case: Case) -> None:
        """A few weeks of coaching: conversations, referrals moving on, evaluations."""
        rng = self.rng
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice(list(ConversationKind))
            self.conversation(case, self.coach, kind, 3, 14)
        if rng.random() < 0.15:
            case.register_time(
                self.by(self.coach, 0, 5),
                minutes=rng.choice(MINUTES),
                writing_minutes=rng.choice(WRITING_MINUTES),
            )
        if self.referrals < 3 and rng.random() < 0.22:
            self.request(case, self.coach, _weighted(rng, DESTINATION_WEIGHTS))
        self.advance_referrals(case)
        plan = case.plan
        if plan is not None and plan.agreements and rng.random() < 0.08:
            case.record_broken_agreement(
                self.by(self.coach, 0, 7),
                agreement_id=rng.choice(plan.agreements).agreement_id,
                notes="Afspraak niet nagekomen",
            )
            if rng.random() < 0.35:
                case.escalate(
                    self.by(self.coach, 0, 7),
                    target=rng.choice(
                        [EscalationTarget.COORDINATION_POINT, EscalationTarget.STEERING_GROUP]
                    ),
                    reason="Afspraken in het gezinsplan worden niet nagekomen",
                )
        if plan is not None and plan.next_evaluation and self.today >= plan.next_evaluation:
            self.evaluate(case, final=False)
            if rng.random() < 0.3:
                self.plan(case, revise=True)
        if rng.random() < 0.03 and case.coaching_active:
            others = [c for c in COACHES[self.municipality] if c != self.coach.subject]
            self.coach = Actor(rng.choice(others), self.organisation, "coach")
            case.change_coach(
                self.by(self.coordinator, 0, 7),
                coach=self.coach.subject,
                organisation=self.organisation,
                reason=rng.choice(["ziekte", "vertrek", "match met gezin", "caseload"]),
            )
        if rng.random() < 0.03:
            self.safety(case, self.coach)

    def evaluate(self, case: Case, final: bool) -> None:
        rng = self.rng
        by = self.by(self.coach, 0, 10)
        case.evaluate_plan(
            by,
            members=self.talkers(case),
            organisations=rng.sample(self.organisations, rng.randint(1, len(self.organisations))),
            conclusions="Doelen bereikt" if final else rng.choice(CONCLUSIONS),
            next_evaluation=None if final else by.occurred_at.date() + timedelta(days=42),
        )

    def request(self, case: Case, actor: Actor, destination: ReferralDestination) -> str:
        self.referrals += 1
        referral_id = f"r-{self.referrals}"
        provider = self.rng.choice(PROVIDERS[destination])
        case.request_referral(
            self.by(actor, 0, 7),
            referral_id=referral_id,
            member_id=self.rng.choice(list(case.members)),
            destination=destination,
            organisation=f"{provider}-{self.municipality}" if "-" not in provider else provider,
        )
        return referral_id

    def advance_referrals(self, case: Case) -> None:
        """Each running referral may take its next step: providers take their time."""
        rng = self.rng
        for referral in list(case.referrals.values()):
            chance = rng.random()
            rid = referral.referral_id
            if referral.status is ReferralStatus.REQUESTED:
                if chance < 0.6:
                    case.accept_referral(self.by(self.coach, 0, 10), referral_id=rid)
                elif chance < 0.72:
                    case.reject_referral(
                        self.by(self.coach, 0, 10),
                        referral_id=rid,
                        reason=rng.choice(["past niet bij het aanbod", "geen capaciteit"]),
                    )
            elif referral.status is ReferralStatus.ACCEPTED and chance < 0.35:
                case.start_care(self.by(self.coach, 0, 10), referral_id=rid)
            elif referral.status is ReferralStatus.CARE_STARTED:
                if chance < 0.2:
                    case.end_care(self.by(self.coach, 0, 10), referral_id=rid, reason="afgerond")
                elif chance < 0.24:
                    case.extend_referral(
                        self.by(self.coach, 0, 5),
                        referral_id=rid,
                        until=self.today + timedelta(days=rng.choice([90, 180])),
                        reason="Verlenging na evaluatie",
                    )

    def finish(self, case: Case) -> None:
        """Care ends, a last evaluation, the help question answered, the case closed."""
        rng = self.rng
        for referral in list(case.referrals.values()):
            if referral.status is ReferralStatus.CARE_STARTED:
                case.end_care(
                    self.by(self.coach, 0, 14), referral_id=referral.referral_id, reason="afgerond"
                )
        if case.plan is not None:
            self.evaluate(case, final=True)
        case.answer_help_question(self.by(self.coach, 0, 10))
        reason = rng.choices(
            [
                ClosureReason.GOALS_REACHED,
                ClosureReason.NO_FURTHER_HELP_NEEDED,
                ClosureReason.TRANSFERRED,
                ClosureReason.MOVED,
                ClosureReason.FAMILY_DECLINED,
            ],
            weights=[10, 3, 2, 1, 2],
        )[0]
        self.close(case, self.coach, reason)

    def close(self, case: Case, actor: Actor, reason: ClosureReason) -> None:
        rng = self.rng
        case.close(
            self.by(actor, 1, 14),
            reason=reason,
            relapse_risk=rng.choices(list(RelapseRisk), weights=[5, 3, 1, 1])[0],
            aftercare_by=rng.choice(["jgz-haaglanden", "huisarts-de-linde", ""]),
            informed_organisations=self.organisations or [case.reporter_organisation],
            periods=self.periods,
        )

    def wind_down(self, case: Case) -> None:
        """All help stops without the case being closed: it becomes due as inactive."""
        for referral in list(case.referrals.values()):
            rid = referral.referral_id
            if referral.status is ReferralStatus.REQUESTED:
                case.reject_referral(self.by(self.coach, 0, 5), referral_id=rid, reason="afgezien")
            elif referral.status is ReferralStatus.ACCEPTED:
                case.start_care(self.by(self.coach, 0, 5), referral_id=rid)
            if case.referrals[rid].status is ReferralStatus.CARE_STARTED:
                case.end_care(self.by(self.coach, 0, 30), referral_id=rid, reason="gezin stopt")
        case.end_coaching(self.by(self.coach, 0, 5), reason="gezin niet meer bereikbaar")
        case.answer_help_question(self.by(self.coach, 0, 5))

    def close_inactive(self, case: Case) -> None:
        """The nightly job closes it once the inactivity period has passed."""
        days = self.periods.inactivity_days
        case.close(
            self.by(INACTIVITY_JOB, days + 1, days + 30, lag=False),
            reason=ClosureReason.INACTIVE,
            relapse_risk=RelapseRisk.UNKNOWN,
            aftercare_by="",
            informed_organisations=[],
            periods=self.periods,
        )

    def reopen(self, case: Case) -> None:
        """The coach who closed it reopens it within the window, for the same question."""
        rng = self.rng
        coach = case.closed_by_coach
        window = self.periods.reopen_window_days
        if coach is None or window < 7:
            return
        case.reopen(
            self.by(Actor(coach, self.organisation, "coach"), 1, window - 4),
            coach=coach,
            help_question_id=case.help_question_id,
            periods=self.periods,
        )
        for _ in range(rng.randint(1, 3)):
            self.conversation(case, self.coach, ConversationKind.HELP)
        if rng.random() < 0.5:
            case.answer_help_question(self.by(self.coach, 0, 10))
            self.close(case, self.coach, ClosureReason.NO_FURTHER_HELP_NEEDED)


def _working_hours(at: datetime, rng: random.Random) -> datetime:
    """The same day (or the next Monday) between 8:30 and 17:00, in the clock's zone."""
    day = at.date()
    if day.weekday() >= 5:
        day += timedelta(days=7 - day.weekday())
    minute = rng.randint(8 * 60 + 30, 17 * 60)
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=at.tzinfo)


def _weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]
