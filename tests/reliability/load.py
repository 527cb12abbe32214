"""A team of reviewers and the pipeline at once, over real HTTP on loopback: the load both the
reliability test (short) and benchmarks/reliability_load.py (long) run."""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn

from duluan.core.settings import Settings
from duluan.index.sqlite_store import EmbeddedStore
from duluan.review.accounts import Accounts
from duluan.review.app import create_app
from tests.articles import make_article, newsroom

PASSWORD = "mat-khau-du-dai"


@dataclass
class LoadReport:
    requests: int = 0
    errors: Counter = field(default_factory=Counter)  # "500 /alerts", "ConnectError /", …
    feed_ms: list[float] = field(default_factory=list)
    all_ms: list[float] = field(default_factory=list)
    written: int = 0  # articles the writer upserted meanwhile

    def line(self) -> str:
        p = lambda xs, q: statistics.quantiles(xs, n=100)[q - 1] if len(xs) > 1 else 0.0  # noqa: E731
        return (f"{self.requests} requests, {sum(self.errors.values())} errors {dict(self.errors)}; "
                f"all p50 {p(self.all_ms, 50):.0f} ms, p95 {p(self.all_ms, 95):.0f} ms; feed p50 "
                f"{p(self.feed_ms, 50):.0f} ms, p95 {p(self.feed_ms, 95):.0f} ms; {self.written} written")


class Server:
    """The review app under uvicorn in a thread, on a free loopback port."""

    def __init__(self, settings: Settings, store: EmbeddedStore) -> None:
        config = uvicorn.Config(create_app(settings, store=store), host="127.0.0.1", port=0,
                                log_level="error", limit_concurrency=200)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the app did not start")
            time.sleep(0.05)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def seed(data_dir: Path, reviewers: int) -> tuple[Settings, list[str]]:
    settings = Settings(data_dir=data_dir, alert_window_days=36500)
    store = EmbeddedStore(settings.store_db)
    articles = newsroom()
    store.upsert(articles)
    store.close()
    accounts = Accounts(settings.review_db)
    for n in range(reviewers):
        accounts.add_user(f"ctv{n}", PASSWORD, "editor" if n % 5 == 0 else "collaborator")
    accounts.close()
    return settings, [a.id for a in articles]


def _reviewer(base: str, name: str, ids: list[str], count: int, report: LoadReport,
              lock: threading.Lock) -> None:
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
        form = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"username": name, "password": PASSWORD, "next": "/", "csrf": form})
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)
        for i in range(count):
            target = ids[i % len(ids)]
            kind = i % 6
            path, data = [("/", None), (f"/article/{target}", None), ("/alerts", None),
                          (f"/article/{target}/flag", {"flag": "can-theo-doi"}),
                          ("/bulk", {"action": "reviewed", "ids": ids[:3]}),
                          (f"/article/{target}/note", {"text": f"ghi chú {name} {i}"})][kind]
            started = time.perf_counter()
            try:
                r = client.post(path, data={"csrf": token, **data}) if data else client.get(path)
                failed = f"{r.status_code} {path.split('/')[1] or '/'}" if r.status_code >= 500 or (
                    data and r.status_code != 303) else None
            except httpx.HTTPError as exc:
                failed = f"{type(exc).__name__} {path.split('/')[1] or '/'}"
            ms = 1000 * (time.perf_counter() - started)
            with lock:
                report.requests += 1
                report.all_ms.append(ms)
                if kind == 0:
                    report.feed_ms.append(ms)
                if failed:
                    report.errors[failed] += 1


def _writer(settings: Settings, stop: threading.Event, report: LoadReport) -> None:
    """The pipeline's share: batches of new articles into the same store while reviewers work."""
    store = EmbeddedStore(settings.store_db)
    n = 1000
    while not stop.is_set():
        batch = [make_article(n + i, f"Tin mới số {n + i} về giá vàng", "Giá vàng hôm nay tăng mạnh.",
                              hours=-(n + i) / 60) for i in range(20)]
        store.upsert(batch)
        report.written += len(batch)
        n += 20
        time.sleep(0.05)
    store.close()


def run_load(data_dir: Path, reviewers: int = 20, requests: int = 2000) -> LoadReport:
    settings, ids = seed(data_dir, reviewers)
    report, lock, stop = LoadReport(), threading.Lock(), threading.Event()
    store = EmbeddedStore(settings.store_db)
    with Server(settings, store) as base:
        writer = threading.Thread(target=_writer, args=(settings, stop, report))
        writer.start()
        workers = [threading.Thread(target=_reviewer, args=(base, f"ctv{n}", ids, requests // reviewers,
                                                            report, lock)) for n in range(reviewers)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        stop.set()
        writer.join()
    return report
