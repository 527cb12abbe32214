"""Accounts of the review app: users and roles, sessions, and the login throttle. One SQLite
file beside the article store, shared with the annotation store."""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from duluan.core.record import utcnow
from duluan.core.sqlite import connect, utc_iso


class Role(StrEnum):
    COLLABORATOR = "collaborator"
    EDITOR = "editor"  # also manages watchlists and sources
    ADMIN = "admin"  # also manages accounts


RANK = {Role.COLLABORATOR: 0, Role.EDITOR: 1, Role.ADMIN: 2}
ROLE_NAMES = {Role.COLLABORATOR: "Cộng tác viên", Role.EDITOR: "Biên tập viên", Role.ADMIN: "Quản trị"}
SESSION_HOURS = 12
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_FAILURES_ALLOWED = 5  # per account and per address within the window

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
    display_name TEXT NOT NULL, email TEXT, created_at TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL, expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (key TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures(key, at);
"""


class AuthError(Exception):
    """Wrong user name or password."""


class LoginThrottled(AuthError):
    """Too many recent failures for the account or the address."""


@dataclass
class User:
    username: str
    role: Role
    display_name: str
    email: str | None = None

    def can(self, role: Role) -> bool:
        return RANK[self.role] >= RANK[role]


@dataclass
class Session:
    token: str
    csrf: str
    user: User


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Accounts:
    def __init__(self, path: Path | str) -> None:
        self.db = connect(path, SCHEMA, durable=True)
        self.hasher = PasswordHasher()

    def close(self) -> None:
        self.db.close()

    # accounts -------------------------------------------------------------------------------
    def add_user(self, username: str, password: str, role: Role | str, display_name: str = "",
                 email: str | None = None) -> User:
        if len(password) < 8:
            raise ValueError("password must have at least 8 characters")
        role = Role(role)
        try:
            self.db.execute(
                "INSERT INTO users(username, password_hash, role, display_name, email, created_at)"
                " VALUES (?,?,?,?,?,?)",
                (username, self.hasher.hash(password), role, display_name or username, email,
                 utc_iso(utcnow())))
        except sqlite3.IntegrityError as exc:
            raise ValueError(f"user {username!r} exists") from exc
        return User(username, role, display_name or username, email)

    def user(self, username: str) -> User | None:
        row = self.db.execute("SELECT username, role, display_name, email FROM users "
                              "WHERE username = ? AND active = 1", (username,)).fetchone()
        return User(row[0], Role(row[1]), row[2], row[3]) if row else None

    def users(self) -> list[User]:
        rows = self.db.execute("SELECT username, role, display_name, email FROM users "
                               "WHERE active = 1 ORDER BY username")
        return [User(r[0], Role(r[1]), r[2], r[3]) for r in rows]

    def _failures(self, keys: list[str], now: datetime) -> int:
        since = utc_iso(now - LOGIN_WINDOW)
        marks = ",".join("?" * len(keys))
        return max(
            (n for (n,) in self.db.execute(
                f"SELECT COUNT(*) FROM login_failures WHERE key IN ({marks}) AND at >= ? GROUP BY key",
                (*keys, since))), default=0)

    def login(self, username: str, password: str, address: str) -> Session:
        """Checks the password; refuses after too many recent failures for the account or the
        address, even with the right password, so guessing stays slow."""
        now = utcnow()
        keys = [f"user:{username}", f"addr:{address}"]
        if self._failures(keys, now) >= LOGIN_FAILURES_ALLOWED:
            raise LoginThrottled("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")
        row = self.db.execute("SELECT password_hash FROM users WHERE username = ? AND active = 1",
                              (username,)).fetchone()
        try:
            if row is None:
                raise VerifyMismatchError
            self.hasher.verify(row[0], password)
        except (VerifyMismatchError, InvalidHashError):
            self.db.executemany("INSERT INTO login_failures(key, at) VALUES (?, ?)",
                                [(k, utc_iso(now)) for k in keys])
            raise AuthError("Tên đăng nhập hoặc mật khẩu không đúng.") from None
        self.db.execute("DELETE FROM login_failures WHERE key = ?", (keys[0],))
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.db.execute("INSERT INTO sessions VALUES (?,?,?,?)",
                        (token, username, csrf, utc_iso(now + timedelta(hours=SESSION_HOURS))))
        user = self.user(username)
        assert user is not None
        return Session(token, csrf, user)

    def session(self, token: str | None) -> Session | None:
        if not token:
            return None
        row = self.db.execute("SELECT username, csrf, expires_at FROM sessions WHERE token = ?",
                              (token,)).fetchone()
        if row is None or _dt(row[2]) < utcnow():
            return None
        user = self.user(row[0])
        return Session(token, row[1], user) if user else None

    def logout(self, token: str) -> None:
        self.db.execute("DELETE FROM sessions WHERE token = ?", (token,))
