"""Elasticsearch 8/9 and OpenSearch 2/3 behind one store, with one mapping and one query DSL.

Which client to use is decided from the server's `GET /`. Articles go to monthly
indices (`duluan-articles-2026.10`) created from one template; reads use the alias.
Writes that the engine refuses or cannot take are spooled to disk and replayed.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
import time
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from duluan.core.record import Article, validate_fields
from duluan.core.settings import Settings
from duluan.index.base import WriteReport
from duluan.index.highlight import add_highlights
from duluan.index.mapping import MAPPING_VERSION, index_settings, mappings
from duluan.index.query import (
    Bucket,
    Hit,
    ParsedQuery,
    Query,
    SearchResult,
    SignificantTerm,
    Term,
    background_range,
    significant_terms,
)

BULK_CHUNK = 1000  # documents a bulk request carries at most
BULK_SMALLEST = 100  # no split below this: a request's fixed cost would outweigh the overlap
BULK_MAX_BYTES = 20 * 1024 * 1024  # well under the engines' 100 MB default request limit
BULK_TRIES = 4  # items the node is too busy for (429) are sent again up to three times,
BULK_BACKOFF = 1.0  # after 1, 2 and 4 seconds

HIDDEN = ["text_segmented", "text_folded", "title_folded"]
UNREADABLE = "unreadable"  # spool sub-folder for files that no longer parse as articles
REFUSED = "refused"  # spool sub-folder for articles the engine refuses as they stand
# Per-item statuses that another try may cure: the node busy (429), timing out (408) or failing
# (5xx), or the index gone (404: the next write creates it again). Any other 4xx is a refusal.
_RETRYABLE = {404, 408, 429}


def _refusal(info: dict) -> bool:
    """Whether a failed bulk item was refused for what it is, not for the engine's state."""
    status = next(iter(info.values()), {}).get("status")
    # An item without a numeric status is not taken for a refusal: the spool retries it.
    return isinstance(status, int) and 400 <= status < 500 and status not in _RETRYABLE


_ARTICLE_JSON = TypeAdapter(Article)


@dataclass(frozen=True)
class _Doc:
    """An article ready for a bulk request, serialised once, to UTF-8 bytes, by pydantic's JSON
    encoder: the line sent is the line spooled. The json module took half of the client's CPU
    time, and a str would be encoded again for every request."""

    id: str
    index: str
    source: bytes


def _agg_field(name: str) -> str:
    return "entities.name" if name == "entities" else name


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
            from opensearchpy import OpenSearch
            from opensearchpy.exceptions import ConnectionError as ConnError
            from opensearchpy.exceptions import TransportError

            self.client = OpenSearch(hosts=[url], http_auth=auth, verify_certs=verify, timeout=60,
                                     max_retries=3, retry_on_timeout=True)
            self._errors: tuple[type[Exception], ...] = (TransportError,)
            self._conn_errors: tuple[type[Exception], ...] = (ConnError,)
        else:
            from elasticsearch import ApiError, Elasticsearch
            from elasticsearch import ConnectionError as ConnError

            self.client = Elasticsearch(url, basic_auth=auth, verify_certs=verify, request_timeout=60,
                                        max_retries=3, retry_on_timeout=True)
            self._errors = (ApiError,)
            self._conn_errors = (ConnError,)

    @property
    def connection_errors(self) -> tuple[type[Exception], ...]:
        return self._conn_errors

    def request(self, method: str, path: str, body: Any = None, params: dict | None = None) -> Any:
        if self.distribution == "opensearch":
            return self._call(self.client.transport.perform_request, method, path, params=params,
                              body=body)
        headers = {"accept": "application/json"}
        if body is not None:
            headers["content-type"] = "application/json"
        return self._call(self.client.perform_request, method, path, params=params, body=body,
                          headers=headers).body

    def bulk(self, body: bytes) -> list[dict]:
        """One bulk request of NDJSON lines; the result of each action, in order."""
        if self.distribution == "opensearch":
            return self._call(self.client.bulk, body=body)["items"]
        return self._call(self.client.bulk, operations=body).body["items"]

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except self._errors as exc:
            status = getattr(exc, "status_code", None) or getattr(exc, "status", None)
            if isinstance(status, str):
                status = None
            raise EngineError(status, str(exc)[:500]) from exc

    def exists(self, path: str) -> bool:
        try:
            # opensearch-py answers HEAD with a bool; elasticsearch raises on 404.
            return bool(self.request("HEAD", path))
        except EngineError as exc:
            if exc.status == 404:
                return False
            raise


def bulk_parts(docs: Sequence[Any], ways: int, size: Callable[[Any], int] = lambda _: 0) -> list[list[Any]]:
    """`docs` in consecutive parts of at most BULK_CHUNK, and at least `ways` of them where each
    can still hold BULK_SMALLEST, so that `ways` requests can be in flight together; a part
    whose documents' `size` adds up to more than BULK_MAX_BYTES is split further."""
    count = BULK_CHUNK
    if ways > 1 and len(docs) >= 2 * BULK_SMALLEST:
        count = min(BULK_CHUNK, max(BULK_SMALLEST, -(-len(docs) // ways)))
    parts: list[list[Any]] = []
    for start in range(0, len(docs), count):
        part: list[Any] = []
        total = 0
        for doc in docs[start:start + count]:
            if part and total + size(doc) > BULK_MAX_BYTES:
                parts.append(part)
                part, total = [], 0
            part.append(doc)
            total += size(doc)
        parts.append(part)
    return parts or [list(docs)]


_VERSIONED = re.compile(r"-v(\d+)-\d{4}\.\d{2}$")


class NeedsMigration(EngineError):
    """The alias still holds indices of an older mapping version."""


@dataclass
class MigrationReport:
    indices: dict[str, str]  # old -> new
    documents: int


class EngineStore:
    """Monthly indices `{prefix}-articles-v{mapping}-{YYYY.MM}` behind the alias `{prefix}-articles`.

    New indices join the alias when this store creates them; `migrate` builds indices
    for a new mapping version beside the old ones and swaps them into the alias in one
    atomic step, so readers never see a gap or a duplicate.
    """

    backend = "engine"

    def __init__(self, settings: Settings, mapping_version: int = MAPPING_VERSION) -> None:
        assert settings.search_url, "EngineStore needs DULUAN_SEARCH_URL"
        self.client = EngineClient(settings.search_url, settings.search_user,
                                   settings.search_password, settings.search_verify_certs)
        self.backend = self.client.distribution
        self.prefix = settings.index_prefix
        self.alias = f"{self.prefix}-articles"
        self.version = mapping_version
        self.spool_dir: Path = settings.spool_dir
        self.bulk_requests = settings.search_bulk_requests
        self._created: set[str] = set()
        self._alias_seen = False
        self.ensure_template()

    # -- setup ---------------------------------------------------------------------------

    def ensure_template(self) -> None:
        self.client.request("PUT", f"/_index_template/{self.alias}-v{self.version}", body={
            "index_patterns": [f"{self.alias}-v{self.version}-*"],
            "priority": 100 + self.version,
            "version": self.version,
            "template": {"settings": index_settings(), "mappings": mappings(self.version)},
        })

    def indices(self) -> dict[str, int]:
        """Index name -> mapping version, for every index behind the alias."""
        try:  # one request, not HEAD then GET: every upsert asks
            names = self.client.request("GET", f"/_alias/{self.alias}")
        except EngineError as exc:
            if exc.status == 404:  # no alias yet
                return {}
            raise
        return {n: int(m.group(1)) if (m := _VERSIONED.search(n)) else 0 for n in names}

    def index_for(self, article: Article) -> str:
        when = article.published_at or article.fetched_at
        return f"{self.alias}-v{self.version}-{when:%Y.%m}"

    def _ensure_indices(self, names: set[str]) -> None:
        for name in sorted(names - self._created):
            if not self.client.exists(f"/{name}"):
                try:
                    self.client.request("PUT", f"/{name}", body={"aliases": {self.alias: {}}})
                except EngineError as exc:  # created meanwhile by another writer
                    if "resource_already_exists" not in str(exc):
                        raise
            self._created.add(name)

    def migrate(self) -> MigrationReport:
        """Reindex every older-version index into this version and swap the alias atomically."""
        old = {n: v for n, v in self.indices().items() if v < self.version}
        plan = {n: f"{self.alias}-v{self.version}-{n[-7:]}" for n in old}
        copied = 0
        for source, target in plan.items():
            if not self.client.exists(f"/{target}"):
                self.client.request("PUT", f"/{target}", body={})  # mapping from the template
            result = self.client.request("POST", "/_reindex", params={"wait_for_completion": "true",
                                                                      "refresh": "true"},
                                         body={"source": {"index": source}, "dest": {"index": target}})
            copied += result.get("created", 0) + result.get("updated", 0)
        if plan:
            actions = [{"add": {"index": t, "alias": self.alias}} for t in plan.values()]
            actions += [{"remove": {"index": s, "alias": self.alias}} for s in plan]
            self.client.request("POST", "/_aliases", body={"actions": actions})
            # Catch up with anything written to the old indices during the copy.
            for source, target in plan.items():
                self.client.request("POST", "/_reindex", params={"wait_for_completion": "true",
                                                                 "refresh": "true"},
                                    body={"source": {"index": source}, "dest": {"index": target}})
                self.client.request("DELETE", f"/{source}")
        self._created.clear()
        return MigrationReport(plan, copied)

    def close(self) -> None:
        self.client.client.close()

    def refresh(self) -> None:
        if self.client.exists(f"/{self.alias}"):
            self._read("_refresh")

    def _read(self, endpoint: str, body: dict | None = None) -> Any:
        """A request over the alias that skips closed months (closing old months is how they are
        retired): without ignore_unavailable, one closed index fails every search."""
        return self.client.request("POST", f"/{self.alias}/{endpoint}", body=body,
                                   params={"ignore_unavailable": "true"})

    def _has_alias(self) -> bool:
        """Whether the alias exists yet; once it does, it stays, so reads skip asking again."""
        if not self._alias_seen:
            self._alias_seen = self.client.exists(f"/{self.alias}")
        return self._alias_seen

    def drop_all(self) -> None:
        """Delete every index behind the alias (tests and benchmarks)."""
        # Forget the indices created so far too: a bulk request to a deleted one would create it
        # again from the template, outside the alias, where no search finds its articles.
        self._alias_seen = False
        self._created.clear()
        if self.client.exists(f"/{self.alias}"):
            for name in self.client.request("GET", f"/_alias/{self.alias}"):
                self.client.request("DELETE", f"/{name}")

    # -- writing -------------------------------------------------------------------------

    def _doc(self, article: Article) -> _Doc:
        return _Doc(article.id, self.index_for(article), _ARTICLE_JSON.dump_json(article))

    def _bulk(self, ops: Sequence[tuple[dict, bytes]]) -> list[tuple[bool, dict]]:
        """One bulk request of (action, source line) pairs; whether each succeeded and what the
        node answered, in order. Actions the node is too busy for (429) are sent again after a
        growing pause; any other failure is the caller's to judge.

        The body is joined from bytes serialised once (`_Doc.source`). The clients' bulk helpers
        take text and encode each document twice more, on the cores the node indexes with."""
        if not ops:  # a bulk request must have a body
            return []
        results: list[tuple[bool, dict]] = [(False, {})] * len(ops)
        pending = list(range(len(ops)))
        for attempt in range(BULK_TRIES):
            if attempt:
                time.sleep(BULK_BACKOFF * 2 ** (attempt - 1))
            last = attempt == BULK_TRIES - 1
            body = b"".join(b"%s\n%s\n" % (json.dumps(ops[i][0]).encode(), ops[i][1]) for i in pending)
            try:
                items = self.client.bulk(body)
            except EngineError as exc:
                if exc.status == 429 and not last:  # the whole request: try all of it again
                    continue
                raise
            busy = []
            for i, item in zip(pending, items, strict=True):
                status = next(iter(item.values())).get("status", 0)
                if status == 429 and not last:
                    busy.append(i)
                else:
                    results[i] = (200 <= status < 300, item)
            if not busy:
                break
            pending = busy
        return results

    def _write(self, docs: list[_Doc]) -> tuple[int, list[_Doc], list[_Doc], list[str]]:
        """(written, failed and worth retrying, refused as they stand, errors)."""
        confirmed: set[str] = set()
        refused: set[str] = set()
        errors: list[str] = []

        def send(part: list[_Doc]) -> list[tuple[bool, dict]]:
            return self._bulk([({"index": {"_index": d.index, "_id": d.id}}, d.source) for d in part])

        parts = bulk_parts(docs, self.bulk_requests, lambda d: len(d.source))
        # A node indexes one request's documents for one index on one write thread, so a batch
        # for the current month alone keeps one core busy unless several requests are in flight.
        pool = ThreadPoolExecutor(min(self.bulk_requests, len(parts))) if len(parts) > 1 else None
        try:
            self._ensure_indices({d.index for d in docs})
            for part, results in zip(parts, pool.map(send, parts) if pool else map(send, parts), strict=True):
                for (ok, info), doc in zip(results, part, strict=False):
                    if ok:
                        confirmed.add(doc.id)
                        continue
                    if _refusal(info):
                        refused.add(doc.id)
                    if len(errors) < 20:
                        errors.append(json.dumps(info, ensure_ascii=False, default=str)[:300])
        except (EngineError, *self.client.connection_errors) as exc:
            errors.append(f"engine unreachable: {exc}")
        finally:
            if pool:
                pool.shutdown(cancel_futures=True)
        # Whatever the engine did not confirm goes to the spool, or aside: nothing is lost.
        failed = [d for d in docs if d.id not in confirmed and d.id not in refused]
        return len(confirmed), failed, [d for d in docs if d.id in refused], errors

    def _spool(self, docs: list[_Doc], folder: str = "") -> None:
        """One article per line, as JSON; its index is worked out again on replay. `folder`
        (REFUSED) keeps articles aside from the spool that every write replays first."""
        target = self.spool_dir / folder
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{time.time_ns()}.jsonl"
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            for doc in docs:
                fh.write(doc.source + b"\n")
        tmp.replace(path)

    def _unspool(self, line: bytes) -> _Doc:
        data = json.loads(line)
        data.pop("_index", None)  # spool files written before the index was left out
        return self._doc(Article.from_stored(data))

    def spool_files(self, refused: bool = False) -> list[Path]:
        """Spool files waiting for replay, oldest first; with `refused`, those of articles the
        engine refused as they stood instead."""
        folder = self.spool_dir / REFUSED if refused else self.spool_dir
        return sorted(folder.glob("*.jsonl")) if folder.exists() else []

    def replay_spool(self, refused: bool = False) -> WriteReport:
        """Write what the spool holds, oldest first; with `refused`, then the articles set aside
        as refused too (after the cause, such as a closed index, has been dealt with)."""
        report = WriteReport()
        for path in self.spool_files() + (self.spool_files(refused=True) if refused else []):
            set_aside = path.parent.name == REFUSED
            try:
                # Lines end at "\n" alone: JSON leaves U+2028 or U+0085 in text unescaped, and
                # str.splitlines would break an article there.
                docs = [self._unspool(line) for line in path.read_bytes().split(b"\n") if line]
            except ValueError as exc:  # not JSON, or no longer a valid article (pydantic's error)
                # Kept aside, not deleted, and reported; it must not block every later write.
                aside = self.spool_dir / UNREADABLE / path.name
                aside.parent.mkdir(exist_ok=True)
                path.replace(aside)
                report.errors.append(f"spool file {path.name} cannot be replayed, moved to {aside}: "
                                     f"{str(exc)[:200]}")
                continue
            stale: set[str] = set()
            if set_aside:
                try:
                    stale = self._superseded(docs)
                except (EngineError, *self.client.connection_errors) as exc:
                    report.errors.append(f"engine unreachable: {exc}")
                    report.spooled += len(docs)
                    break
                if stale:
                    docs = [d for d in docs if d.id not in stale]
                    report.errors.append(f"{len(stale)} refused article(s) left out: the index holds a "
                                         f"later fetch of them ({', '.join(sorted(stale)[:5])})")
            written, failed, refused_docs, errors = self._write(docs)
            report.replayed += written
            report.errors += errors
            if refused_docs:
                self._spool(refused_docs, REFUSED)
                report.refused += len(refused_docs)
            if failed:
                if len(failed) != len(docs) or stale:  # some written, set aside or left out
                    self._spool(failed, REFUSED if set_aside else "")
                    path.unlink()
                report.spooled += len(failed)
                break  # the engine is still refusing: keep the rest for later
            path.unlink()
        return report

    def _superseded(self, docs: list[_Doc]) -> set[str]:
        """Ids among `docs` of which the index holds a later fetch. Refused articles are replayed
        out of order, after what was written since: they must not overwrite a newer version."""
        fetched = {d.id: datetime.fromisoformat(json.loads(d.source)["fetched_at"]) for d in docs}
        # A multi-get, not a search: it sees what was written a moment ago, before any refresh.
        found = self.client.request("POST", "/_mget", body={"docs": [
            {"_index": d.index, "_id": d.id, "_source": ["fetched_at"]} for d in docs]})["docs"]
        return {h["_id"] for h in found if h.get("found")
                and datetime.fromisoformat(h["_source"]["fetched_at"]) > fetched[h["_id"]]}

    def upsert(self, articles: Sequence[Article]) -> WriteReport:
        docs = [self._doc(a) for a in articles]
        try:
            behind = self.indices()
        except (EngineError, *self.client.connection_errors) as exc:
            if docs:
                self._spool(docs)
            return WriteReport(spooled=len(docs), errors=[f"engine unreachable: {exc}"])
        stale = sorted(n for n, v in behind.items() if v < self.version)
        # An index deleted since this store created it (an old month removed for retention, say)
        # must be created again behind the alias, not by the bulk request outside it.
        self._created &= behind.keys()
        if stale:
            raise NeedsMigration(None, f"the index holds mapping version(s) older than {self.version} "
                                 f"({', '.join(stale)}); run `duluan index migrate` first")
        report = self.replay_spool()
        if not docs:
            return report
        if report.spooled:  # engine still down: do not even try, keep order
            self._spool(docs)
            report.spooled += len(docs)
            return report
        written, failed, refused, errors = self._write(docs)
        if failed:
            self._spool(failed)
        if refused:
            self._spool(refused, REFUSED)
        return report + WriteReport(written=written, spooled=len(failed), errors=errors,
                                    refused=len(refused))

    def update_fields(self, updates: dict[str, dict[str, Any]]) -> int:
        if not updates or not self._has_alias():
            return 0
        self.refresh()  # the articles may have been written a moment ago
        found = self._read("_search", {
            "query": {"ids": {"values": list(updates)}}, "size": len(updates), "_source": False,
        })["hits"]["hits"]
        ops = [({"update": {"_index": hit["_index"], "_id": hit["_id"]}},
                json.dumps({"doc": validate_fields(updates[hit["_id"]])}, ensure_ascii=False).encode())
               for hit in found]
        changed = sum(ok for ok, _ in self._bulk(ops))
        self.refresh()
        return changed

    # -- reading -------------------------------------------------------------------------

    def get(self, article_id: str) -> Article | None:
        result = self._read("_search", {
            "query": {"ids": {"values": [article_id]}}, "size": 1,
        }) if self._has_alias() else {"hits": {"hits": []}}
        hits = result["hits"]["hits"]
        return Article.from_stored(hits[0]["_source"]) if hits else None

    @staticmethod
    def _term_clause(term: Term) -> dict:
        phrase = {"multi_match": {"query": term.match_text, "type": "phrase", "fields": term.fields()}}
        if not (term.word and not term.folded and term.field is None):
            return phrase
        # The syllables side by side decide the match; the segmented word, where the article's
        # segmentation found the same word, ranks it higher than a chance neighbourhood.
        return {"bool": {"should": [phrase, {"match": {"text_segmented": term.segmented}}]}}

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
                                  ("review_state", query.review_states), ("id", query.ids),
                                  ("cluster_id", query.cluster_ids), ("flag", query.flags)):
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
        if not self._has_alias():
            return 0
        body = {"query": self.query_body(query or Query())}
        return int(self._read("_count", body)["count"])

    def search(self, query: Query) -> SearchResult:
        if not self._has_alias():
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
        aggs: dict[str, Any] = {
            f"facet_{f}": {"terms": {"field": _agg_field(f), "size": query.facet_size}}
            for f in query.facets
        }
        if query.histogram:
            aggs["histogram"] = {
                "date_histogram": {"field": "published_at", "calendar_interval": query.histogram,
                                   "time_zone": "+07:00", "format": "yyyy-MM-dd", "min_doc_count": 1},
            }
            if query.histogram_by:
                aggs["histogram"]["aggs"] = {
                    "by": {"terms": {"field": _agg_field(query.histogram_by), "size": query.facet_size}}
                }
        if aggs:
            body["aggs"] = aggs
        result = self._read("_search", body)
        aggregations = result.get("aggregations", {})
        raw_hits = result["hits"]["hits"]
        hits = [
            Hit(
                article=Article.from_stored(h["_source"]),  # hidden fields keep defaults
                score=h.get("_score"),
            )
            for h in raw_hits
        ]
        if query.highlight and not query.parsed.empty:
            add_highlights(hits, query.parsed)
        next_after = raw_hits[-1]["sort"] if raw_hits and len(raw_hits) == query.size else None
        histogram = [
            Bucket(b["key_as_string"], b["doc_count"],
                   {x["key"]: x["doc_count"] for x in b.get("by", {}).get("buckets", [])})
            for b in aggregations.get("histogram", {}).get("buckets", [])
        ]
        return SearchResult(
            total=result["hits"]["total"]["value"],
            hits=hits,
            next_after=next_after,
            facets={
                f: [(b["key"], b["doc_count"]) for b in aggregations[f"facet_{f}"]["buckets"]]
                for f in query.facets
            },
            histogram=histogram,
            significant=self._significant(query) if query.significant else [],
        )

    def _keyword_counts(self, query: Query, include: list[str] | None = None) -> tuple[int, dict[str, int]]:
        terms: dict[str, Any] = {"field": "keywords", "size": len(include) if include else 2000}
        if include is not None:
            terms["include"] = include
        else:  # significant_terms() ignores keywords of fewer than 3 articles
            terms["min_doc_count"] = 3
        result = self._read("_search", {
            "query": self.query_body(query), "size": 0, "track_total_hits": True,
            "aggs": {"k": {"terms": terms}},
        })
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
