"""The store interface both backends implement, and the maintenance one only the engine needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from duluan.core.record import Article
from duluan.index.query import Query, SearchResult


@dataclass
class WriteReport:
    written: int = 0
    spooled: int = 0  # kept on disk for replay because the engine refused or was down
    replayed: int = 0  # spooled earlier, written now
    errors: list[str] = field(default_factory=list)
    # Kept on disk but set aside: the engine refuses them as they stand (a closed index, a
    # mapping conflict), so retrying before every write would only hold up the others.
    # `duluan index replay --refused` retries them once the cause is fixed.
    refused: int = 0

    def __add__(self, other: WriteReport) -> WriteReport:
        return WriteReport(self.written + other.written, self.spooled + other.spooled,
                           self.replayed + other.replayed, self.errors + other.errors,
                           self.refused + other.refused)


class Store(Protocol):
    backend: str

    def upsert(self, articles: Sequence[Article]) -> WriteReport:
        """Insert or replace by id; never duplicates."""

    def update_fields(self, updates: dict[str, dict[str, Any]]) -> int:
        """Partial updates by article id; returns how many articles were found and changed."""

    def get(self, article_id: str) -> Article | None: ...

    def search(self, query: Query) -> SearchResult: ...

    def count(self, query: Query | None = None) -> int: ...

    def present(self, ids: Sequence[str]) -> set[str]:
        """Which of these articles the store holds, or has safely on the way (a spool)."""

    def refresh(self) -> None:
        """Make recent writes visible to search."""

    def close(self) -> None: ...


@runtime_checkable
class Maintainable(Protocol):
    """A store with state beyond its articles: indices of a mapping version, and a spool of
    writes waiting for the engine. The embedded store has neither."""

    def indices(self) -> dict[str, int]:
        """Index name -> mapping version."""

    def migrate(self) -> Any:
        """Move every index to the current mapping version; a report of what moved."""

    def spool_files(self, refused: bool = False) -> list[Path]: ...

    def replay_spool(self, refused: bool = False) -> WriteReport: ...
