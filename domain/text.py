"""What text a case may hold: printable text, so that every store, view, export and screen
shows it as it was written, and nothing in it hides or reorders what a reader sees.

Refused everywhere: control characters (NUL and the rest of C0 and C1, DEL), which stores
such as PostgreSQL's JSON cannot hold and terminals act on; lone surrogates, which are no
text at all; bidirectional controls, which make a name read other than it is stored
(U+202E turns "gnp.exe" around); invisible characters that make two equal-looking texts
differ (zero-width space, word joiner, byte-order mark, soft hyphen); and noncharacters.
A multi-line text may hold tab, line feed and carriage return; a one-line text (a name, a
life domain, an address) none of those, nor other format characters. Zero-width joiner and
non-joiner stay allowed everywhere: emoji sequences and names in scripts such as Persian
need them."""

from __future__ import annotations

import unicodedata

BIDIRECTIONAL_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
INVISIBLE = frozenset("\u00ad\u180e\u200b\u2060\u2061\u2062\u2063\u2064\ufeff")
LINE_BREAKS_AND_TABS = frozenset("\t\n\r")
JOINERS = frozenset("\u200c\u200d")
TEXT_RULE = (
    "no control characters (NUL, C0, C1), lone surrogates, noncharacters, bidirectional "
    "controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) or invisible "
    "characters (U+00AD, U+180E, U+200B, U+2060-U+2064, U+FEFF); one-line texts also no "
    "tabs, line breaks or other format characters"
)
"""The rule in a sentence, for error messages and the API's documentation."""


WITHOUT_LINE_BREAKS = str.maketrans("", "", "\t\n\r")


def unprintable_in(text: str, *, multiline: bool) -> str | None:
    """Why `text` may not be stored (naming the first offending character), or None."""
    plain = text.translate(WITHOUT_LINE_BREAKS) if multiline else text
    if plain.isprintable():
        return None  # the common case, at C speed: nothing refused is printable
    for index, char in enumerate(text):
        reason = _why_refused(char, multiline)
        if reason:
            return f"character {index + 1} is {reason} (U+{ord(char):04X})"
    return None


def _why_refused(char: str, multiline: bool) -> str | None:
    if char.isprintable() and char not in INVISIBLE and not _is_noncharacter(char):
        return None  # the common case: letters, digits, punctuation, symbols, spaces
    if char in LINE_BREAKS_AND_TABS:
        return None if multiline else "a tab or line break in a one-line text"
    category = unicodedata.category(char)
    if category == "Cc":
        return "a control character"
    if category == "Cs":
        return "a lone surrogate"
    if char in BIDIRECTIONAL_CONTROLS:
        return "a bidirectional control"
    if char in INVISIBLE:
        return "an invisible character"
    if _is_noncharacter(char):
        return "a noncharacter"
    if category == "Cf" and not multiline and char not in JOINERS:
        return "a format character in a one-line text"
    if category in ("Zl", "Zp") and not multiline:
        return "a line break in a one-line text"
    return None


def _is_noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE
