"""Personal data sealed in the stored events: each field `domain.personal_data` marks is
encrypted with its case's data key (a member's identifying data with that member's key)
before it is written, and opened when read. A field whose key was destroyed reads as the
erased marker; events written before sealing existed are read as they are.

Kept to this module and the key store: the domain and the projections see plain events."""

from __future__ import annotations

import base64
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Cipher, Compressor, Mapper, StoredEvent, Transcoder

from application.envelope import NONCE_BYTES, SealBrokenError
from application.key_store import KeyStore, case_scope, member_scope
from domain.case_event import CaseEvent
from domain.events_erasure import PersonalDataErased
from domain.personal_data import ERASED, Path, PersonalField, sealed_fields

SEALED = "_sealed_"
"""An envelope in a stored event: {SEALED: scope, "ct": base64(nonce + ciphertext)}."""
MARK = f'"{SEALED}"'.encode()
CACHED_KEYS = 10_000


class DataKeys:
    """The key store, with each scope's cipher kept ready (at most `size` of them).

    A cached cipher could outlive its key in another process: that process forgets a
    case's keys when it reads the case's erasure event, which every reader of a case reads
    first (it asks the store for the case's newer events before anything else)."""

    def __init__(self, store: KeyStore, size: int = CACHED_KEYS) -> None:
        self.store, self.size = store, size
        self._ciphers: OrderedDict[str, AESGCM | None] = OrderedDict()
        self._lock = threading.Lock()

    def sealing(self, scope: str) -> AESGCM:
        cipher = self._cached(scope, self.store.key_for)
        if cipher is None:
            raise SealBrokenError(f"the key of {scope} was destroyed: nothing is sealed with it")
        return cipher

    def opening(self, scope: str) -> AESGCM | None:
        """None: the key was destroyed (or never made), what it sealed is erased."""
        return self._cached(scope, self.store.existing_key)

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

    def _cached(self, scope: str, load: Callable[[str], bytes | None]) -> AESGCM | None:
        with self._lock:
            if scope in self._ciphers:
                self._ciphers.move_to_end(scope)
                return self._ciphers[scope]
        key = load(scope)
        cipher = AESGCM(key) if key is not None else None
        with self._lock:
            self._ciphers[scope] = cipher
            while len(self._ciphers) > self.size:
                self._ciphers.popitem(last=False)
        return cipher


def scope_of(case_id: UUID, field: PersonalField) -> str:
    member = field.sealed_for_member
    return member_scope(case_id, member) if member is not None else case_scope(case_id)


class SealingMapper(Mapper[UUID]):
    """The library's mapper, sealing personal fields on the way in and opening them on the
    way out. Without `keys` (never in the application) it is the library's mapper."""

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
        keys: DataKeys | None = None,
    ) -> None:
        super().__init__(transcoder, compressor, cipher)
        self.keys = keys

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        if self.keys is None or not isinstance(domain_event, CaseEvent):
            return super().to_stored_event(domain_event)
        self._notice(domain_event)
        fields = sealed_fields(domain_event)
        if not fields:
            return super().to_stored_event(domain_event)
        state = dict(vars(domain_event))
        for field in fields:
            scope = scope_of(domain_event.originator_id, field)
            cipher = self.keys.sealing(scope)
            bound = _binding(scope, type(domain_event).TOPIC, field.path)
            _replace(state, field.path, partial(self._sealed, cipher, scope, bound))
        sealed = object.__new__(type(domain_event))
        object.__setattr__(sealed, "__dict__", state)
        return super().to_stored_event(sealed)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        event = super().to_domain_event(stored_event)
        if self.keys is None or not isinstance(event, CaseEvent):
            return event
        self._notice(event)
        if MARK in stored_event.state:
            state = vars(event)
            for field in sealed_fields(event):
                _replace(state, field.path, partial(self._opened, event, field))
        return event

    def _notice(self, event: CaseEvent) -> None:
        """An erasure (decoded here, from this process or another) ends the case's keys."""
        if isinstance(event, PersonalDataErased):
            assert self.keys is not None
            self.keys.forget(case_scope(event.originator_id))

    def _sealed(self, cipher: AESGCM, scope: str, bound: bytes, value: Any) -> dict[str, str]:
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + cipher.encrypt(nonce, self.transcoder.encode(value), bound)
        return {SEALED: scope, "ct": base64.b64encode(sealed).decode("ascii")}

    def _opened(self, event: CaseEvent, field: PersonalField, value: Any) -> Any:
        if not (isinstance(value, dict) and SEALED in value):
            return value  # written before sealing: read as it is
        assert self.keys is not None
        scope = scope_of(event.originator_id, field)  # not the envelope's word for it
        sealed = base64.b64decode(value["ct"])
        bound = _binding(scope, type(event).TOPIC, field.path)
        cipher = self.keys.opening(scope)
        try:
            if value[SEALED] != scope:
                raise InvalidTag
            if cipher is None:
                return ERASED
            plain = cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], bound)
        except InvalidTag as error:
            raise SealBrokenError(
                f"{type(event).__name__} {event.originator_id} v{event.originator_version}:"
                f" {field.dotted} does not open with the key of {scope}"
            ) from error
        return self.transcoder.decode(plain)


def _binding(scope: str, topic: str, path: Path) -> bytes:
    """What a sealed value is bound to: its key's scope, its event's kind and its field."""
    return "\x00".join((scope, topic, *map(str, path))).encode()


def _replace(state: dict[str, Any], path: Path, change: Callable[[Any], Any]) -> None:
    """Set the value at `path` to `change(value)`, copying the lists and dicts on the way
    (the event's own containers are left as they were)."""
    *parents, last = path
    container: Any = state
    for step in parents:
        child = container[step]
        copied = list(child) if isinstance(child, list) else dict(child)
        container[step] = copied
        container = copied
    if isinstance(container, dict) and last not in container:
        return
    container[last] = change(container[last])
