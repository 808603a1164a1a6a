"""Finding a family by a member's name and birth date without keeping either: a keyed
blind index. Each member's normalised name with their birth date is turned into tokens by
HMAC-SHA256 under a secret search key; the index stores only tokens, a search computes the
token of what was asked and looks it up. Without the key a token reveals nothing and
cannot be guessed by trying names; the key lives in the key store like the data keys
(wrapped by the key-encryption key), under a scope of its own.

The names are read from the sealed events with the case's keys: once a case's (or a
member's) keys are destroyed the name reads as erased and yields no token, so a rebuild
after an erasure writes none (and the erasure event deletes those written before)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from application.access_log import AccessRecord
from application.key_store import KeyStore, member_scope
from application.reading import Reader
from application.sealing import SealingMapper
from domain.events_intake import CaseOpened
from domain.personal_data import ERASED, PersonalField
from domain.privacy import DIRECT_CARE
from domain.vocabulary import ConsentPurpose, DataCategory

SEARCH_KEY_SCOPE = "index/member-names"
"""The key store scope of the search key (no case's scope begins like it)."""
TOKEN_HEX = 32
"""128 bits of the HMAC: collisions among 10^7 members are out of reach."""


def normalised(name: str) -> str:
    """The name as compared: casefolded, accents stripped, whitespace collapsed; so that
    "  José  de Vries" finds "jose de vries"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def name_forms(name: str) -> list[str]:
    """The forms a member is found by: the whole name and every ending of it ("anna de
    vries", "de vries", "vries"), so a search on the family name with or without its
    tussenvoegsel finds the member too."""
    words = normalised(name).split()
    return [" ".join(words[i:]) for i in range(len(words))]


@dataclass(frozen=True)
class MemberName:
    member_id: str
    name: str
    birth_date: date


class NameTokens:
    """The search key and what is computed with it."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def from_store(cls, store: KeyStore) -> NameTokens:
        """The search key from the key store, made on first use (one for every process)."""
        key = store.key_for(SEARCH_KEY_SCOPE)
        if key is None:  # pragma: no cover - nothing destroys the search key
            raise LookupError(f"the search key ({SEARCH_KEY_SCOPE}) was destroyed")
        return cls(key)

    def token(self, name: str, birth_date: date) -> str:
        """The token a search on this name and birth date looks up."""
        message = f"{normalised(name)}\x00{birth_date.isoformat()}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:TOKEN_HEX]

    def tokens_of(self, member: MemberName) -> list[str]:
        """Every token the member is found by (see `name_forms`), without repeats."""
        return list(
            dict.fromkeys(self.token(f, member.birth_date) for f in name_forms(member.name))
        )


def is_name_or_birth_date(field: PersonalField) -> bool:
    """A member's name or birth date: all a token is made of (the rest stays sealed)."""
    return field.path[0] == "members" and field.path[-1] in ("name", "birth_date")


class MemberNames:
    """Reads the members' names and birth dates from a sealed `CaseOpened` with the case's
    keys; none of an erased member."""

    def __init__(self, opener: SealingMapper, tokens: NameTokens) -> None:
        self.opener, self.tokens = opener, tokens

    @classmethod
    def of(cls, cases: Any) -> MemberNames:
        """For a case application (its opening mapper and key store)."""
        return cls(cases.mapper, NameTokens.from_store(cases.data_keys.store))

    def preload(self, events: Sequence[CaseOpened]) -> None:
        """Fetch the keys of these cases' members in one query, not one per member."""
        keys = self.opener.keys
        assert keys is not None
        keys.preload(
            member_scope(e.originator_id, str(m["member_id"])) for e in events for m in e.members
        )

    def members(self, event: CaseOpened) -> list[MemberName]:
        opened = self.opener.opened_copy(event, only=is_name_or_birth_date)
        assert isinstance(opened, CaseOpened)
        found = []
        for member in opened.members:
            name, born = member.get("name"), member.get("birth_date")
            if isinstance(name, str) and name != ERASED and isinstance(born, date):
                found.append(MemberName(str(member["member_id"]), name, born))
        return found


FOUND_BY_NAME = f"{DIRECT_CARE}: found by name and birth date"


def found_by_name_record(
    reader: Reader, case_id: str, members: Sequence[str], at: datetime
) -> AccessRecord:
    """What the access log keeps of a name search that found a case: a search tells who
    is in it (their identity), so it is a read of the members found, like any other."""
    user = reader.user
    purpose = reader.purpose or ConsentPurpose.CARE_COORDINATION
    return AccessRecord(
        at=at,
        subject=user.subject,
        organisation=user.organisation,
        role="+".join(sorted(user.roles)),
        case_id=case_id,
        members=tuple(sorted(members)),
        categories=(DataCategory.IDENTITY.value,),
        purpose=purpose.value,
        legal_ground=FOUND_BY_NAME,
        trace_id=reader.trace_id,
        span_id=secrets.token_hex(8),
        parent_span_id=reader.parent_span_id,
    )
