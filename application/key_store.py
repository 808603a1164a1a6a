"""Where the data keys live: apart from the events (their own SQLite file, their own
PostgreSQL schema), each wrapped by the key-encryption key, one per scope: a case, and each
family member of it. Destroying a scope's key makes what it sealed unreadable for good
(crypto-shredding); the row stays as a tombstone, so the key is never silently made anew.
A KMS can replace this class behind the same four methods."""

from __future__ import annotations

import secrets
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from application.envelope import KEY_BYTES, key_id, new_key, seal, unseal
from application.persistence import postgres_conninfo
from application.postgres_outage import fail_fast, pooled_connection
from application.settings import ENV_PREFIX, Settings, SettingsError


def case_scope(case_id: UUID) -> str:
    return f"case/{case_id}"


def member_scope(case_id: UUID, member_id: str) -> str:
    return within(case_scope(case_id), member_id)


def within(case: str, member_id: str) -> str:
    """A member's scope in the case whose scope is `case`."""
    return f"{case}/member/{member_id}"


class UnknownKeyEncryptionKeyError(LookupError):
    """A data key was wrapped by a key-encryption key this process was not given."""


@dataclass(frozen=True)
class StoredKey:
    scope: str
    wrapped: bytes | None
    """None once destroyed."""
    kek_id: str


class KeyStore(ABC):
    def __init__(self, kek: bytes, previous: Sequence[bytes] = ()) -> None:
        self.kek, self.kek_id = kek, key_id(kek)
        self.keks = {key_id(k): k for k in (*previous, kek)}

    def key_for(self, scope: str) -> bytes | None:
        """The scope's data key, made on first use; None if it was destroyed."""
        return self.keys_for([scope])[scope]

    def keys_for(self, scopes: Sequence[str]) -> dict[str, bytes | None]:
        """Each scope's data key, those missing made together (a new case and its
        members: one read, one write, one read); None where a key was destroyed."""
        stored = self._get_many(scopes)
        missing = [s for s in scopes if s not in stored]
        if missing:
            self._put_if_absent([self._wrapped(s, new_key()) for s in missing])
            stored.update(self._get_many(missing))  # ours, or another process's made first
        return {scope: self._unwrapped(stored[scope]) for scope in scopes}

    def _wrapped(self, scope: str, key: bytes) -> StoredKey:
        """The key as stored: wrapped by the current key-encryption key, bound to its scope."""
        return StoredKey(scope, seal(self.kek, key, scope.encode()), self.kek_id)

    def existing_key(self, scope: str) -> bytes | None:
        """The scope's data key if it has one and it was not destroyed; never makes one."""
        return self.known_keys([scope]).get(scope)

    def known_keys(self, scopes: Sequence[str]) -> dict[str, bytes | None]:
        """The keys these scopes have: None where destroyed; absent where none was made."""
        return {s: self._unwrapped(k) for s, k in self._get_many(scopes).items()}

    def destroy(self, scope: str, also: Sequence[str] = ()) -> list[str]:
        """Destroy the scope's key and those of the scopes beneath it (a case's members);
        the scopes destroyed by this call, in order (none on a second call). The scope and
        `also` are marked destroyed even if no key was made for them yet (data written
        before sealing): no key is ever made for them afterwards."""
        self._put_if_absent([StoredKey(s, None, self.kek_id) for s in (scope, *also)])
        return sorted(self._destroy(scope, datetime.now(UTC)))

    def rotate(self) -> int:
        """Rewrap every live data key under the current key-encryption key; how many."""
        count = 0
        for stored in self._all_live():
            if stored.kek_id != self.kek_id:
                key = self._unwrapped(stored)
                assert key is not None
                self._rewrap(self._wrapped(stored.scope, key))
                count += 1
        return count

    def _unwrapped(self, stored: StoredKey) -> bytes | None:
        if stored.wrapped is None:
            return None
        kek = self.keks.get(stored.kek_id)
        if kek is None:
            raise UnknownKeyEncryptionKeyError(
                f"the data key of {stored.scope} is wrapped by key-encryption key "
                f"{stored.kek_id}, which is neither the current key nor a previous one given"
            )
        return unseal(kek, stored.wrapped, stored.scope.encode())

    @abstractmethod
    def _get_many(self, scopes: Sequence[str]) -> dict[str, StoredKey]: ...

    @abstractmethod
    def _put_if_absent(self, keys: Sequence[StoredKey]) -> None: ...

    @abstractmethod
    def _destroy(self, scope: str, at: datetime) -> list[str]: ...

    @abstractmethod
    def _all_live(self) -> list[StoredKey]: ...

    @abstractmethod
    def _rewrap(self, stored: StoredKey) -> None: ...

    @abstractmethod
    def close(self) -> None: ...


class SQLiteKeyStore(KeyStore):
    """`keys.sqlite` in the data dir, apart from the events. `secure_delete` overwrites a
    destroyed key's bytes in the file, and a checkpoint clears them from the journal."""

    def __init__(self, path: str, kek: bytes, previous: Sequence[bytes] = ()) -> None:
        super().__init__(kek, previous)
        self.lock = threading.Lock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA secure_delete=ON;"
            "CREATE TABLE IF NOT EXISTS data_keys (scope TEXT PRIMARY KEY, wrapped BLOB,"
            " kek_id TEXT NOT NULL, created_at TEXT NOT NULL, destroyed_at TEXT);"
        )

    def _get_many(self, scopes: Sequence[str]) -> dict[str, StoredKey]:
        marks = ",".join("?" * len(scopes))
        with self.lock:
            rows = self.db.execute(
                f"SELECT scope, wrapped, kek_id FROM data_keys WHERE scope IN ({marks})",
                list(scopes),
            ).fetchall()
        return {row[0]: StoredKey(*row) for row in rows}

    def _put_if_absent(self, keys: Sequence[StoredKey]) -> None:
        now = datetime.now(UTC).isoformat()
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")  # one commit for all: one sync of the file
            try:
                self.db.executemany(
                    "INSERT INTO data_keys (scope, wrapped, kek_id, created_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (scope) DO NOTHING",
                    [(k.scope, k.wrapped, k.kek_id, now) for k in keys],
                )
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def _destroy(self, scope: str, at: datetime) -> list[str]:
        with self.lock:
            rows = self.db.execute(
                "UPDATE data_keys SET wrapped = NULL, destroyed_at = ? WHERE destroyed_at IS NULL"
                " AND (scope = ? OR substr(scope, 1, ?) = ?) RETURNING scope",
                (at.isoformat(), scope, len(scope) + 1, scope + "/"),
            ).fetchall()
            if rows:
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return [r[0] for r in rows]

    def _all_live(self) -> list[StoredKey]:
        with self.lock:
            rows = self.db.execute(
                "SELECT scope, wrapped, kek_id FROM data_keys WHERE wrapped IS NOT NULL"
            ).fetchall()
        return [StoredKey(*r) for r in rows]

    def _rewrap(self, stored: StoredKey) -> None:
        with self.lock:
            self.db.execute(
                "UPDATE data_keys SET wrapped = ?, kek_id = ? WHERE scope = ? AND wrapped IS NOT"
                " NULL",
                (stored.wrapped, stored.kek_id, stored.scope),
            )

    def close(self) -> None:
        self.db.close()


class PostgresKeyStore(KeyStore):
    """Table `data_keys` in a schema of its own (`<schema>_keys`). A destroyed key's old row
    version is vacuumed away at once, so its bytes do not linger in the table's pages."""

    def __init__(self, settings: Settings, kek: bytes, previous: Sequence[bytes] = ()) -> None:
        super().__init__(kek, previous)
        schema = f"{settings.postgres_schema}_keys"
        self.table = sql.Identifier(schema, "data_keys")
        self.pool: ConnectionPool[psycopg.Connection[tuple[object, ...]]] = ConnectionPool(
            postgres_conninfo(settings),
            min_size=1,
            max_size=4,
            kwargs={"autocommit": True},
            open=False,
        )
        fail_fast(self.pool)
        self.pool.open()
        if not settings.create_tables:
            return
        with pooled_connection(self.pool) as db:
            db.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            db.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (scope text PRIMARY KEY, wrapped bytea,"
                    " kek_id text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),"
                    " destroyed_at timestamptz)"
                ).format(self.table)
            )

    def _run(self, template: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """One statement on the key table (`{}`), committed; the rows it answers."""
        with pooled_connection(self.pool) as db:
            cursor = db.execute(sql.SQL(template).format(self.table), params)
            return cursor.fetchall() if cursor.description else []

    def _get_many(self, scopes: Sequence[str]) -> dict[str, StoredKey]:
        rows = self._run(
            "SELECT scope, wrapped, kek_id FROM {} WHERE scope = ANY(%s)", (list(scopes),)
        )
        return {str(row[0]): _stored(row) for row in rows}

    def _put_if_absent(self, keys: Sequence[StoredKey]) -> None:
        self._run(
            "INSERT INTO {} (scope, wrapped, kek_id) SELECT * FROM unnest(%s::text[],"
            " %s::bytea[], %s::text[]) ON CONFLICT (scope) DO NOTHING",
            ([k.scope for k in keys], [k.wrapped for k in keys], [k.kek_id for k in keys]),
        )

    def _destroy(self, scope: str, at: datetime) -> list[str]:
        rows = self._run(
            "UPDATE {} SET wrapped = NULL, destroyed_at = %s WHERE destroyed_at IS NULL"
            " AND (scope = %s OR starts_with(scope, %s)) RETURNING scope",
            (at, scope, scope + "/"),
        )
        if rows:
            self._run("VACUUM {}")
        return [str(r[0]) for r in rows]

    def _all_live(self) -> list[StoredKey]:
        rows = self._run("SELECT scope, wrapped, kek_id FROM {} WHERE wrapped IS NOT NULL")
        return [_stored(r) for r in rows]

    def _rewrap(self, stored: StoredKey) -> None:
        self._run(
            "UPDATE {} SET wrapped = %s, kek_id = %s WHERE scope = %s AND wrapped IS NOT NULL",
            (stored.wrapped, stored.kek_id, stored.scope),
        )

    def close(self) -> None:
        self.pool.close()


def _stored(row: tuple[object, ...]) -> StoredKey:
    scope, wrapped, kek = row
    return StoredKey(str(scope), None if wrapped is None else bytes(wrapped), str(kek))  # type: ignore[call-overload]


KEK_FILE = "key-encryption-key"
"""On the embedded default: the key-encryption key, made on first start. Back it up apart
from the data: with it, a stolen copy of the data dir opens; without it, nothing does."""


def key_encryption_keys(settings: Settings) -> tuple[bytes, list[bytes]]:
    """The current key-encryption key and the previous ones, from settings (or, on the
    embedded default, the file in the data dir)."""
    configured = settings.key_encryption_key.get_secret_value()
    if not configured:
        if settings.store != "sqlite":
            raise SettingsError(f"{ENV_PREFIX}KEY_ENCRYPTION_KEY is required with PostgreSQL")
        path = settings.data_dir / KEK_FILE
        if not path.exists():
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        configured = path.read_text().strip()
    previous = [_key_from_hex(k.get_secret_value()) for k in settings.previous_key_encryption_keys]
    return _key_from_hex(configured), previous


def _key_from_hex(text: str) -> bytes:
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise SettingsError("a key-encryption key is 64 hex digits (256 bits)")
    return key


def open_key_store(settings: Settings) -> KeyStore:
    kek, previous = key_encryption_keys(settings)
    if settings.store == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return SQLiteKeyStore(str(settings.data_dir / "keys.sqlite"), kek, previous)
    return PostgresKeyStore(settings, kek, previous)
