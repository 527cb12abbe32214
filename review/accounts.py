"""Accounts of the review app: users and roles, sessions, and the login throttle. One SQLite
file beside the article store, shared with the annotation store."""

from __future__ import annotations

import re
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
USERNAME = re.compile(r"[\w.-]{1,64}")
SESSION_HOURS = 12
LOGIN_WINDOW = timedelta(minutes=15)
# Failures allowed within the window before logins are refused: per account from one address
# (the guesser); per account from addresses it never signed in from (spraying from many, which
# never locks its owner out of a known address); per address (spraying many accounts, high
# enough for an office behind one NAT).
PAIR_FAILURES = 5
ACCOUNT_FAILURES = 50
ADDRESS_FAILURES = 100

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
CREATE TABLE IF NOT EXISTS known_addresses (
    username TEXT NOT NULL, address TEXT NOT NULL, PRIMARY KEY (username, address)
);
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



class Accounts:
    def __init__(self, path: Path | str) -> None:
        self.db = connect(path, SCHEMA, durable=True)
        self.hasher = PasswordHasher()
        # Names that do not exist are checked against this, so they answer as slowly as real ones.
        self._decoy = self.hasher.hash(secrets.token_urlsafe(16))

    def close(self) -> None:
        self.db.close()

    # accounts -------------------------------------------------------------------------------
    def add_user(self, username: str, password: str, role: Role | str, display_name: str = "",
                 email: str | None = None) -> User:
        if not USERNAME.fullmatch(username):
            raise ValueError("Tên đăng nhập cần 1–64 ký tự: chữ, số, dấu chấm, gạch ngang hoặc gạch dưới.")
        if len(password) < 8:
            raise ValueError("Mật khẩu cần ít nhất 8 ký tự.")
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

    def _failures(self, key: str, now: datetime) -> int:
        return self.db.execute("SELECT COUNT(*) FROM login_failures WHERE key = ? AND at >= ?",
                               (key, utc_iso(now - LOGIN_WINDOW))).fetchone()[0]

    def _throttled(self, username: str, address: str, now: datetime) -> bool:
        known = self.db.execute("SELECT 1 FROM known_addresses WHERE username = ? AND address = ?",
                                (username, address)).fetchone()
        return (self._failures(f"pair:{username}|{address}", now) >= PAIR_FAILURES
                or self._failures(f"addr:{address}", now) >= ADDRESS_FAILURES
                or (not known and self._failures(f"user:{username}", now) >= ACCOUNT_FAILURES))

    def login(self, username: str, password: str, address: str) -> Session:
        """Checks the password; refuses, even the right one, after too many recent failures for
        this account from this address (or the wider limits), so guessing stays slow while the
        owner elsewhere is not locked out."""
        now = utcnow()
        if self._throttled(username, address, now):
            raise LoginThrottled("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")
        row = self.db.execute("SELECT password_hash FROM users WHERE username = ? AND active = 1",
                              (username,)).fetchone()
        try:
            self.hasher.verify(row[0] if row else self._decoy, password)
            if row is None:
                raise VerifyMismatchError
        except (VerifyMismatchError, InvalidHashError):
            keys = [f"pair:{username}|{address}", f"user:{username}", f"addr:{address}"]
            self.db.executemany("INSERT INTO login_failures(key, at) VALUES (?, ?)",
                                [(k, utc_iso(now)) for k in keys])
            raise AuthError("Tên đăng nhập hoặc mật khẩu không đúng.") from None
        self.db.execute("DELETE FROM login_failures WHERE key = ?", (f"pair:{username}|{address}",))
        self.db.execute("INSERT OR IGNORE INTO known_addresses VALUES (?, ?)", (username, address))
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
        if row is None or datetime.fromisoformat(row[2]) < utcnow():
            return None
        user = self.user(row[0])
        return Session(token, row[1], user) if user else None

    def logout(self, token: str) -> None:
        self.db.execute("DELETE FROM sessions WHERE token = ?", (token,))
