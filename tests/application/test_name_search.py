"""The blind index's tokens: one name, however typed, is one token; another name, birth
date or key is another."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from application.cases import CaseApplication
from application.name_search import MemberName, MemberNames, NameTokens, name_forms, normalised
from domain.events_intake import CaseOpened
from tests.factories import COORDINATOR, family, melding
from tests.persistence.test_sealed_events import erase_dossier

BORN = date(1988, 5, 2)


def test_names_are_compared_casefolded_without_accents_and_with_whitespace_collapsed() -> None:
    assert normalised("  José\t DE  Vríes ") == "jose de vries"
    assert normalised("Strauß") == normalised("STRAUSS")
    assert name_forms("José de Vries") == ["jose de vries", "de vries", "vries"]


def test_a_member_is_found_by_the_whole_name_and_each_ending_with_the_birth_date() -> None:
    tokens = NameTokens(b"k" * 32)
    found = tokens.tokens_of(MemberName("mother", "José de Vries", BORN))
    assert tokens.token("JOSE DE VRIES", BORN) in found
    assert tokens.token("de vries", BORN) in found
    assert tokens.token("José", BORN) not in found
    assert tokens.token("de Vries", date(1988, 5, 3)) not in found
    assert NameTokens(b"j" * 32).token("de vries", BORN) not in found


@given(st.text(min_size=1, max_size=40))
def test_a_token_is_32_hex_digits_and_whitespace_around_words_does_not_matter(name: str) -> None:
    tokens = NameTokens(b"k" * 32)
    token = tokens.token(name, BORN)
    assert len(token) == 32 and set(token) <= set("0123456789abcdef")
    assert token == tokens.token(" \t" + "  ".join(name.split()) + "  ", BORN)


def test_the_names_are_read_from_the_sealed_event_and_none_once_erased(
    app: CaseApplication,
) -> None:
    """What the case index is given (the event with its fields sealed) stays sealed; the
    names are read from a copy, with the case's keys, and are gone with them."""
    case_id, _ = app.open_case(COORDINATOR, **melding())
    names = MemberNames.of(app)
    stored = app.recorder.select_notifications(1, 1)[0]
    sealed = app.structure_mapper.to_domain_event(stored)
    assert isinstance(sealed, CaseOpened)
    found = names.members(sealed)
    assert [(m.member_id, m.name, m.birth_date) for m in found] == [
        (m.member_id, m.name, m.birth_date) for m in family()
    ]
    assert all(isinstance(m["name"], dict) for m in sealed.members)  # still sealed
    erase_dossier(app, case_id)
    again = app.structure_mapper.to_domain_event(stored)
    assert isinstance(again, CaseOpened)
    assert names.members(again) == []
