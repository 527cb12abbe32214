"""Elasticsearch 8/9 and OpenSearch 2/3 behind one store, with one mapping and one query DSL.

The store composes four parts: the client (engine_client), the monthly indices behind one
alias (engine_lifecycle), the Query DSL translation (engine_dsl), and the write-ahead spool
(spool) that keeps on disk whatever the engine does not confirm."""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from duluan.core.record import Article, validate_fields
from duluan.core.settings import Settings
from duluan.index import engine_dsl
from duluan.index.base import WriteReport
from duluan.index.engine_client import EngineClient, EngineError, bulk_parts
from duluan.index.engine_lifecycle import IndexLifecycle, MigrationReport, NeedsMigration
from duluan.index.mapping import MAPPING_VERSION
from duluan.index.query import Query, SearchResult, SignificantTerm, background_range, significant_terms
from duluan.index.spool import Doc, Outcome, Spool

__all__ = ["EngineStore", "MigrationReport", "NeedsMigration"]

# Per-item statuses that another try may cure: the node busy (429), timing out (408) or failing
# (5xx), or the index gone (404: the next write creates it again). Any other 4xx is a refusal.
_RETRYABLE = {404, 408, 429}
_ARTICLE_JSON = TypeAdapter(Article)


def _refusal(info: dict) -> bool:
    """Whether a failed bulk item was refused for what it is, not for the engine's state."""
    status = next(iter(info.values()), {}).get("status")
    # An item without a numeric status is not taken for a refusal: the spool retries it.
    return isinstance(status, int) and 400 <= status < 500 and status not in _RETRYABLE


class EngineStore:
    """The articles in the engine: written through the spool, read over the alias."""

    backend = "engine"

    def __init__(self, settings: Settings, mapping_version: int = MAPPING_VERSION) -> None:
        assert settings.search_url, "EngineStore needs DULUAN_SEARCH_URL"
        self.client = EngineClient(settings.search_url, settings.search_user,
                                   settings.search_password, settings.search_verify_certs)
        self.backend = self.client.distribution
        self.lifecycle = IndexLifecycle(self.client, settings.index_prefix, mapping_version)
        self.version = mapping_version
        self.spool = Spool(settings.spool_dir, self)
        self.unreachable = (EngineError, *self.client.connection_errors)
        self.bulk_requests = settings.search_bulk_requests
        self.lifecycle.ensure_template()

    # -- maintenance (index.base.Maintainable) --------------------------------------------

    def indices(self) -> dict[str, int]:
        return self.lifecycle.indices()

    def index_for(self, article: Article) -> str:
        return self.lifecycle.index_for(article)

    def migrate(self) -> MigrationReport:
        return self.lifecycle.migrate()

    def spool_files(self, refused: bool = False) -> list[Path]:
        return self.spool.files(refused)

    def replay_spool(self, refused: bool = False) -> WriteReport:
        return self.spool.replay(refused)

    def drop_all(self) -> None:
        self.lifecycle.drop_all()

    def close(self) -> None:
        self.client.client.close()

    def refresh(self) -> None:
        self.lifecycle.refresh()

    # -- writing (spool.SpoolTarget) ------------------------------------------------------

    def doc(self, article: Article) -> Doc:
        return Doc(article.id, self.index_for(article), _ARTICLE_JSON.dump_json(article))

    def doc_from_json(self, line: bytes) -> Doc:
        data = json.loads(line)
        data.pop("_index", None)  # spool files written before the index was left out
        return self.doc(Article.from_stored(data))

    def write_docs(self, docs: list[Doc]) -> Outcome:
        out = Outcome()
        confirmed: set[str] = set()
        refused: set[str] = set()

        def send(part: list[Doc]) -> list[tuple[bool, dict]]:
            return self.client.send_bulk([({"index": {"_index": d.index, "_id": d.id}}, d.source)
                                          for d in part])

        parts = bulk_parts(docs, self.bulk_requests, lambda d: len(d.source))
        # A node indexes one request's documents for one index on one write thread, so a batch
        # for the current month alone keeps one core busy unless several requests are in flight.
        pool = ThreadPoolExecutor(min(self.bulk_requests, len(parts))) if len(parts) > 1 else None
        try:
            self.lifecycle.ensure_indices({d.index for d in docs})
            for part, results in zip(parts, pool.map(send, parts) if pool else map(send, parts), strict=True):
                for (ok, info), doc in zip(results, part, strict=False):
                    if ok:
                        confirmed.add(doc.id)
                        continue
                    if _refusal(info):
                        refused.add(doc.id)
                    if len(out.errors) < 20:
                        out.errors.append(json.dumps(info, ensure_ascii=False, default=str)[:300])
        except self.unreachable as exc:
            out.errors.append(f"engine unreachable: {exc}")
        finally:
            if pool:
                pool.shutdown(cancel_futures=True)
        # Whatever the engine did not confirm goes to the spool, or aside: nothing is lost.
        out.written = len(confirmed)
        out.failed = [d for d in docs if d.id not in confirmed and d.id not in refused]
        out.refused = [d for d in docs if d.id in refused]
        return out

    def superseded(self, docs: list[Doc]) -> set[str]:
        fetched = {d.id: datetime.fromisoformat(json.loads(d.source)["fetched_at"]) for d in docs}
        # A multi-get, not a search: it sees what was written a moment ago, before any refresh.
        found = self.client.request("POST", "/_mget", body={"docs": [
            {"_index": d.index, "_id": d.id, "_source": ["fetched_at"]} for d in docs]})["docs"]
        return {h["_id"] for h in found if h.get("found")
                and datetime.fromisoformat(h["_source"]["fetched_at"]) > fetched[h["_id"]]}

    def upsert(self, articles: Sequence[Article]) -> WriteReport:
        docs = [self.doc(a) for a in articles]
        try:
            self.lifecycle.check()
        except NeedsMigration:
            raise
        except self.unreachable as exc:
            self.spool.put(docs)
            return WriteReport(spooled=len(docs), errors=[f"engine unreachable: {exc}"])
        return self.spool.write(docs)

    def update_fields(self, updates: dict[str, dict[str, Any]]) -> int:
        if not updates or not self.lifecycle.has_alias():
            return 0
        self.refresh()  # the articles may have been written a moment ago
        found = self.lifecycle.read("_search", {
            "query": {"ids": {"values": list(updates)}}, "size": len(updates), "_source": False,
        })["hits"]["hits"]
        ops = [({"update": {"_index": hit["_index"], "_id": hit["_id"]}},
                json.dumps({"doc": validate_fields(updates[hit["_id"]])}, ensure_ascii=False).encode())
               for hit in found]
        changed = sum(ok for ok, _ in self.client.send_bulk(ops))
        self.refresh()
        return changed

    # -- reading --------------------------------------------------------------------------

    def present(self, ids: Sequence[str]) -> set[str]:
        found = self.spool.ids() & set(ids)  # on disk, replayed before the next write
        if not self.lifecycle.has_alias():
            return found
        for start in range(0, len(ids), 1000):
            chunk = list(ids[start:start + 1000])
            hits = self.lifecycle.read("_search", {"query": {"ids": {"values": chunk}}, "size": len(chunk),
                                                   "_source": False})["hits"]["hits"]
            found.update(h["_id"] for h in hits)
        return found

    def get(self, article_id: str) -> Article | None:
        if not self.lifecycle.has_alias():
            return None
        hits = self.lifecycle.read("_search", {"query": {"ids": {"values": [article_id]}},
                                               "size": 1})["hits"]["hits"]
        return Article.from_stored(hits[0]["_source"]) if hits else None

    def count(self, query: Query | None = None) -> int:
        if not self.lifecycle.has_alias():
            return 0
        body = {"query": engine_dsl.query_body(query or Query())}
        return int(self.lifecycle.read("_count", body)["count"])

    def search(self, query: Query) -> SearchResult:
        if not self.lifecycle.has_alias():
            return SearchResult(total=0, hits=[])
        result = engine_dsl.search_result(self.lifecycle.read("_search", engine_dsl.search_body(query)),
                                          query)
        if query.significant:
            result.significant = self._significant(query)
        return result

    def _keyword_counts(self, query: Query, include: list[str] | None = None) -> tuple[int, dict[str, int]]:
        result = self.lifecycle.read("_search", engine_dsl.keyword_counts_body(query, include))
        counts = {b["key"]: b["doc_count"] for b in result["aggregations"]["k"]["buckets"]}
        return result["hits"]["total"]["value"], counts

    def _significant(self, query: Query) -> list[SignificantTerm]:
        """Same scoring as the embedded store, so both give the same answer; analysts who
        want Elasticsearch's own significant_terms aggregation find it in docs/."""
        plain = replace(query, facets=[], significant=False, histogram=None)
        fg_total, fg = self._keyword_counts(plain)
        if not fg:
            return []
        bg_total, bg = self._keyword_counts(replace(plain, **background_range(query)), include=list(fg))
        return significant_terms(fg, fg_total, bg, bg_total, query.facet_size)
