"""Bulk indexing through the engine store with one or two bulk requests in flight, for a year
of articles (twelve monthly indices) and for one month's (one index, as a day's crawl writes).

    python benchmarks/bulk_requests.py [--docs 30000] [--runs 3]

A node indexes one request's documents for one index on one write thread. With a year of
articles a request touches twelve indices and keeps both cores busy by itself; with one month's
it does not. The four variants take turns, round by round (each round in the opposite order
to the one before), on a node warmed up on 5,000 other documents; each is reported as the
median of its runs and as a ratio to one request in flight for a year of articles.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from engine_bulk_cost import print_medians
from index_bench import corpus, search_engine, timed_upsert

from duluan.core.record import VN_TZ, Article
from duluan.core.settings import Settings, get_settings
from duluan.index.engine_store import EngineStore


def one_month(docs: list[Article]) -> list[Article]:
    """The same articles, published over October 2026."""
    rng = random.Random(3)
    start = datetime(2026, 10, 1, tzinfo=VN_TZ)
    out = []
    for a in docs:
        when = start + timedelta(minutes=rng.randrange(31 * 24 * 60))
        out.append(a.model_copy(update={"published_at": when, "fetched_at": when + timedelta(minutes=5)}))
    return out


def load(settings: Settings, docs: list[Article]) -> float:
    store = EngineStore(settings)
    store.drop_all()
    rate = timed_upsert(store, docs)
    store.drop_all()
    store.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = get_settings()
    with search_engine() as url:
        docs = corpus(args.docs + 5000, settings.shared_data, settings.data_dir)
        warm, docs = docs[args.docs:], docs[:args.docs]
        month = one_month(docs)
        tmp = Path(tempfile.mkdtemp())

        def store_settings(requests: int) -> Settings:
            return Settings(data_dir=tmp, search_url=url, index_prefix="bulkreq",
                            search_bulk_requests=requests)

        print(f"warm-up: {load(store_settings(2), warm):.0f} docs/s")
        variants = {"a year, 1 in flight": (docs, 1), "a year, 2 in flight": (docs, 2),
                    "a month, 1 in flight": (month, 1), "a month, 2 in flight": (month, 2)}
        rates: dict[str, list[float]] = {name: [] for name in variants}
        for run in range(args.runs):
            names = list(variants) if run % 2 == 0 else list(reversed(variants))
            for name in names:
                articles, requests = variants[name]
                rates[name].append(load(store_settings(requests), articles))
                print(f"  run {run + 1}, {name}: {rates[name][-1]:.0f} docs/s", flush=True)
        print_medians(f"through the engine store, {len(docs)} docs, median of {args.runs} runs:", rates,
                      "a year, 1 in flight")


if __name__ == "__main__":
    main()
