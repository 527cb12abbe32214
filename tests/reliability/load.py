"""A team of reviewers and the pipeline at once, over real HTTP on loopback: the load both the
reliability test (short) and benchmarks/reliability_load.py (long) run."""

from __future__ import annotations

import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from duluan.core.settings import Settings
from duluan.index.sqlite_store import EmbeddedStore
from duluan.review.accounts import Accounts
from tests.articles import newsroom

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


REPO = Path(__file__).resolve().parents[2]
WRITER = """
import sys, time
from pathlib import Path
from duluan.index.sqlite_store import EmbeddedStore
from tests.articles import make_article
store, stop, n = EmbeddedStore(Path(sys.argv[1])), Path(sys.argv[2]), 1000
while not stop.exists():  # 100 articles a second: above what `duluan process` can produce
    store.upsert([make_article(n + i, f"Tin mới số {n + i} về giá vàng", "Giá vàng hôm nay tăng mạnh.",
                               hours=-(n + i) / 60) for i in range(100)])
    n += 100
    time.sleep(1.0)
print(n - 1000)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`duluan serve` in a process of its own, as deployed, on a free loopback port."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir, self.port = data_dir, _free_port()

    def __enter__(self) -> str:
        self.proc = subprocess.Popen([sys.executable, "-m", "duluan.cli", "--data-dir", str(self.data_dir),
                                      "serve", "--port", str(self.port)], cwd=REPO,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base, deadline = f"http://127.0.0.1:{self.port}", time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    return base
            except httpx.HTTPError:
                time.sleep(0.2)
        self.proc.kill()
        raise RuntimeError("the app did not start")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


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


def sign_in(client: httpx.Client, username: str) -> str:
    """Sign in through the login form as a browser does; the session's CSRF token."""
    form = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": username, "password": PASSWORD, "next": "/", "csrf": form})
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)


def _reviewer(base: str, name: str, ids: list[str], count: int, report: LoadReport,
              lock: threading.Lock) -> None:
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
        token = sign_in(client, name)
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


def run_load(data_dir: Path, reviewers: int = 20, requests: int = 2000) -> LoadReport:
    """Reviewers as threads of this process (they only wait on sockets); the app and the
    pipeline's writer each in a process of their own, as deployed."""
    settings, ids = seed(data_dir, reviewers)
    report, lock = LoadReport(), threading.Lock()
    stop = data_dir / "stop-writer"
    with Server(data_dir) as base:
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(settings.store_db), str(stop)], cwd=REPO,
                                  stdout=subprocess.PIPE, text=True)
        workers = [threading.Thread(target=_reviewer, args=(base, f"ctv{n}", ids, requests // reviewers,
                                                            report, lock)) for n in range(reviewers)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        stop.touch()
        report.written = int(writer.communicate(timeout=60)[0].strip() or 0)
    return report
