"""The search engine's own client, behind one small interface: Elasticsearch 8/9 or OpenSearch
2/3, whichever answers `GET /`, and bulk requests that retry what the node is too busy for."""

from __future__ import annotations

import base64
import json
import ssl
import time
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any

BULK_CHUNK = 1000  # documents a bulk request carries at most
BULK_SMALLEST = 100  # no split below this: a request's fixed cost would outweigh the overlap
BULK_MAX_BYTES = 20 * 1024 * 1024  # well under the engines' 100 MB default request limit
BULK_TRIES = 4  # items the node is too busy for (429) are sent again up to three times,
BULK_BACKOFF = 1.0  # after 1, 2 and 4 seconds


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

    def send_bulk(self, ops: Sequence[tuple[dict, bytes]]) -> list[tuple[bool, dict]]:
        """One bulk request of (action, source line) pairs; whether each succeeded and what the
        node answered, in order. Actions the node is too busy for (429) are sent again after a
        growing pause; any other failure is the caller's to judge.

        The body is joined from bytes serialised once (an article's JSON). The clients' bulk helpers
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
                items = self.bulk(body)
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
