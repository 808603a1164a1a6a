"""The text rule (domain/text.py) read as the rule: what is refused, where, and why."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.text import unprintable_in


def test_no_printable_character_is_refused_so_the_fast_path_decides_rightly() -> None:
    """`unprintable_in` accepts printable text without looking at each character: that is
    right only if the character rule refuses no printable character, in all of Unicode."""
    printable = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isprintable())
    for start in range(0, len(printable), 4096):
        chunk = list(printable[start : start + 4096])
        refused = [c for c in chunk if unprintable_in(c + "\u200d", multiline=True)]
        assert refused == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("voor\x00na", "character 5 is a control character (U+0000)"),
        ("\u202egnp.exe", "character 1 is a bidirectional control (U+202E)"),
        ("Sam\u200b", "character 4 is an invisible character (U+200B)"),
        ("a\ud800", "character 2 is a lone surrogate (U+D800)"),
        ("a\uffff", "character 2 is a noncharacter (U+FFFF)"),
    ],
)
def test_unprintable_text_is_refused_naming_the_character(text: str, reason: str) -> None:
    assert unprintable_in(text, multiline=True) == reason


def test_line_breaks_and_tabs_belong_to_multiline_text_only() -> None:
    assert unprintable_in("regel een\nregel twee\tmet tab", multiline=True) is None
    assert unprintable_in("Fatima\nde Vries", multiline=False) is not None


def test_joiners_stay_allowed_everywhere_for_emoji_and_scripts() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert unprintable_in(family, multiline=False) is None
    assert (
        unprintable_in("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", multiline=False) is None
    )


@given(st.text())
def test_the_fast_and_the_slow_path_agree_on_any_text(text: str) -> None:
    by_character = next((i for i, c in enumerate(text) if unprintable_in(c, multiline=True)), None)
    assert (unprintable_in(text, multiline=True) is None) == (by_character is None)
