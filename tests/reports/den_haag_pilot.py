"""An event history shaped like the Den Haag pilot (000 §4, Tables 4.1-4.4), written through
the application's own commands: 58 cases of 10 coaches, 175 conversations on 47 cases, the
11 cases of coach 5 whose time was registered afterwards without conversation records,
13,152 minutes, two outlier cases, 61 referral entries and the problem categories.

The table's integers are roundings of fractional minutes (the pilot counted 22.5 minutes
for a 15-30 minute band): coach 9's mean of 591 and coach 10's of 249 are roundings of
591.25 and 249.375, not of 591.5 and 249.5. So a few cases carry quarter minutes, chosen
so that every coach's total, maximum, minimum and mean round to the table's figures and
the minutes still add up to exactly 13,152."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from uuid import UUID

from application.cases import CaseApplication
from domain.commands import (
    AcceptReferral,
    AssignCoach,
    HoldConversation,
    RegisterTime,
    RequestReferral,
    StartCare,
    Triage,
)
from domain.family import FamilyMember
from domain.provenance import Actor
from domain.vocabulary import (
    Channel,
    ConversationKind,
    MemberRole,
    ProblemCategory,
    ReferralDestination,
    TriageOutcome,
)

PILOT_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
CLOCK_AT = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
PERIOD = (date(2026, 1, 1), date(2026, 9, 30))
REGISTERED_AFTERWARDS = 5
"""Coach 5's case registration was incomplete: time per case reconstructed afterwards."""

# Per coach, per case: (conversations, minutes). Coach 5's cases have no conversation
# records, only time registered afterwards.
CASES: dict[int, list[tuple[int, str]]] = {
    1: [(27, "2145"), (10, "320"), (3, "80"), (5, "215.25"), (4, "200"), (5, "250"), (4, "200")],
    2: [(2, "90"), (1, "60"), (1, "85"), (1, "85"), (1, "85")],
    3: [(1, "63")],
    4: [(5, "225"), (1, "20"), (3, "65"), (2, "64")],
    5: [(0, "600"), (0, "90"), *[(0, "300")] * 6, (0, "280.25"), (0, "280"), (0, "280")],
    6: [(5, "503"), (1, "20"), *[(1, "68")] * 10, (1, "66.25"), *[(2, "68")] * 4],
    7: [(8, "433"), (1, "63"), (6, "250"), (6, "250"), (5, "230"), (5, "227.25")],
    8: [(9, "395")],
    9: [(21, "1078"), (2, "104.5")],
    10: [(4, "355"), (2, "153"), (3, "245"), (2, "244.5")],
}
OUTLIERS = {(1, 0), (9, 0)}
"""27 conversations / 2,145 minutes (coach 1) and 21 conversations / 1,078 (coach 9)."""

# Table 4.1 (all cases) and 4.2 (without the two outliers), per coach and in total:
# cases, conversations, minutes, max/min/mean conversations per case, max/min/mean minutes
# per case. None where the table has "?" (coach 5: no conversation records).
Row = tuple[int, int | None, int, int | None, int | None, str | None, int, int, int]
TABLE_4_1: dict[str, Row] = {
    "coach 1": (7, 58, 3410, 27, 3, "8.3", 2145, 80, 487),
    "coach 2": (5, 6, 405, 2, 1, "1.2", 90, 60, 81),
    "coach 3": (1, 1, 63, 1, 1, "1", 63, 63, 63),
    "coach 4": (4, 11, 374, 5, 1, "2.8", 225, 20, 94),  # the table prints 2,2: 11/4 is 2.75
    "coach 5": (11, None, 3330, None, None, None, 600, 90, 303),
    "coach 6": (17, 25, 1541, 5, 1, "1.5", 503, 20, 91),
    "coach 7": (6, 31, 1453, 8, 1, "5.2", 433, 63, 242),
    "coach 8": (1, 9, 395, 9, 9, "9", 395, 395, 395),
    "coach 9": (2, 23, 1183, 21, 2, "11.5", 1078, 105, 591),
    "coach 10": (4, 11, 998, 4, 2, "2.8", 355, 153, 249),
    "total": (58, 175, 13152, 27, 1, "3.7", 2145, 20, 227),
}
TABLE_4_2: dict[str, Row] = {
    **TABLE_4_1,
    "coach 1": (6, 31, 1265, 10, 3, "5.2", 320, 80, 211),
    "coach 9": (1, 2, 105, 2, 2, "2", 105, 105, 105),
    "total": (56, 127, 9929, 10, 1, "2.8", 600, 20, 177),
}
TABLE_4_4 = {
    ReferralDestination.NONE_NEEDED: 6,
    ReferralDestination.JEUGDTEAM: 13,
    ReferralDestination.VOORLIGGEND_VELD: 7,
    ReferralDestination.OPVOEDSTEUNPUNT: 5,
    ReferralDestination.SPECIALISED_GGZ: 3,
    ReferralDestination.OTHER_YOUTH_CARE: 3,
    ReferralDestination.VEILIG_THUIS_REPORT: 3,
    ReferralDestination.ZVW_CARE: 1,
    ReferralDestination.EIGEN_TOEKOMST_PLAN: 1,
    ReferralDestination.JGZ: 0,
    ReferralDestination.BASIC_GGZ: 0,
    ReferralDestination.OTHER: 8,
    ReferralDestination.UNKNOWN: 11,
}
# Table 4.3 (parents, children), without its "changing during the trajectory" row.
TABLE_4_3 = {
    ProblemCategory.COGNITIVE_DEVELOPMENT: (5, 3),
    ProblemCategory.FAMILY_AND_PARENTING: (33, 25),
    ProblemCategory.YOUTH_AND_ENVIRONMENT: (4, 4),
    ProblemCategory.PHYSICAL_HEALTH: (0, 1),
    ProblemCategory.SEVERAL_AREAS: (5, 6),
    ProblemCategory.PSYCHIATRY: (0, 0),
    ProblemCategory.SCHOOL: (0, 1),
    ProblemCategory.PSYCHOSOCIAL: (0, 5),
    ProblemCategory.OTHER: (1, 1),
}
CARE_STARTS_AFTER_DAYS = [21, 35, 42, 56, 70, 84, 98, 112, 126, 140, 154, 168, 182]
"""The 13 jeugdteam referrals start care this many days after they were requested."""

Marker = Callable[[str], str]


def plain(text: str) -> str:
    return text


def coach_id(number: int, marker: Marker) -> str:
    return marker(f"coach-{number:02d}")


def split(minutes: Decimal, conversations: int) -> list[tuple[Decimal, Decimal]]:
    """A case's minutes over its conversations: (minutes, writing up) each, adding up."""
    share = (minutes / conversations).quantize(Decimal("0.25"), rounding=ROUND_DOWN)
    totals = [share] * (conversations - 1) + [minutes - share * (conversations - 1)]
    return [(t - w, w) for t in totals for w in [Decimal(10) if t >= 30 else Decimal(0)]]


def by_category(counts: dict[ProblemCategory, tuple[int, int]], side: int) -> list[str]:
    return [c.value for c, pair in counts.items() for _ in range(pair[side])]


class PilotWriter:
    """Writes the pilot through the application, one case after the other."""

    def __init__(self, app: CaseApplication, marker: Marker = plain) -> None:
        self.app, self.marker = app, marker
        self.coordinator = Actor(marker("coordinator-1"), "jmo-den-haag", "coordinator")
        self.parents = by_category(TABLE_4_3, 0)  # 48 cases register parents' problems
        self.children = by_category(TABLE_4_3, 1)  # 46 cases register children's problems
        self.case_ids: list[UUID] = []

    def family(self, index: int) -> list[FamilyMember]:
        m = self.marker
        return [
            FamilyMember(
                member_id="mother",
                role=MemberRole.PARENT,
                name=m(f"Moeder {index}"),
                birth_date=date(1985, 1 + index % 12, 1 + index % 28),
                parental_authority=True,
                address=m(f"Straat {index}"),
            ),
            FamilyMember(
                member_id="child",
                role=MemberRole.CHILD,
                name=m(f"Kind {index}"),
                birth_date=date(2015, 1 + index % 12, 1 + index % 28),
            ),
        ]

    def write(self) -> list[UUID]:
        index = 0
        for coach, cases in CASES.items():
            for conversations, minutes in cases:
                self.case(index, coach, conversations, Decimal(minutes))
                index += 1
        self.referrals()
        return self.case_ids

    def case(self, index: int, coach: int, conversations: int, minutes: Decimal) -> None:
        app, by, m = self.app, self.coordinator, self.marker
        opened = PILOT_START + timedelta(days=2 * index)
        case_id, _ = app.open_case(
            by,
            occurred_at=opened,
            municipality="den-haag",
            team="jmo",
            channel=Channel.PROFESSIONAL if index % 3 else Channel.FAMILY,
            reporter_organisation="school-de-linde",
            reporter_professional=m(f"leerkracht-{index}"),
            members=self.family(index),
            help_question_id="hq-1",
            help_question=m(f"Hulpvraag {index}"),
            problems_parents=self.parents[index : index + 1],
            problems_children=self.children[index - 12 : index - 11] if index >= 12 else [],
        )
        self.case_ids.append(case_id)
        app.execute(
            case_id,
            by,
            Triage(outcome=TriageOutcome.COMPLEX, coordination_level=5),
            occurred_at=opened + timedelta(hours=2),
        )
        organisation = "jmo-den-haag"
        app.execute(
            case_id,
            by,
            AssignCoach(coach=coach_id(coach, m), organisation=organisation),
            occurred_at=opened + timedelta(days=1),
        )
        coach_actor = Actor(coach_id(coach, m), organisation, "coach")
        if coach == REGISTERED_AFTERWARDS:
            writing = Decimal(30)
            app.execute(
                case_id,
                coach_actor,
                RegisterTime(minutes=minutes - writing, writing_minutes=writing),
                occurred_at=opened + timedelta(days=60),
            )
            return
        for number, (spent, writing) in enumerate(split(minutes, conversations)):
            app.execute(
                case_id,
                coach_actor,
                HoldConversation(
                    conversation_id=f"c{number}",
                    kind=ConversationKind.CLARIFICATION if number < 5 else ConversationKind.HELP,
                    minutes=spent,
                    writing_minutes=writing,
                    participants=["mother"],
                    notes=m(f"Verslag {index}-{number}"),
                ),
                occurred_at=opened + timedelta(days=2, hours=number),
            )

    def referrals(self) -> None:
        """The 61 entries of Table 4.4, over the cases in turn (three cases get two)."""
        destinations = [d for d, count in TABLE_4_4.items() for _ in range(count)]
        started = 0
        for number, destination in enumerate(destinations):
            case_id = self.case_ids[number % len(self.case_ids)]
            requested = PILOT_START + timedelta(days=10 + 2 * (number % 58), hours=number // 58)
            referral = f"r{number}"
            self.app.execute(
                case_id,
                self.coordinator,
                RequestReferral(
                    referral_id=referral,
                    member_id="child",
                    destination=destination,
                    organisation=f"org-{destination.value}",
                ),
                occurred_at=requested,
            )
            if destination is ReferralDestination.JEUGDTEAM:
                start = requested + timedelta(days=CARE_STARTS_AFTER_DAYS[started])
                self.app.execute(
                    case_id,
                    self.coordinator,
                    AcceptReferral(referral_id=referral),
                    occurred_at=start - timedelta(days=7),
                )
                self.app.execute(
                    case_id, self.coordinator, StartCare(referral_id=referral), occurred_at=start
                )
                started += 1
