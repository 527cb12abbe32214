"""Review app benchmark: server time of the feed page with 100,000 articles, on both stores.

    python benchmarks/review_bench.py [--docs 100000] [--requests 40]

The articles are index_bench.py's (real Vietnamese news text, twelve months, story clusters);
two watchlists are defined, so every feed page also marks watchlist matches and folds stories.
Each request goes through the whole app in process (routing, session check, queries, template),
timed around the call; prints p50/p95 per feed variant and store.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent))
from index_bench import corpus, p50_p95, search_engine  # noqa: E402

from duluan.annotations import AnnotationStore, WatchRule  # noqa: E402
from duluan.core.settings import Settings, get_settings  # noqa: E402
from duluan.index.engine_store import EngineStore  # noqa: E402
from duluan.index.sqlite_store import EmbeddedStore  # noqa: E402
from duluan.review.accounts import Accounts  # noqa: E402
from duluan.review.app import create_app  # noqa: E402

PASSWORD = "benchmark-password"
VARIANTS = {
    "newest, not reviewed": {},
    "tone + topic": {"tone": "negative", "topic": "the-thao"},
    "folded keywords": {"q": "ha noi"},
    "watchlist": {"watchlist": "1"},
    "outlet + month": {"source": "dantri", "date_from": "2026-03-01", "date_to": "2026-03-31"},
}


def feed_times(client: TestClient, requests: int) -> dict[str, tuple[float, float]]:
    out = {}
    for name, params in VARIANTS.items():
        assert client.get("/", params=params).status_code == 200  # warm up
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            r = client.get("/", params=params)
            times.append(1000 * (time.perf_counter() - start))
            assert r.status_code == 200
        out[name] = p50_p95(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    settings = get_settings()
    with search_engine() as url:
        docs = corpus(args.docs, settings.shared_data, settings.data_dir)
        tmp = Path(tempfile.mkdtemp())
        results = {}
        for name in ("engine", "embedded"):
            app_settings = Settings(data_dir=tmp / name, search_url=url if name == "engine" else None,
                                    index_prefix="reviewbench")
            store = EngineStore(app_settings) if name == "engine" else EmbeddedStore(app_settings.store_db)
            if name == "engine":
                store.drop_all()
                store = EngineStore(app_settings)
            for i in range(0, len(docs), 2000):
                store.upsert(docs[i:i + 2000])
            store.refresh()
            Accounts(app_settings.review_db).add_user("bench", PASSWORD, "editor")
            db = AnnotationStore(app_settings.review_db)
            db.add_watchlist("Hà Nội tiêu cực", WatchRule(keywords=["Hà Nội"], tones=["negative"]), "bench")
            db.add_watchlist("Giá xăng", WatchRule(keywords=["giá xăng", "xang dau"]), "bench")
            db.close()
            client = TestClient(create_app(app_settings, store=store))
            form = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
            client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf": form})
            results[name] = feed_times(client, args.requests)
            if name == "engine":
                store.drop_all()
            store.close()
        print(f"\nfeed page server time, {len(docs)} articles, {args.requests} requests each "
              "(ms, p50 / p95):")
        print(f"  {'variant':22} {'engine':>16} {'embedded':>16}")
        for variant in VARIANTS:
            e, m = results["engine"][variant], results["embedded"][variant]
            print(f"  {variant:22} {e[0]:7} / {e[1]:6} {m[0]:7} / {m[1]:6}")


if __name__ == "__main__":
    main()
