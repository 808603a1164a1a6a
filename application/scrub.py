"""Removing what was deleted or overwritten from a store's files: SQLite keeps old page
images in free pages and in its write-ahead log, PostgreSQL keeps old row versions until
vacuumed. After personal data is erased or rewritten sealed, those copies must go too."""

from __future__ import annotations

import sqlite3


def vacuum_sqlite(path: str) -> None:
    """Rewrite the file from its live rows and empty its write-ahead log. A reader holding
    a transaction open meanwhile can keep the log from emptying; it is emptied next time."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("VACUUM")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
