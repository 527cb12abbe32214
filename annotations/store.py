"""The annotation store: notes, label corrections (classifier feedback), watchlists, what each
reader has been alerted to, and the audit log. One SQLite file beside the article store,
whichever backend holds the articles; review and briefing both read it."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from duluan.annotations.models import AuditEntry, Watchlist, WatchRule
from duluan.core.record import utcnow
from duluan.core.sqlite import connect, utc_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY, article_id TEXT NOT NULL, username TEXT NOT NULL, text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_article ON notes(article_id);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, article_id TEXT NOT NULL, field TEXT NOT NULL, predicted TEXT,
    corrected TEXT NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL, username TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS watchlists (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, rule TEXT NOT NULL, created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts_seen (
    username TEXT NOT NULL, watchlist_id INTEGER NOT NULL, seen_at TEXT NOT NULL,
    PRIMARY KEY (username, watchlist_id)
);
CREATE TABLE IF NOT EXISTS alerts_seen_items (
    reader TEXT NOT NULL, watchlist_id INTEGER NOT NULL, article_id TEXT NOT NULL,
    PRIMARY KEY (reader, watchlist_id, article_id)
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, username TEXT NOT NULL, action TEXT NOT NULL,
    article_id TEXT, field TEXT, before TEXT, after TEXT
);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
CREATE INDEX IF NOT EXISTS audit_article ON audit(article_id);
"""



class AnnotationStore:
    def __init__(self, path: Path | str) -> None:
        self.db = connect(path, SCHEMA, durable=True)

    def close(self) -> None:
        self.db.close()

    # audit ----------------------------------------------------------------------------------
    def audit(self, username: str, action: str, article_id: str | None = None,
              field_name: str | None = None, before: Any = None, after: Any = None) -> None:
        self.db.execute(
            "INSERT INTO audit(at, username, action, article_id, field, before, after)"
            " VALUES (?,?,?,?,?,?,?)",
            (utc_iso(utcnow(), "microseconds"), username, action, article_id, field_name,
             json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False)))

    def audit_log(self, limit: int = 200, article_id: str | None = None) -> list[AuditEntry]:
        """The newest entries first; only one article's when `article_id` is given."""
        where, params = ("WHERE article_id = ?", [article_id]) if article_id else ("", [])
        rows = self.db.execute(
            f"SELECT at, username, action, article_id, field, before, after FROM audit {where} "
            "ORDER BY id DESC LIMIT ?", [*params, limit])
        return [AuditEntry(datetime.fromisoformat(r[0]), r[1], r[2], r[3], r[4], json.loads(r[5]),
                           json.loads(r[6])) for r in rows]

    def activity(self, since: datetime, until: datetime) -> dict[str, dict[str, int]]:
        """Per reviewer, how many of each action in [since, until)."""
        out: dict[str, dict[str, int]] = {}
        for user, action, n in self.db.execute(
                "SELECT username, action, COUNT(*) FROM audit WHERE at >= ? AND at < ? "
                "GROUP BY username, action",
                (utc_iso(since, "microseconds"), utc_iso(until, "microseconds"))):
            out.setdefault(user, {})[action] = n
        return out

    # notes and feedback ---------------------------------------------------------------------
    def add_note(self, article_id: str, username: str, text: str) -> None:
        self.db.execute("INSERT INTO notes(article_id, username, text, created_at) VALUES (?,?,?,?)",
                        (article_id, username, text, utc_iso(utcnow())))

    def notes(self, article_ids: list[str]) -> dict[str, list[tuple[str, str, datetime]]]:
        """Per article, its notes as (author, text, time), oldest first."""
        out: dict[str, list[tuple[str, str, datetime]]] = {}
        for i in range(0, len(article_ids), 500):
            chunk = article_ids[i:i + 500]
            rows = self.db.execute(
                f"SELECT article_id, username, text, created_at FROM notes WHERE article_id IN "
                f"({','.join('?' * len(chunk))}) ORDER BY id", chunk)
            for aid, user, text, at in rows:
                out.setdefault(aid, []).append((user, text, datetime.fromisoformat(at)))
        return out

    def add_feedback(self, article_id: str, field_name: str, predicted: str | None, corrected: str,
                     title: str, text: str, username: str) -> None:
        """A reviewer's correction, kept with the text it labels: training data for the classifiers."""
        self.db.execute(
            "INSERT INTO feedback(article_id, field, predicted, corrected, title, text, username,"
            " created_at) VALUES (?,?,?,?,?,?,?,?)",
            (article_id, field_name, predicted, corrected, title, text, username, utc_iso(utcnow())))

    def feedback(self, field_name: str) -> list[dict[str, str]]:
        """The latest correction per article for `field_name` ("topic" or "tone")."""
        rows = self.db.execute(
            "SELECT article_id, title, text, corrected, predicted FROM feedback WHERE id IN "
            "(SELECT MAX(id) FROM feedback WHERE field = ? GROUP BY article_id) ORDER BY id",
            (field_name,))
        return [{"id": r[0], "title": r[1], "text": r[2], "label": r[3], "predicted": r[4]} for r in rows]

    # watchlists -----------------------------------------------------------------------------
    def add_watchlist(self, name: str, rule: WatchRule, username: str) -> Watchlist:
        if not name.strip():
            raise ValueError("Danh sách theo dõi cần có tên.")
        if rule.is_empty():
            raise ValueError("Danh sách theo dõi cần ít nhất một điều kiện.")
        now = utcnow()
        try:
            cur = self.db.execute(
                "INSERT INTO watchlists(name, rule, created_by, created_at) VALUES (?,?,?,?)",
                (name.strip(), json.dumps(rule.__dict__, ensure_ascii=False), username, utc_iso(now)))
        except sqlite3.IntegrityError as exc:
            raise ValueError(f"Đã có danh sách theo dõi tên “{name}”.") from exc
        assert cur.lastrowid is not None
        return Watchlist(cur.lastrowid, name.strip(), rule, username, now)

    def delete_watchlist(self, watchlist_id: int) -> None:
        self.db.execute("DELETE FROM watchlists WHERE id = ?", (watchlist_id,))
        self.db.execute("DELETE FROM alerts_seen WHERE watchlist_id = ?", (watchlist_id,))
        self.db.execute("DELETE FROM alerts_seen_items WHERE watchlist_id = ?", (watchlist_id,))

    def watchlists(self) -> list[Watchlist]:
        rows = self.db.execute("SELECT id, name, rule, created_by, created_at FROM watchlists ORDER BY name")
        return [Watchlist(r[0], r[1], WatchRule(**json.loads(r[2])), r[3], datetime.fromisoformat(r[4]))
                for r in rows]

    def watchlist(self, name_or_id: str | int) -> Watchlist | None:
        for w in self.watchlists():
            if w.name == name_or_id or str(w.id) == str(name_or_id):
                return w
        return None

    def alerts_seen(self, username: str) -> dict[int, datetime]:
        rows = self.db.execute("SELECT watchlist_id, seen_at FROM alerts_seen WHERE username = ?",
                               (username,))
        return {wid: datetime.fromisoformat(at) for wid, at in rows}

    def seen_items(self, reader: str, watchlist_id: int) -> set[str]:
        rows = self.db.execute("SELECT article_id FROM alerts_seen_items "
                               "WHERE reader = ? AND watchlist_id = ?", (reader, watchlist_id))
        return {r[0] for r in rows}

    def mark_seen(self, reader: str, watchlist_id: int, article_ids: list[str]) -> None:
        """The reader has been shown these matches: they are no longer new, however late the
        articles reached the index. `reader` is a user name, or "digest:<user>" for e-mail."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR IGNORE INTO alerts_seen_items VALUES (?,?,?)",
                                [(reader, watchlist_id, aid) for aid in article_ids])
            self.db.execute("INSERT OR REPLACE INTO alerts_seen VALUES (?,?,?)",
                            (reader, watchlist_id, utc_iso(datetime.now(UTC), "microseconds")))
