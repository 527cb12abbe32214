"""What people add to articles, as plain data: flags, watch rules, audit entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Flag(StrEnum):
    NEEDS_ACTION = "can-xu-ly"
    WATCH = "can-theo-doi"
    REPORTED = "da-bao-cao"


FLAGS = {Flag.NEEDS_ACTION: "Cần xử lý", Flag.WATCH: "Cần theo dõi", Flag.REPORTED: "Đã báo cáo"}


@dataclass
class WatchRule:
    """Articles that mention any keyword (with or without diacritics), optionally only those
    naming the entity, from these outlets, in these tones."""

    keywords: list[str] = field(default_factory=list)
    entity: str | None = None
    sources: list[str] = field(default_factory=list)
    tones: list[str] = field(default_factory=list)

    def query_text(self) -> str:
        return " OR ".join(f'"{k}"' if " " in k else k for k in self.keywords)

    def is_empty(self) -> bool:
        return not (self.keywords or self.entity or self.sources or self.tones)


@dataclass
class Watchlist:
    id: int
    name: str
    rule: WatchRule
    created_by: str
    created_at: datetime


@dataclass
class AuditEntry:
    at: datetime
    username: str
    action: str
    article_id: str | None
    field: str | None
    before: Any
    after: Any

