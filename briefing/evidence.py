"""What stands behind each figure of the briefing: a query anyone can re-run through the query API,
and the ids of the articles it matched."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from duluan.core.record import Article
from duluan.index import Query

# The query fields worth quoting, in the order the evidence shows them.
QUERY_FIELDS = ("text", "date_from", "date_to", "sources", "tiers", "topics", "tones", "entity", "cluster_id",
                "flags", "ids")


@dataclass(kw_only=True)
class Evidence:
    """What stands behind one figure: a query anyone can re-run, and the matching article ids."""

    key: str
    label: str
    value: int
    query: dict[str, Any]
    ids: list[str] = field(default_factory=list)


def query_dict(query: Query) -> dict[str, Any]:
    """The query's set fields as JSON values."""
    out: dict[str, Any] = {}
    for name in QUERY_FIELDS:
        value = getattr(query, name)
        if value:
            out[name] = value.isoformat() if isinstance(value, date) else value
    return out


class Citations:
    """The evidence of every figure, in the order the figures were cited (the appendix's order).
    Figures are cited within the report's scope: `base`, the month's query or a watchlist's."""

    def __init__(self, base: Query) -> None:
        self.base = base
        self.evidence: dict[str, Evidence] = {}

    def record(self, key: str, label: str, query: Query, members: list[Article]) -> str:
        self.evidence[key] = Evidence(key=key, label=label, value=len(members), query=query_dict(query),
                                      ids=[a.id for a in members])
        return key

    def cite(self, key: str, label: str, members: list[Article], **filters: Any) -> str:
        """Record a figure as the scope's query narrowed by `filters`; returns its key."""
        # A watchlist's own tone or entity cannot be widened by a figure's filter; such a figure
        # cites its articles by id within the watchlist's query instead.
        base = self.base
        tones, entity = filters.get("tones"), filters.get("entity")
        conflict = bool(base.tones and tones and not set(tones) <= set(base.tones)) or bool(
            base.entity and entity and entity != base.entity)
        by_id = replace(base, ids=[a.id for a in members] or ["none"])
        return self.record(key, label, by_id if conflict else replace(base, **filters), members)
