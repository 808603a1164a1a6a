"""Personal data sealed in the stored events: each field `domain.personal_data` marks is
encrypted with its case's data key (a member's identifying data with that member's key)
before it is written, and opened when read. A field whose key was destroyed reads as the
erased marker; events written before sealing existed are read as they are.

Kept to this module and the key store: the domain and the projections see plain events."""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Cipher, Compressor, Mapper, StoredEvent, Transcoder

from application.envelope import NONCE_BYTES, SealBrokenError
from application.key_store import KeyStore, case_scope, within
from domain.case_event import CaseEvent
from domain.events_erasure import PersonalDataErased
from domain.personal_data import ERASED, Path, PersonalField, sealed_fields

SEALED = "_sealed_"
"""An envelope in a stored event: {SEALED: "c" (the case's key) or "m" (the member's),
"ct": base64(nonce + ciphertext)}; which case and member is the event's own, bound in."""
CASE, MEMBER = "c", "m"
CACHED_KEYS = 10_000
TEXT = b"\x01"
"""The first byte of a sealed text (most values): its UTF-8 follows, no JSON around it.
Anything else (a birth date) is the transcoder's JSON, which never starts with it."""


class DataKeys:
    """The key store, with each scope's cipher kept ready (at most `size` of them, the
    oldest dropped first); None for a destroyed key. A hit takes no lock.

    A cipher cached in one process can outlive its key, destroyed by another: a process
    forgets a case's keys when it decodes the case's erasure, and the application reads a
    case's newer events (or replays it) before it shows anything of it, completing the
    destruction itself if it finds an erasure whose keys still live. A key fetched while
    a scope is being forgotten is used once, not cached."""

    def __init__(self, store: KeyStore, size: int = CACHED_KEYS) -> None:
        self.store, self.size = store, size
        self._ciphers: dict[str, AESGCM | None] = {}
        self._never_made: set[str] = set()
        self._forgotten = 0
        self._lock = threading.Lock()

    def sealing(self, scopes: Iterable[str]) -> dict[str, AESGCM | None]:
        """The ciphers of these scopes, their keys made where there are none yet (in one
        go: a new case's key and its members' keys are made together); None: destroyed."""
        wanted = set(scopes)
        missing = [s for s in wanted if s not in self._ciphers]
        found: dict[str, AESGCM | None] = {}
        if missing:
            generation = self._forgotten
            found = self._keep(self.store.keys_for(missing), generation)
        return {scope: found[scope] if scope in found else self._ciphers[scope] for scope in wanted}

    def preload(self, scopes: Iterable[str]) -> None:
        """Fetch the keys of these scopes not cached yet in one query (a reader about to
        open many events: a rebuild), so that `opening` finds them; never makes a key."""
        missing = [s for s in dict.fromkeys(scopes) if s not in self._ciphers][: self.size]
        if missing:
            generation = self._forgotten
            self._keep(self.store.known_keys(missing), generation)

    def opening(self, scope: str) -> AESGCM | None:
        """None: the key was destroyed (or never made), what it sealed is erased."""
        try:
            return self._ciphers[scope]
        except KeyError:
            generation = self._forgotten
            known = self.store.known_keys([scope])
            if scope not in known:
                return None  # never made: nothing was sealed with it
            return self._keep(known, generation)[scope]

    def is_destroyed(self, scope: str) -> bool:
        """Whether the scope's key was destroyed (not merely never made): for data written
        before sealing, which is read as it is unless its scope was erased."""
        if scope in self._ciphers:
            return self._ciphers[scope] is None
        if scope in self._never_made:
            return False
        generation = self._forgotten
        known = self.store.known_keys([scope])
        if scope not in known:
            with self._lock:
                if generation == self._forgotten:
                    self._never_made.add(scope)
            return False
        return self._keep(known, generation)[scope] is None

    def destroy(self, scope: str, also: Sequence[str] = ()) -> list[str]:
        """Destroy the scope's key and those beneath it; forget their ciphers first."""
        self.forget(scope)
        destroyed = self.store.destroy(scope, also)
        self.forget(scope)
        return destroyed

    def forget(self, scope: str) -> None:
        with self._lock:
            self._forgotten += 1
            for cached in [s for s in self._ciphers if s == scope or s.startswith(scope + "/")]:
                del self._ciphers[cached]
            self._never_made = {s for s in self._never_made if not s.startswith(scope)}

    def holds_live(self, scope: str) -> bool:
        """Whether a live cipher of the scope or of one beneath it is cached here."""
        return any(
            c is not None and (s == scope or s.startswith(scope + "/"))
            for s, c in list(self._ciphers.items())
        )

    def _keep(self, keys: dict[str, bytes | None], generation: int) -> dict[str, AESGCM | None]:
        """Cache the ciphers of these keys, unless a scope was forgotten meanwhile."""
        ciphers = {scope: AESGCM(key) if key else None for scope, key in keys.items()}
        with self._lock:
            if generation == self._forgotten:
                self._ciphers.update(ciphers)
                self._never_made.difference_update(ciphers)
                while len(self._ciphers) > self.size:
                    del self._ciphers[next(iter(self._ciphers))]
        return ciphers


def scope_of(case: str, field: PersonalField) -> str:
    """The scope whose key seals `field` of an event of the case whose scope is `case`."""
    member = field.sealed_for_member
    return case if member is None else within(case, member)


class SealingMapper(Mapper[UUID]):
    """The library's mapper, sealing personal fields on the way in and opening them on the
    way out. Without `keys` (never in the application) it is the library's mapper; with
    `opens=False` it leaves sealed fields sealed (for projections, which need none)."""

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
        keys: DataKeys | None = None,
        opens: bool = True,
    ) -> None:
        super().__init__(transcoder, compressor, cipher)
        self.keys, self.opens = keys, opens

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        if self.keys is None or not isinstance(domain_event, CaseEvent):
            return super().to_stored_event(domain_event)
        self._notice(domain_event)
        fields = sealed_fields(domain_event)
        if not fields:
            return super().to_stored_event(domain_event)
        case = case_scope(domain_event.originator_id)
        scopes = [scope_of(case, field) for field in fields]
        ciphers = self.keys.sealing(scopes)
        bound_to = _binding(domain_event)
        state = _with_own_containers(vars(domain_event), fields)
        for field, scope in zip(fields, scopes, strict=True):
            container, last = _holder(state, field.path)
            cipher = ciphers[scope]
            if container is None:
                continue
            if cipher is None:  # its key was destroyed: nothing to seal, it is erased
                container[last] = ERASED
                continue
            container[last] = self._sealed(cipher, field, scope + bound_to, container[last])
        copy = object.__new__(type(domain_event))
        object.__setattr__(copy, "__dict__", state)
        return super().to_stored_event(copy)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        event = super().to_domain_event(stored_event)
        if self.keys is None or not isinstance(event, CaseEvent):
            return event
        self._notice(event)
        if not self.opens:
            return event
        self._open(event)
        return event

    def opened_copy(
        self, event: CaseEvent, only: Callable[[PersonalField], bool] | None = None
    ) -> CaseEvent:
        """A copy of an event decoded with its sealed fields sealed (a projection's), with
        them opened: erased ones read as the erased marker. The event itself stays sealed
        (other projections may be given the same one). `only`: open just the fields it
        accepts (a reader that needs a few of them), the others stay sealed in the copy."""
        assert self.keys is not None
        fields = sealed_fields(event)
        if only is not None:
            fields = [field for field in fields if only(field)]
        if not fields:
            return event
        copy = object.__new__(type(event))
        object.__setattr__(copy, "__dict__", _with_own_containers(vars(event), fields))
        self._open(copy, fields)
        return copy

    def _open(self, event: CaseEvent, fields: Sequence[PersonalField] | None = None) -> None:
        if fields is None:
            fields = sealed_fields(event)
        if fields:
            state, case = vars(event), case_scope(event.originator_id)
            bound_to = _binding(event)
            for field in fields:
                container, last = _holder(state, field.path)
                if container is not None:
                    scope = scope_of(case, field)
                    container[last] = self._opened(event, field, scope, bound_to, container[last])

    def _sealed(self, cipher: AESGCM, field: PersonalField, bound_to: str, value: Any) -> Any:
        plain = TEXT + value.encode() if isinstance(value, str) else self.transcoder.encode(value)
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + cipher.encrypt(nonce, plain, (bound_to + field.dotted).encode())
        kind = MEMBER if field.sealed_for_member else CASE
        return {SEALED: kind, "ct": base64.b64encode(sealed).decode("ascii")}

    def _notice(self, event: CaseEvent) -> None:
        """An erasure (decoded here, from this process or another) ends the case's keys."""
        if isinstance(event, PersonalDataErased):
            assert self.keys is not None
            self.keys.forget(case_scope(event.originator_id))

    def _opened(
        self, event: CaseEvent, field: PersonalField, scope: str, bound_to: str, value: Any
    ) -> Any:
        assert self.keys is not None
        if not (isinstance(value, dict) and SEALED in value):  # written before sealing
            return ERASED if self.keys.is_destroyed(scope) else value
        cipher = self.keys.opening(scope)
        try:
            if value[SEALED] != (MEMBER if field.sealed_for_member else CASE):
                raise InvalidTag  # the key is the reader's choice, not the envelope's
            if cipher is None:
                return ERASED
            sealed = base64.b64decode(value["ct"])
            bound = (scope + bound_to + field.dotted).encode()
            plain = cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], bound)
        except InvalidTag as error:
            raise SealBrokenError(
                f"{type(event).__name__} {event.originator_id} v{event.originator_version}:"
                f" {field.dotted} does not open with the key of {scope}"
            ) from error
        if plain[:1] == TEXT:
            return plain[1:].decode()
        return self.transcoder.decode(plain)


def _binding(event: CaseEvent) -> str:
    """What a sealed value is bound to besides its key's scope and its field: its event's
    kind and version (a value cannot be moved to another event, case or field)."""
    return f"\x00{type(event).TOPIC}\x00{event.originator_version}\x00"


def _with_own_containers(state: dict[str, Any], fields: Sequence[PersonalField]) -> dict[str, Any]:
    """A copy of the event's state whose lists of records (members, goals...) holding
    sealed fields are copies too: sealing them leaves the event as it was."""
    copied = dict(state)
    for name in {f.path[0] for f in fields if len(f.path) > 1}:
        value = copied.get(str(name))
        if isinstance(value, list):
            copied[str(name)] = [dict(v) if isinstance(v, dict) else v for v in value]
    return copied


def _holder(state: dict[str, Any], path: Path) -> tuple[Any, str | int]:
    """The container holding the value at `path`, and its key; (None, ...) if absent."""
    *parents, last = path
    container: Any = state
    for step in parents:
        container = container[step]
    if isinstance(container, dict) and last not in container:
        return None, last
    return container, last
