"""The key store, on both stores: a data key per scope, made once and shared by every
process; destroyed for good (a tombstone, never made anew), a case with its members and
nothing else; wrapped keys rotated to a new key-encryption key without touching what they
sealed; and on SQLite a destroyed key's bytes gone from the file."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql
from pydantic import SecretStr

from application.envelope import SealBrokenError, new_key, seal, unseal
from application.key_store import (
    KeyStore,
    UnknownKeyEncryptionKeyError,
    case_scope,
    member_scope,
    open_key_store,
)
from application.persistence import postgres_conninfo
from application.settings import Settings, SettingsError

KEK_A, KEK_B = "a" * 64, "b" * 64


def with_keks(settings: Settings, current: str, *previous: str) -> Settings:
    return settings.model_copy(
        update={
            "key_encryption_key": SecretStr(current),
            "previous_key_encryption_keys": [SecretStr(p) for p in previous],
        }
    )


@pytest.fixture
def keys(store_settings: Settings) -> Iterator[KeyStore]:
    store = open_key_store(with_keks(store_settings, KEK_A))
    yield store
    store.close()
    if store_settings.store == "postgres":  # the key store's schema is its own
        with psycopg.connect(postgres_conninfo(store_settings), autocommit=True) as db:
            schema = sql.Identifier(f"{store_settings.postgres_schema}_keys")
            db.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))


def test_a_scopes_key_is_made_once_and_shared_by_another_process(
    keys: KeyStore, store_settings: Settings
) -> None:
    scope = case_scope(uuid4())
    first = keys.key_for(scope)
    assert first is not None and keys.key_for(scope) == first
    other = open_key_store(with_keks(store_settings, KEK_A))
    try:
        assert other.existing_key(scope) == first
        assert other.existing_key(case_scope(uuid4())) is None  # reading never makes one
    finally:
        other.close()


def test_two_processes_making_the_same_key_at_once_get_the_same_key(
    keys: KeyStore, store_settings: Settings
) -> None:
    scope, made = case_scope(uuid4()), []
    other = open_key_store(with_keks(store_settings, KEK_A))
    threads = [
        threading.Thread(target=lambda s=s: made.append(s.key_for(scope)))
        for s in (keys, other, keys, other)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.close()
    assert len(set(made)) == 1 and None not in made


def test_destroying_a_case_destroys_its_members_keys_for_good_and_nothing_else(
    keys: KeyStore,
) -> None:
    case, neighbour = uuid4(), uuid4()
    scopes = [case_scope(case), member_scope(case, "mother"), member_scope(case, "child")]
    others = [case_scope(neighbour), member_scope(neighbour, "mother")]
    for scope in scopes + others:
        keys.key_for(scope)
    assert keys.destroy(case_scope(case)) == sorted(scopes)
    assert keys.destroy(case_scope(case)) == []  # a second run destroys nothing
    for scope in scopes:
        assert keys.key_for(scope) is None  # a tombstone: never made anew
    assert all(keys.existing_key(s) is not None for s in others)


def test_destroying_one_members_key_spares_a_member_whose_id_begins_alike(keys: KeyStore) -> None:
    case = uuid4()
    for member in ("m", "m2", "m_1"):
        keys.key_for(member_scope(case, member))
    assert keys.destroy(member_scope(case, "m")) == [member_scope(case, "m")]
    assert keys.existing_key(member_scope(case, "m2")) is not None
    assert keys.existing_key(member_scope(case, "m_1")) is not None
    assert keys.existing_key(case_scope(case)) is None  # never made


def test_rotation_rewraps_keys_so_the_old_key_encryption_key_can_go(
    keys: KeyStore, store_settings: Settings
) -> None:
    scope = case_scope(uuid4())
    data_key = keys.key_for(scope)
    without_the_old = open_key_store(with_keks(store_settings, KEK_B))
    with pytest.raises(UnknownKeyEncryptionKeyError):
        without_the_old.existing_key(scope)
    rotating = open_key_store(with_keks(store_settings, KEK_B, KEK_A))
    try:
        assert rotating.rotate() >= 1
        assert rotating.rotate() == 0
        assert without_the_old.existing_key(scope) == data_key  # the same data key
    finally:
        rotating.close()
        without_the_old.close()


def test_a_sealed_value_opens_only_with_its_key_where_it_was_bound() -> None:
    key = new_key()
    sealed = seal(key, b"Fatima", b"case/1/member/mother")
    assert unseal(key, sealed, b"case/1/member/mother") == b"Fatima"
    with pytest.raises(SealBrokenError):
        unseal(key, sealed, b"case/2/member/mother")
    with pytest.raises(SealBrokenError):
        unseal(new_key(), sealed, b"case/1/member/mother")


@pytest.mark.parametrize("store_settings", ["sqlite"], indirect=True)
def test_a_destroyed_keys_bytes_are_gone_from_the_sqlite_file(
    keys: KeyStore, store_settings: Settings
) -> None:
    scope = case_scope(uuid4())
    keys.key_for(scope)
    wrapped = keys._get_many([scope])[scope].wrapped
    assert wrapped is not None
    keys.destroy(scope)
    files = Path(store_settings.data_dir).glob("keys.sqlite*")
    assert not any(wrapped in path.read_bytes() for path in files)


@pytest.mark.parametrize("store_settings", ["sqlite"], indirect=True)
def test_the_embedded_default_makes_its_key_encryption_key_once(store_settings: Settings) -> None:
    first = open_key_store(store_settings)
    scope = case_scope(uuid4())
    key = first.key_for(scope)
    first.close()
    again = open_key_store(store_settings)
    try:
        assert again.existing_key(scope) == key
    finally:
        again.close()
    assert (Path(store_settings.data_dir) / "key-encryption-key").stat().st_mode & 0o077 == 0


def test_a_key_encryption_key_that_is_not_256_bits_is_refused(store_settings: Settings) -> None:
    with pytest.raises(SettingsError, match="64 hex digits"):
        open_key_store(with_keks(store_settings, "abc"))
