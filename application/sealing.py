"""Personal data sealed in the stored events: each field `domain.personal_data` marks is
encrypted with its case's data key (a member's identifying data with that member's key)
before it is written, and opened when read. A field whose key was destroyed reads as the
erased marker; events written before sealing existed are read as they are.

Kept to this module and the key store: the domain and the projections see plain events."""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Iterable, Sequence
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
MARK = f'"{SEALED}"'.encode()
CASE, MEMBER = "c", "m"
CACHED_KEYS = 10_000
TEXT = b"\x01"
"""The first byte of a sealed text (most values): its UTF-8 follows, no JSON around it.
Anything else (a birth date) is the transcoder's JSON, which never starts with it."""


class DataKeys:
    """The key store, with each scope's cipher kept ready (at most `size` of them, the
    oldest dropped first). A hit takes no lock: dict reads are atomic.

    A cached cipher could outlive its key in another process: that process forgets a
    case's keys when it reads the case's erasure event, which every reader of a case reads
    first (it asks the store for the case's newer events before anything else)."""

    def __init__(self, store: KeyStore, size: int = CACHED_KEYS) -> None:
        self.store, self.size = store, size
        self._ciphers: dict[str, AESGCM | None] = {}
        self._lock = threading.Lock()

    def sealing(self, scopes: Iterable[str]) -> dict[str, AESGCM]:
        """The ciphers of these scopes, their keys made where there are none yet (in one
        go: a new case's key and its members' keys are made together)."""
        wanted = set(scopes)
        missing = [s for s in wanted if s not in self._ciphers]
        if missing:
            self._keep(self.store.keys_for(missing))
        ciphers = {}
        for scope in wanted:
            cipher = self._ciphers.get(scope)
            if cipher is None:
                raise SealBrokenError(
                    f"the key of {scope} was destroyed: nothing is sealed with it"
                )
            ciphers[scope] = cipher
        return ciphers

    def opening(self, scope: str) -> AESGCM | None:
        """None: the key was destroyed (or never made), what it sealed is erased."""
        try:
            return self._ciphers[scope]
        except KeyError:
            return self._keep({scope: self.store.existing_key(scope)})[scope]

    def destroy(self, scope: str) -> list[str]:
        """Destroy the scope's key and those beneath it; forget their ciphers first."""
        self.forget(scope)
        destroyed = self.store.destroy(scope)
        self.forget(scope)
        return destroyed

    def forget(self, scope: str) -> None:
        with self._lock:
            for cached in [s for s in self._ciphers if s == scope or s.startswith(scope + "/")]:
                del self._ciphers[cached]

    def _keep(self, keys: dict[str, bytes | None]) -> dict[str, AESGCM | None]:
        ciphers = {scope: AESGCM(key) if key else None for scope, key in keys.items()}
        with self._lock:
            self._ciphers.update(ciphers)
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
        topic = f"\x00{type(domain_event).TOPIC}\x00"
        state = _with_own_containers(vars(domain_event), fields)
        for field, scope in zip(fields, scopes, strict=True):
            container, last = _holder(state, field.path)
            if container is None:
                continue
            value = container[last]
            plain = (
                TEXT + value.encode() if isinstance(value, str) else self.transcoder.encode(value)
            )
            nonce = os.urandom(NONCE_BYTES)
            sealed = nonce + ciphers[scope].encrypt(
                nonce, plain, (scope + topic + field.dotted).encode()
            )
            kind = CASE if scope is case else MEMBER
            container[last] = {SEALED: kind, "ct": base64.b64encode(sealed).decode("ascii")}
        copy = object.__new__(type(domain_event))
        object.__setattr__(copy, "__dict__", state)
        return super().to_stored_event(copy)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        event = super().to_domain_event(stored_event)
        if self.keys is None or not isinstance(event, CaseEvent):
            return event
        self._notice(event)
        if self.opens and MARK in stored_event.state:
            state, case = vars(event), case_scope(event.originator_id)
            topic = f"\x00{type(event).TOPIC}\x00"
            for field in sealed_fields(event):
                container, last = _holder(state, field.path)
                if container is not None:
                    scope = scope_of(case, field)
                    container[last] = self._opened(event, field, scope, topic, container[last])
        return event

    def _notice(self, event: CaseEvent) -> None:
        """An erasure (decoded here, from this process or another) ends the case's keys."""
        if isinstance(event, PersonalDataErased):
            assert self.keys is not None
            self.keys.forget(case_scope(event.originator_id))

    def _opened(
        self, event: CaseEvent, field: PersonalField, scope: str, topic: str, value: Any
    ) -> Any:
        if not (isinstance(value, dict) and SEALED in value):
            return value  # written before sealing: read as it is
        assert self.keys is not None
        cipher = self.keys.opening(scope)
        try:
            if value[SEALED] != (MEMBER if field.sealed_for_member else CASE):
                raise InvalidTag  # the key is the reader's choice, not the envelope's
            if cipher is None:
                return ERASED
            sealed = base64.b64decode(value["ct"])
            bound = (scope + topic + field.dotted).encode()
            plain = cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], bound)
        except InvalidTag as error:
            raise SealBrokenError(
                f"{type(event).__name__} {event.originator_id} v{event.originator_version}:"
                f" {field.dotted} does not open with the key of {scope}"
            ) from error
        if plain[:1] == TEXT:
            return plain[1:].decode()
        return self.transcoder.decode(plain)


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
