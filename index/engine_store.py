"""Elasticsearch 8/9 and OpenSearch 2/3 behind one store, with one mapping and one query DSL.

Which client to use is decided from the server's `GET /`. Articles go to monthly
indices (`duluan-articles-2026.10`) created from one template; reads use the alias.
Writes that the engine refuses or cannot take are spooled to disk and replayed.
"""

from __future__ import annotations

import base64
import json
import ssl
import time
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from duluan.record import Article, validate_fields
from duluan.settings import Settings
from index.base import WriteReport
from index.highlight import add_highlights
from index.mapping import MAPPING_VERSION, index_settings, mappings
from index.query import FACETABLE, Hit, ParsedQuery, Query, SearchResult, Term

ACCENTED_FIELDS = ["title^3", "sapo^2", "body", "captions"]
FOLDED_FIELDS = ["title_folded^3", "text_folded"]
HIDDEN = ["text_segmented", "text_folded", "title_folded"]


class EngineError(RuntimeError):
    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(f"search engine answered {status}: {message}")
        self.status = status


def server_info(url: str, user: str | None, password: str | None, verify: bool) -> dict[str, Any]:
    request = urllib.request.Request(url.rstrip("/") + "/", headers={"Accept": "application/json"})
    if user:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    context = None if verify else ssl._create_unverified_context()  # noqa: S323 - user's choice
    with urllib.request.urlopen(request, timeout=10, context=context) as response:  # noqa: S310
        return json.load(response)


class EngineClient:
    """The official client of whichever engine answers, behind one small interface."""

    def __init__(self, url: str, user: str | None = None, password: str | None = None,
                 verify: bool = True) -> None:
        info = server_info(url, user, password, verify)
        version = info.get("version", {})
        self.distribution = version.get("distribution") or "elasticsearch"
        self.version = version.get("number", "")
        auth = (user, password or "") if user else None
        if self.distribution == "opensearch":
            from opensearchpy import OpenSearch, helpers
            from opensearchpy.exceptions import ConnectionError as ConnError
            from opensearchpy.exceptions import TransportError

            self.client = OpenSearch(hosts=[url], http_auth=auth, verify_certs=verify, timeout=60,
                                     max_retries=3, retry_on_timeout=True)
            self._errors: tuple[type[Exception], ...] = (TransportError,)
            self._conn_errors: tuple[type[Exception], ...] = (ConnError,)
        else:
            from elasticsearch import ApiError, Elasticsearch, helpers
            from elasticsearch import ConnectionError as ConnError

            self.client = Elasticsearch(url, basic_auth=auth, verify_certs=verify, request_timeout=60,
                                        max_retries=3, retry_on_timeout=True)
            self._errors = (ApiError,)
            self._conn_errors = (ConnError,)
        self.helpers = helpers

    @property
    def connection_errors(self) -> tuple[type[Exception], ...]:
        return self._conn_errors

    def request(self, method: str, path: str, body: Any = None, params: dict | None = None) -> Any:
        try:
            if self.distribution == "opensearch":
                return self.client.transport.perform_request(method, path, params=params, body=body)
            headers = {"accept": "application/json"}
            if body is not None:
                headers["content-type"] = "application/json"
            return self.client.perform_request(method, path, params=params, body=body,
                                               headers=headers).body
        except self._errors as exc:
            status = getattr(exc, "status_code", None) or getattr(exc, "status", None)
            if isinstance(status, str):
                status = None
            raise EngineError(status, str(exc)[:500]) from exc

    def exists(self, path: str) -> bool:
        try:
            self.request("HEAD", path)
            return True
        except EngineError as exc:
            if exc.status == 404:
                return False
            raise

    def bulk(self, actions: Iterable[dict]) -> Iterable[tuple[bool, dict]]:
        return self.helpers.streaming_bulk(
            self.client, actions, chunk_size=500, raise_on_error=False, raise_on_exception=False,
            max_retries=3, initial_backoff=1,
        )


class EngineStore:
    backend = "engine"

    def __init__(self, settings: Settings) -> None:
        assert settings.search_url, "EngineStore needs DULUAN_SEARCH_URL"
        self.client = EngineClient(settings.search_url, settings.search_user,
                                   settings.search_password, settings.search_verify_certs)
        self.backend = self.client.distribution
        self.prefix = settings.index_prefix
        self.alias = f"{self.prefix}-articles"
        self.spool_dir: Path = settings.spool_dir
        self.ensure_template()

    # -- setup ---------------------------------------------------------------------------

    def ensure_template(self) -> None:
        self.client.request("PUT", f"/_index_template/{self.alias}", body={
            "index_patterns": [f"{self.alias}-*"],
            "priority": 100,
            "version": MAPPING_VERSION,
            "template": {
                "settings": index_settings(),
                "mappings": mappings(),
                "aliases": {self.alias: {}},
            },
        })

    def index_for(self, article: Article) -> str:
        when = article.published_at or article.fetched_at
        return f"{self.alias}-{when:%Y.%m}"

    def close(self) -> None:
        self.client.client.close()

    def refresh(self) -> None:
        if self.client.exists(f"/{self.alias}"):
            self.client.request("POST", f"/{self.alias}/_refresh")

    def drop_all(self) -> None:
        """Delete every index behind the alias (tests and `index reset`)."""
        if self.client.exists(f"/{self.alias}"):
            for name in self.client.request("GET", f"/_alias/{self.alias}"):
                self.client.request("DELETE", f"/{name}")

    # -- writing -------------------------------------------------------------------------

    def _actions(self, docs: Sequence[dict]) -> Iterable[dict]:
        for doc in docs:
            yield {"_op_type": "index", "_index": doc["_index"], "_id": doc["id"],
                   "_source": {k: v for k, v in doc.items() if k != "_index"}}

    def _write(self, docs: list[dict]) -> tuple[int, list[dict], list[str]]:
        written, failed, errors = 0, [], []
        try:
            for (ok, info), doc in zip(self.client.bulk(self._actions(docs)), docs, strict=False):
                if ok:
                    written += 1
                else:
                    failed.append(doc)
                    errors.append(json.dumps(info, ensure_ascii=False, default=str)[:300])
        except self.client.connection_errors as exc:
            done = {d["id"] for d in docs[:written]}
            failed = [d for d in docs if d["id"] not in done]
            errors.append(f"engine unreachable: {exc}")
        return written, failed, errors

    def _spool(self, docs: list[dict]) -> None:
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        path = self.spool_dir / f"{time.time_ns()}.jsonl"
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for doc in docs:
                fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
        tmp.replace(path)

    def replay_spool(self) -> WriteReport:
        report = WriteReport()
        for path in sorted(self.spool_dir.glob("*.jsonl")) if self.spool_dir.exists() else []:
            docs = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
            written, failed, errors = self._write(docs)
            report.replayed += written
            report.errors += errors
            if failed:
                if len(failed) != len(docs):
                    self._spool(failed)
                    path.unlink()
                report.spooled += len(failed)
                break  # the engine is still refusing: keep the rest for later
            path.unlink()
        return report

    def upsert(self, articles: Sequence[Article]) -> WriteReport:
        report = self.replay_spool()
        docs = [{**a.to_doc(), "_index": self.index_for(a)} for a in articles]
        if not docs:
            return report
        if report.spooled:  # engine still down: do not even try, keep order
            self._spool(docs)
            report.spooled += len(docs)
            return report
        written, failed, errors = self._write(docs)
        if failed:
            self._spool(failed)
        return report + WriteReport(written=written, spooled=len(failed), errors=errors)

    def update_fields(self, updates: dict[str, dict[str, Any]]) -> int:
        if not updates or not self.client.exists(f"/{self.alias}"):
            return 0
        self.refresh()  # the articles may have been written a moment ago
        found = self.client.request("POST", f"/{self.alias}/_search", body={
            "query": {"ids": {"values": list(updates)}}, "size": len(updates), "_source": False,
        })["hits"]["hits"]
        actions = [
            {"_op_type": "update", "_index": hit["_index"], "_id": hit["_id"],
             "doc": validate_fields(updates[hit["_id"]])}
            for hit in found
        ]
        changed = sum(ok for ok, _ in self.client.bulk(actions))
        self.refresh()
        return changed

    # -- reading -------------------------------------------------------------------------

    def get(self, article_id: str) -> Article | None:
        result = self.client.request("POST", f"/{self.alias}/_search", body={
            "query": {"ids": {"values": [article_id]}}, "size": 1,
        }) if self.client.exists(f"/{self.alias}") else {"hits": {"hits": []}}
        hits = result["hits"]["hits"]
        return Article.model_validate(hits[0]["_source"]) if hits else None

    @staticmethod
    def _term_clause(term: Term) -> dict:
        fields = FOLDED_FIELDS if term.folded else ACCENTED_FIELDS
        return {"multi_match": {"query": term.match_text, "type": "phrase", "fields": fields}}

    def _text_query(self, parsed: ParsedQuery) -> dict | None:
        if parsed.empty:
            return None
        must = [
            {"bool": {"should": [self._term_clause(t) for t in group], "minimum_should_match": 1}}
            for group in parsed.must
        ]
        return {"bool": {"must": must, "must_not": [self._term_clause(t) for t in parsed.must_not]}}

    def _filters(self, query: Query) -> list[dict]:
        filters: list[dict] = []
        for fieldname, values in (("source", query.sources), ("tier", query.tiers),
                                  ("topic", query.topics), ("tone", query.tones),
                                  ("review_state", query.review_states), ("id", query.ids)):
            if values:
                filters.append({"terms": {fieldname: values}})
        if query.cluster_id:
            filters.append({"term": {"cluster_id": query.cluster_id}})
        if query.entity:
            filters.append({"term": {"entities.name": query.entity}})
        span = {}
        if query.utc_from:
            span["gte"] = query.utc_from.isoformat()
        if query.utc_to:
            span["lte"] = query.utc_to.isoformat()
        if span:
            filters.append({"range": {"published_at": span}})
        return filters

    def query_body(self, query: Query) -> dict:
        text = self._text_query(query.parsed)
        bool_query: dict[str, Any] = {"filter": self._filters(query)}
        if text:
            bool_query["must"] = [text]
        return {"bool": bool_query}

    def count(self, query: Query | None = None) -> int:
        if not self.client.exists(f"/{self.alias}"):
            return 0
        body = {"query": self.query_body(query or Query())}
        return int(self.client.request("POST", f"/{self.alias}/_count", body=body)["count"])

    def search(self, query: Query) -> SearchResult:
        if not self.client.exists(f"/{self.alias}"):
            return SearchResult(total=0, hits=[])
        relevance = query.sort == "relevance" and not query.parsed.empty
        sort = (["_score", {"id": "asc"}] if relevance else
                [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "asc"}])
        body: dict[str, Any] = {
            "query": self.query_body(query),
            "sort": sort,
            "size": query.size,
            "track_total_hits": True,
            "_source": {"excludes": HIDDEN},
        }
        if query.search_after:
            body["search_after"] = query.search_after
        facets = [f for f in query.facets if f in FACETABLE]
        if facets:
            body["aggs"] = {
                f: {"terms": {"field": "entities.name" if f == "entities" else f, "size": 50}}
                for f in facets
            }
        result = self.client.request("POST", f"/{self.alias}/_search", body=body)
        raw_hits = result["hits"]["hits"]
        hits = [
            Hit(
                article=Article.model_validate(h["_source"]),  # hidden fields keep defaults
                score=h.get("_score"),
            )
            for h in raw_hits
        ]
        if query.highlight and not query.parsed.empty:
            add_highlights(hits, query.parsed)
        next_after = raw_hits[-1]["sort"] if raw_hits and len(raw_hits) == query.size else None
        return SearchResult(
            total=result["hits"]["total"]["value"],
            hits=hits,
            next_after=next_after,
            facets={
                f: [(b["key"], b["doc_count"]) for b in result["aggregations"][f]["buckets"]]
                for f in facets
            },
        )
