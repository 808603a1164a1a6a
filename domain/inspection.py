"""Inspection of one case against the framework of Samenwerkend Toezicht Jeugd (001,
Bijlage): 33 indicators in 5 themes. Those a case history can show are decided from its
events (rules in `domain.inspection_rules`); the others are listed as "niet te beoordelen"
with the reason the history cannot show them. Pure: no I/O, no clock (`as_of` is given)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain import inspection_rules as rules
from domain.case_event import CaseEvent
from domain.events_intake import CaseOpened
from domain.inspection_rules import Fact, Finding, History, Verdict

__all__ = ["INDICATORS", "Evidence", "Indicator", "IndicatorResult", "Theme", "Verdict", "inspect"]

Rule = Callable[[History], Finding]


class Theme(StrEnum):
    TOELEIDING = "Toeleiding"
    GEZIN_CENTRAAL = "Gezin centraal"
    AANPAK = "Aanpak"
    SAMENWERKING = "Samenwerking"
    CONTINU = "Continu"


@dataclass(frozen=True)
class Evidence:
    """An event a verdict rests on: its position (notification id or version) and topic."""

    position: int
    topic: str


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    theme: Theme
    rule: str
    verdict: Verdict
    explanation: str
    evidence: tuple[Evidence, ...] = ()


def not_shown(reason: str) -> Rule:
    """An indicator the history cannot show: always "niet te beoordelen", with the reason."""

    def rule(_: History) -> Finding:
        return Finding(Verdict.NOT_ASSESSABLE, f"the history cannot show this: {reason}")

    return rule


@dataclass(frozen=True)
class Indicator:
    """One indicator of the framework: its code, theme, wording (001) and how it is decided."""

    code: str
    theme: Theme
    rule: str
    decide: Rule

    def judge(self, history: History | None) -> IndicatorResult:
        if history is None:
            finding = Finding(Verdict.NOT_ASSESSABLE, "the history holds no melding (CaseOpened)")
        else:
            finding = self.decide(history)
        evidence = sorted({_evidence(f) for f in finding.facts}, key=lambda e: e.position)
        return IndicatorResult(
            self.code, self.theme, self.rule, finding.verdict, finding.explanation, tuple(evidence)
        )


def _evidence(fact: Fact[CaseEvent]) -> Evidence:
    return Evidence(fact.position, type(fact.event).TOPIC)


T, G, A, S, C = Theme  # in the framework's order

FRAMEWORK: tuple[tuple[str, Theme, str], ...] = (
    ("T1", T, "Het gezin valt onder de definitie GGSR"),
    ("T2", T, "Het gezin wordt aangemeld voor de aanpak"),
    ("T3", T, "De aanpak start direct na het moment dat het gezin hiervoor is aangemeld"),
    ("G1", G, "De probleemanalyse is met het gezin gemaakt"),
    ("G2", G, "De doelen zijn met het gezin bepaald"),
    ("G3", G, "De aanpak is met het gezin bepaald"),
    ("G4", G, "De evaluatie vindt samen met het gezin plaats"),
    ("G5", G, "Met het gezin wordt bekeken welke problemen zij zelf kunnen oplossen"),
    ("G6", G, "Het gezin wordt geholpen met problemen die zij (nog) niet zelf kunnen oplossen"),
    ("G7", G, "Het sociale netwerk van het gezin is in kaart gebracht"),
    (
        "G8",
        G,
        "Er is bepaald welke personen in het sociale netwerk een rol kunnen spelen bij de aanpak",
    ),
    (
        "G9",
        G,
        "Als een (positief) sociaal netwerk ontbreekt, maakt het opbouwen hiervan deel "
        "uit van de aanpak",
    ),
    ("A1", A, "Er is een analyse van de problemen van het gezin en de gezinsleden"),
    ("A2", A, "Er zijn doelen gesteld voor alle problemen"),
    ("A3", A, "Er is een gezamenlijk plan voor het gezin"),
    (
        "A4",
        A,
        "De aanpak heeft betrekking op de problemen van alle gezinsleden en op alle leefgebieden",
    ),
    (
        "A5",
        A,
        "Er vindt een gezamenlijke evaluatie plaats van de resultaten van de aanpak voor het gezin",
    ),
    ("A6", A, "De netwerkpartners werken outreachend"),
    ("A7", A, "Het gezin wordt niet losgelaten"),
    (
        "S1",
        S,
        "Er is één centrale persoon voor het gezin die de zorg en ondersteuning aan het "
        "gezin op elkaar afstemt (de regisseur)",
    ),
    ("S2", S, "De regisseur is bij het gezin betrokken voor de gehele duur van de aanpak"),
    ("S3", S, "De netwerkpartners erkennen de rol van de regisseur"),
    ("S4", S, "De regisseur heeft vertrouwen van het gezin"),
    (
        "S5",
        S,
        "De regisseur zorgt ervoor dat eventuele stagnaties in de zorg en ondersteuning "
        "worden opgeheven (NB: opschalen)",
    ),
    ("S6", S, "De partijen die relevant zijn, maken deel uit van de aanpak"),
    ("S7", S, "De netwerkpartners houden zich aan de gemaakte afspraken voor het gezin"),
    (
        "S8",
        S,
        "De beschikbare informatie over het gezin is toereikend om een probleemanalyse "
        "te maken, doelen te bepalen en de aanpak te bepalen",
    ),
    ("S9", S, "De beschikbare informatie is toereikend om de problemen in samenhang aan te pakken"),
    ("C1", C, "De aanpak loopt door totdat de problemen zijn opgelost of beheersbaar zijn"),
    (
        "C2",
        C,
        "De regisseur is in staat om de intensiteit van de zorg en de ondersteuning te "
        "verminderen of vermeerderen",
    ),
    (
        "C3",
        C,
        "De regisseur slaagt erin om tijdens de aanpak de benodigde zorg en "
        "ondersteuning in te schakelen",
    ),
    ("C4", C, "De inzet van de benodigde zorg en ondersteuning is tijdig"),
    (
        "C5",
        C,
        "De regisseur bekijkt aan het einde van de aanpak wat nog aan zorg en "
        "ondersteuning nodig is en regelt dat op maat",
    ),
)
"""The 33 indicators of 001, Bijlage 1, in its order and wording."""

DECIDED_BY: dict[str, Rule] = {
    "T2": rules.t2_registered,
    "T3": rules.t3_started_in_time,
    "G1": rules.g1_analysis_with_family,
    "G2": rules.g2_goals_with_family,
    "G3": rules.g3_approach_with_family,
    "G4": rules.g4_evaluation_with_family,
    "G9": rules.g9_network_building,
    "A1": rules.a1_problem_analysis,
    "A2": rules.a2_goals_for_problems,
    "A3": rules.a3_one_plan,
    "A4": rules.a4_goals_for_all_members,
    "A5": rules.a5_joint_evaluation,
    "A7": rules.a7_not_let_go,
    "S1": rules.s1_one_regisseur,
    "S2": rules.s2_regisseur_changes,
    "S3": rules.s3_regisseur_known,
    "S5": rules.s5_stagnation_escalated,
    "S6": rules.s6_party_for_every_problem,
    "S7": rules.s7_agreements_kept,
    "C1": rules.c1_closed_when_solved,
    "C3": rules.c3_referrals_started,
    "C4": rules.c4_timely_care,
    "C5": rules.c5_aftercare,
}
"""The indicators a case history can show (domain.md §4), each decided by one rule."""

INFORMATION = (
    "whether the information available sufficed is a professional's judgement; "
    "the history records what was shared, not whether it was enough"
)
CANNOT_SHOW: dict[str, str] = {
    "T1": "whether the family has low social self-reliance (GGSR) is a professional "
    "judgement; the history holds problem categories and the triage, not that judgement",
    "G5": "the plan's agreements name organisations, not what the family takes on itself",
    "G6": "which problems the family cannot yet solve itself is not recorded (whether "
    "parties and care were found is judged in S6 and C3)",
    "G7": "no event maps the social network; round tables record family members and "
    "organisations only",
    "G8": "no event records roles for people of the social network, at the start or later",
    "A6": "who sought contact with the family is not recorded; conversations name "
    "participants, not who took the initiative",
    "S4": "the family's trust in the regisseur is not recorded",
    "S8": INFORMATION,
    "S9": INFORMATION,
    "C2": "referrals show care started, extended and ended, not its intensity",
}
"""Why the history cannot show the other indicators; G9 is decided only where it can be."""

INDICATORS: tuple[Indicator, ...] = tuple(
    Indicator(code, theme, wording, DECIDED_BY.get(code) or not_shown(CANNOT_SHOW[code]))
    for code, theme, wording in FRAMEWORK
)


def inspect(
    events: Sequence[CaseEvent], as_of: datetime, positions: Sequence[int] | None = None
) -> list[IndicatorResult]:
    """Every indicator of the framework, judged on the case as recorded at `as_of`: events
    recorded later (`timestamp` after `as_of`) are not yet part of it. `positions[i]` is
    the position of `events[i]` (e.g. its notification id); by default its version."""
    if positions is not None and len(positions) != len(events):
        raise ValueError(f"{len(positions)} positions given for {len(events)} events")
    numbers = positions if positions is not None else [e.originator_version for e in events]
    known = [(p, e) for p, e in zip(numbers, events, strict=True) if e.timestamp <= as_of]
    facts = [Fact(seq, position, event) for seq, (position, event) in enumerate(known)]
    opened = any(isinstance(f.event, CaseOpened) for f in facts)
    history = History(facts, as_of) if opened else None
    return [indicator.judge(history) for indicator in INDICATORS]
