"""Briefing benchmark: a month with 50,000 articles, written as DOCX, PDF and HTML, on both stores.

    python benchmarks/briefing_bench.py [--docs 50000] [--runs 3]

The articles are index_bench.py's (real Vietnamese news text with entities, topics, tones and
story clusters), all dated within October 2026, plus a previous month of 5,000 for the
comparison. Prints the median seconds per stage (figures, then the three files) over the runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from index_bench import corpus, search_engine  # noqa: E402

from duluan.annotations import AnnotationStore, WatchRule  # noqa: E402
from duluan.briefing.figures import compute  # noqa: E402
from duluan.briefing.report import write  # noqa: E402
from duluan.core.settings import Settings, get_settings  # noqa: E402
from duluan.index.engine_store import EngineStore  # noqa: E402
from duluan.index.sqlite_store import EmbeddedStore  # noqa: E402

OCTOBER = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)  # 00:00 on 1 October, Vietnam time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = get_settings()
    with search_engine() as url:
        raw = corpus(args.docs + 5000, settings.shared_data, settings.data_dir)
        span = 31 * 24 * 3600
        docs = []
        for i, a in enumerate(raw):
            # Spread over October, then the last 5,000 over September.
            offset = timedelta(seconds=(i * 7919) % span)
            when = OCTOBER + offset if i < args.docs else OCTOBER - timedelta(days=30) + offset * 30 / 31
            docs.append(a.model_copy(update={"published_at": when, "fetched_at": when}))
        tmp = Path(tempfile.mkdtemp())
        results: dict[str, dict[str, float]] = {}
        for name in ("engine", "embedded"):
            s = Settings(data_dir=tmp / name, search_url=url if name == "engine" else None,
                         index_prefix="briefbench")
            if name == "engine":
                EngineStore(s).drop_all()
            store = EngineStore(s) if name == "engine" else EmbeddedStore(s.store_db)
            for i in range(0, len(docs), 2000):
                store.upsert(docs[i:i + 2000])
            store.refresh()
            db = AnnotationStore(s.review_db)
            db.add_watchlist("Hà Nội", WatchRule(keywords=["Hà Nội"]), "bench")
            times: dict[str, list[float]] = {"figures": [], "html": [], "docx": [], "pdf": [], "total": []}
            for run in range(args.runs):
                t0 = time.perf_counter()
                b = compute(store, "2026-10", None, db)
                t1 = time.perf_counter()
                times["figures"].append(t1 - t0)
                assert b.current.total == args.docs, b.current.total
                for fmt in ("html", "docx", "pdf"):
                    start = time.perf_counter()
                    write(b, s, [fmt], tmp / f"{name}-{run}")
                    times[fmt].append(time.perf_counter() - start)
                times["total"].append(time.perf_counter() - t0)
            results[name] = {k: statistics.median(v) for k, v in times.items()}
            db.close()
            if name == "engine":
                store.drop_all()
            store.close()
        print(f"\nbriefing for a month of {args.docs} articles, median of {args.runs} runs (seconds):")
        print(f"  {'stage':10} {'engine':>8} {'embedded':>9}")
        for stage in ("figures", "html", "docx", "pdf", "total"):
            print(f"  {stage:10} {results['engine'][stage]:8.1f} {results['embedded'][stage]:9.1f}")


if __name__ == "__main__":
    main()
