"""SQLite as every local store here opens it: WAL mode, one connection per thread.

Request threads of the review app, the pipeline and reviewers all reach the same files at once.
A connection shared between threads interleaves their transactions ("cannot start a transaction
within a transaction"); each thread gets its own instead, and waits for a busy writer."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BUSY_TIMEOUT = 30  # seconds a connection waits for another writer before giving up


class Database:
    """One SQLite file, one connection per thread, opened on the thread's first use.

    `durable` stores (the article index, accounts, annotations) sync every commit to disk
    (synchronous=FULL): what they acknowledge survives a power loss. The others may lose their
    last commits then, which only costs a second fetch."""

    def __init__(self, path: Path | str, schema: str = "", durable: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.durable = durable
        self._row_factory: Callable[..., Any] | None = None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[sqlite3.Connection] = []
        if schema:
            self.connection().executescript(schema)

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # check_same_thread=False only so that close() may close it from another thread.
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={'FULL' if self.durable else 'NORMAL'}")
            conn.row_factory = self._row_factory
            self._local.conn = conn
            with self._lock:
                self._open.append(conn)
        return conn

    @property
    def row_factory(self) -> Callable[..., Any] | None:
        return self._row_factory

    @row_factory.setter
    def row_factory(self, factory: Callable[..., Any] | None) -> None:
        self._row_factory = factory
        with self._lock:
            for conn in self._open:
                conn.row_factory = factory

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.connection().execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Any]) -> sqlite3.Cursor:
        return self.connection().executemany(sql, rows)

    def executescript(self, script: str) -> sqlite3.Cursor:
        return self.connection().executescript(script)

    def __enter__(self) -> sqlite3.Connection:
        """`with db:` commits this thread's transaction, or rolls it back on an error."""
        return self.connection().__enter__()

    def __exit__(self, *exc: Any) -> bool | None:
        return self.connection().__exit__(*exc)

    def close(self) -> None:
        with self._lock:
            for conn in self._open:
                conn.close()
            self._open.clear()
        self._local = threading.local()


def connect(path: Path | str, schema: str = "", durable: bool = False) -> Database:
    """The store's database: WAL mode for one writer beside readers, autocommit unless BEGIN."""
    return Database(path, schema, durable)


def utc_iso(when: datetime, timespec: str = "seconds") -> str:
    """One fixed UTC format, so stored times compare correctly as strings."""
    return when.astimezone(UTC).isoformat(timespec=timespec)
