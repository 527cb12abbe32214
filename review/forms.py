"""The review app's forms as typed models. Every field has a default, so a form with a field
missing is judged by the route (a clear 400), not rejected by the framework."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class CsrfForm(BaseModel):
    csrf: str = ""
    next: str = ""


class LoginForm(BaseModel):
    csrf: str = ""
    username: str = ""
    password: str = ""
    next: str = "/"


class BulkForm(CsrfForm):
    ids: list[str] = []
    action: str = ""


class ArticleAction(StrEnum):
    REVIEW = "review"
    FLAG = "flag"
    ASSIGN = "assign"
    TOPIC = "topic"
    TONE = "tone"
    NOTE = "note"


class ArticleForm(CsrfForm):
    value: str = "reviewed"
    flag: str = ""
    assignee: str = ""
    text: str = ""


class WatchlistForm(CsrfForm):
    name: str = ""
    keywords: str = ""
    entity: str = ""
    sources: str = ""
    tones: list[str] = []

    def items(self, text: str) -> list[str]:
        """A comma- or semicolon-separated field as its non-empty items."""
        return [x.strip() for x in text.replace(";", ",").split(",") if x.strip()]


class BriefingForm(CsrfForm):
    month: str = ""
    format: str = "docx"
    watchlist: str = ""


class SourceForm(CsrfForm):
    active: str = ""


class UserForm(CsrfForm):
    username: str = ""
    password: str = ""
    role: str = ""
    display_name: str = ""
    email: str = ""
