"""SQLite connections as every local store here opens them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path


def connect(path: Path | str, schema: str = "") -> sqlite3.Connection:
    """WAL mode for one writer beside readers, autocommit unless BEGIN, tolerant of a busy peer."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    if schema:
        db.executescript(schema)
    return db


def utc_iso(when: datetime, timespec: str = "seconds") -> str:
    """One fixed UTC format, so stored times compare correctly as strings."""
    return when.astimezone(UTC).isoformat(timespec=timespec)
