"""Index benchmark: 100,000 realistic documents into the engine and the embedded store,
then search latency for five query shapes.

    python benchmarks/index_bench.py [--docs 100000] [--runs 3] [--queries 40]

Documents are real Vietnamese news text (VNTC articles, then Báo Mới snippets) with the
fields the pipeline fills: folded text, keywords, gazetteer entities, topic from the
corpus label, and synthetic outlet, tone and date over twelve months. Segmented text
comes from the segmentation cache that `duluan train topic` leaves in the data
directory, when present; otherwise the syllables stand in for words (same index cost).

The engine is $DULUAN_SEARCH_URL, or a local node started with scripts/opensearch.sh.
Each store first takes 5,000 of the documents untimed (a fresh node's JVM warms up).
Prints indexing docs/s (median of the runs) and p50/p95 latency per query shape.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from duluan.classifiers.taxonomy import VNTC_TO_TOPIC
from duluan.core.normalize import fold, normalize_text
from duluan.core.record import Article, Entity, article_id
from duluan.core.settings import REPO_ROOT, Settings, get_settings
from duluan.index.engine_store import EngineStore
from duluan.index.query import Query
from duluan.index.sqlite_store import EmbeddedStore
from duluan.nlp.analyze import keywords
from duluan.nlp.corpus import read_jsonl
from duluan.nlp.gazetteer import gazetteer

SOURCES = ["vnexpress", "dantri", "tuoitre", "thanhnien", "vietnamnet", "nhandan", "vov", "laodong",
           "baothainguyen", "tuyengiaothainguyen", "baobacninh", "baoquangninh"]
TONES = ["negative"] * 3 + ["neutral"] * 5 + ["positive"] * 2
START = datetime(2026, 1, 1, tzinfo=UTC)


def _segmented_cache(data_dir: Path) -> dict[str, list[str]]:
    out = {}
    for split in ("train", "test"):
        files = sorted((data_dir / "cache").glob(f"vntc10-{split}.*.segmented.jsonl.gz"))
        if files:
            with gzip.open(files[-1], "rt", encoding="utf-8") as fh:
                out[split] = [json.loads(line) for line in fh]
    return out


def corpus(n: int, shared: Path, data_dir: Path) -> list[Article]:
    rng = random.Random(5)
    cached = _segmented_cache(data_dir)
    print("segmented text:", "from the cache" if cached else "syllables (no cache in the data dir)")
    gaz = gazetteer()
    docs: list[Article] = []

    def add(raw: str, segmented: str | None, topic: str | None) -> None:
        i = len(docs)
        paras = [normalize_text(p) for p in raw.split("\n") if p.strip()]
        text = "\n\n".join(paras)
        title = paras[0][:200]
        seg = segmented or text.lower()
        published = START + timedelta(minutes=rng.randrange(365 * 24 * 60))
        # model_construct: the texts are normalised above; validating 100,000 records again
        # would only slow the set-up, not the stores.
        docs.append(Article.model_construct(
            id=article_id(f"bench://{i}"), url=f"https://bench.invalid/{i}.html",
            canonical_url=f"https://bench.invalid/{i}.html", source=SOURCES[i % len(SOURCES)],
            tier="provincial" if i % len(SOURCES) >= 8 else "central", title=title,
            sapo=paras[1] if len(paras) > 1 else "", body="\n\n".join(paras[2:]),
            published_at=published, fetched_at=published + timedelta(minutes=5),
            text_segmented=seg, title_folded=fold(title), text_folded=fold(text),
            keywords=keywords(seg, 8) if segmented else [],
            entities=[Entity(name=p.name, type=p.type) for p in gaz.find(text)][:15],
            topic=topic, topic_score=0.9, tone=rng.choice(TONES), tone_score=0.8,
            cluster_id=f"s{rng.randrange(n // 4)}",
        ))

    for split in ("train", "test"):
        rows = read_jsonl(shared / f"topic/vntc10/{split}.jsonl.gz")
        segs = cached.get(split)
        kept = 0
        for row in rows:
            if split == "test" and (row["dup_in_other_split"] or row["dup_label_conflict"]):
                continue
            segmented = segs[kept] if segs else None
            kept += 1
            add(row["text"], segmented, VNTC_TO_TOPIC[row["label"]])
            if len(docs) == n:
                return docs
    for row in read_jsonl(shared / "topic/baomoi-2018/snippets.jsonl.gz"):
        add(row["text"], None, None)
        if len(docs) == n:
            break
    return docs


@contextmanager
def search_engine() -> Iterator[str]:
    """$DULUAN_SEARCH_URL, or a local node started for the run and stopped after it."""
    url = os.environ.get("DULUAN_SEARCH_URL")
    if url:
        yield url
        return
    script = str(REPO_ROOT / "scripts/opensearch.sh")
    url = subprocess.run([script, "start"], check=True, capture_output=True, text=True).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run([script, "stop"], check=False)


def p50_p95(times_ms: list[float]) -> tuple[float, float]:
    times = sorted(times_ms)
    return round(statistics.median(times), 1), round(times[int(0.95 * (len(times) - 1))], 1)


def timed_upsert(store, docs: list[Article]) -> float:  # noqa: ANN001 - either store
    """Docs/s for writing `docs` in batches of 1,000, as the pipeline hands them over, up to
    the refresh that makes them visible; every one must be written, none spooled."""
    start = time.perf_counter()
    for i in range(0, len(docs), 1000):
        report = store.upsert(docs[i:i + 1000])
        assert report.spooled == 0, report.errors[:3]
    store.refresh()
    rate = len(docs) / (time.perf_counter() - start)
    assert store.count() == len(docs)
    return rate


def index_rate(make_store, docs: list[Article], runs: int, warm_up: int = 5000):  # noqa: ANN001, ANN201
    """Median docs/s over fresh stores, and the last store, still open, for the searches.
    `warm_up` documents go into a fresh store first, untimed: a node that has just started
    indexes at half speed until the JVM has compiled its hot code."""
    warm = make_store()
    warm.upsert(docs[:warm_up])
    warm.close()
    rates, store = [], None
    for _ in range(runs):
        if store is not None:
            store.close()
        store = make_store()
        rates.append(timed_upsert(store, docs))
        print(f"  {store.backend} run {len(rates)}: {rates[-1]:.0f} docs/s", flush=True)
    return statistics.median(rates), store


def query_shapes(k: int) -> dict[str, list[Query]]:
    rng = random.Random(9)
    phrases = ['"giá vàng"', '"tai nạn giao thông"', '"thị trường chứng khoán"', '"bóng đá"',
               '"bệnh viện"', '"học sinh"', '"xuất khẩu"', '"công an"']
    folded = ["thanh pho ho chi minh", "ha noi", "gia xang", "doi tuyen viet nam", "ngan hang",
              "benh nhan", "hoc sinh", "tham nhung"]
    months = [date(2026, m, 1) for m in range(1, 13)]
    shapes: dict[str, list[Query]] = {k_: [] for k_ in
                                      ("phrase", "folded words", "filters + facets", "date histogram",
                                       "significant terms")}
    for i in range(k):
        month = months[i % 12]
        end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        shapes["phrase"].append(Query(text=phrases[i % len(phrases)], sort="relevance", size=20))
        shapes["folded words"].append(Query(text=folded[i % len(folded)], size=20))
        shapes["filters + facets"].append(Query(
            tones=["negative"], topics=[rng.choice(list(VNTC_TO_TOPIC.values()))], date_from=month,
            date_to=end, facets=["source", "topic", "entities"], size=20))
        shapes["date histogram"].append(Query(date_from=month, date_to=month + timedelta(days=180),
                                              size=0, histogram="week", histogram_by="tone"))
        week = month + timedelta(days=7 * (i % 4))
        shapes["significant terms"].append(Query(date_from=week, date_to=week + timedelta(days=6),
                                                 size=0, significant=True))
    return shapes


def latencies(store, shapes: dict[str, list[Query]]) -> dict[str, tuple[float, float]]:  # noqa: ANN001
    # The benchmark itself holds the 100,000-document corpus: a full garbage collection walks it
    # all (about a second) and used to land inside some query's time. A server holds no such heap.
    gc.collect()
    gc.freeze()
    out = {}
    for name, queries in shapes.items():
        store.search(queries[0])  # warm up
        times = []
        for q in queries:
            start = time.perf_counter()
            store.search(q)
            times.append(1000 * (time.perf_counter() - start))
        out[name] = p50_p95(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--only", choices=["engine", "embedded"], help="measure one backend")
    args = parser.parse_args()
    settings = get_settings()
    with search_engine() as url:
        docs = corpus(args.docs, settings.shared_data, settings.data_dir)
        average = sum(len(d.body) for d in docs) / len(docs)
        print(f"{len(docs)} documents, {average:.0f} body characters on average")
        tmp = Path(tempfile.mkdtemp())
        engine_settings = Settings(data_dir=tmp, search_url=url, index_prefix="bench")

        def engine() -> EngineStore:
            store = EngineStore(engine_settings)
            store.drop_all()
            return store

        counter = iter(range(1000))

        def embedded() -> EmbeddedStore:
            return EmbeddedStore(tmp / f"bench-{next(counter)}.sqlite")

        results = {}
        for name, make in (("engine", engine), ("embedded", embedded)):
            if args.only and name != args.only:
                continue
            rate, store = index_rate(make, docs, args.runs)
            results[name] = (rate, latencies(store, query_shapes(args.queries)))
            if name == "engine":
                store.drop_all()
            store.close()
        print(f"\nindexing {len(docs)} docs, median of {args.runs} runs:")
        for name, (rate, _) in results.items():
            print(f"  {name:9} {rate:8.0f} docs/s")
        print(f"\nsearch latency over {args.queries} queries per shape (ms, p50 / p95):")
        print(f"  {'shape':20}" + "".join(f"{name:>17}" for name in results))
        for shape in next(iter(results.values()))[1]:
            cells = (f"{lat[shape][0]:8} / {lat[shape][1]:6}" for _, lat in results.values())
            print(f"  {shape:20}" + "".join(cells))


if __name__ == "__main__":
    main()
