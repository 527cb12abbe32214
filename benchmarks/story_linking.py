"""Story linking: the cost of one article as stories accumulate, and what the inverted index
changes against scoring every story in the window.

    python benchmarks/story_linking.py [--articles 300] [--stories 0,10000,50000]

Articles are real (VNTC-mini, segmented; cached under data/cache) with their syndicated copies
(tests/dedup_pairs.py). For the cost, the window is first filled with N stories drawn from the
background vocabulary (so every posting list is as long as real ones), then the articles are
assigned one by one, each in its own transaction, as the pipeline does; prints the median and
p95 ms per article (the p95 includes reading the window's stories once), indexed and, where
it stays affordable, exhaustive. For the quality, the articles and copies are clustered both ways over a
week and the two partitions compared.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from duluan.core.settings import get_settings  # noqa: E402
from duluan.core.sqlite import utc_iso  # noqa: E402
from duluan.link.stories import StoryIndex  # noqa: E402
from duluan.nlp.background import background  # noqa: E402
from tests.dedup_pairs import pairs_from_vntc  # noqa: E402

DAY = datetime(2026, 11, 2, 6, tzinfo=UTC)


def fill(index: StoryIndex, n: int, seed: int = 3) -> None:
    """n stories of 200 terms each, Zipf-weighted, from the background vocabulary; the index
    reads them when the first article is assigned, as it reads the story table of a new run."""
    rng = random.Random(seed)
    vocabulary = [w for w, df in background().df.items() if df >= 3 and len(w) > 2]
    rows = []
    for k in range(n):
        terms = rng.sample(vocabulary, 200)
        weights = {w: 1 / (r + 1) for r, w in enumerate(terms)}
        norm = math.sqrt(sum(v * v for v in weights.values()))
        centroid = {w: v / norm for w, v in weights.items()}
        when = utc_iso(DAY - timedelta(minutes=rng.randrange(3 * 24 * 60)))
        rows.append((f"f{k}", when, when, 1, f"tin {k}", 1.0, json.dumps(centroid), "[]"))

    with index.db:
        index.db.execute("BEGIN IMMEDIATE")
        index.db.executemany("INSERT INTO story VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def cost(segmented: list[str], stories: int, articles: int, exhaustive: bool, tmp: Path) -> list[float]:
    index = StoryIndex(tmp / f"cost-{stories}-{exhaustive}.sqlite", exhaustive=exhaustive)
    fill(index, stories)
    times = []
    for k, text in enumerate(segmented[:articles]):
        started = time.perf_counter()
        index.assign(f"a{k}", DAY + timedelta(minutes=k), text.split("\n")[0][:80], text, [])
        times.append(1000 * (time.perf_counter() - started))
    index.close()
    return times


def partitions(segmented: list[str], pairs: list[tuple[int, int, bool]],
               tmp: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Both ways, over a week: each pair's two articles an hour apart, as syndication comes."""
    order = list(dict.fromkeys(k for i, j, _ in pairs for k in (i, j)))
    out = []
    for exhaustive in (True, False):
        index = StoryIndex(tmp / f"quality-{exhaustive}.sqlite", exhaustive=exhaustive)
        assigned = {}
        for n, k in enumerate(order):
            when = DAY + timedelta(minutes=12 * n)
            assigned[f"a{k}"] = index.assign(f"a{k}", when, "", segmented[k], []).id
        out.append(assigned)
        index.close()
    return out[0], out[1]


def pair_agreement(a: dict[str, str], b: dict[str, str]) -> tuple[float, float]:
    """Of the article pairs one partition puts together, the share the other does too (both ways)."""
    def together(p: dict[str, str]) -> set[tuple[str, str]]:
        groups: dict[str, list[str]] = {}
        for article, story in p.items():
            groups.setdefault(story, []).append(article)
        return {(x, y) for g in groups.values() for i, x in enumerate(g) for y in g[i + 1:]}
    ta, tb = together(a), together(b)
    return len(ta & tb) / max(1, len(tb)), len(ta & tb) / max(1, len(ta))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--stories", default="0,10000,50000")
    args = parser.parse_args()
    cache = get_settings().data_dir / "cache"
    segmented, pairs = pairs_from_vntc(get_settings().shared_data, "train", 300, 11, cache)
    with tempfile.TemporaryDirectory() as tmp:
        for n in (map(int, args.stories.split(",")) if args.stories else ()):
            for exhaustive in (False, True):
                count = args.articles if not exhaustive or n == 0 else 20 if n <= 10_000 else 5  # scans grow
                times = cost(segmented, n, count, exhaustive, Path(tmp))
                p95 = statistics.quantiles(times, n=20)[18]
                print(f"{n:>6} stories, {'exhaustive' if exhaustive else 'indexed':>10}: median "
                      f"{statistics.median(times):.1f} ms, p95 {p95:.1f} ms per article ({count} articles)",
                      flush=True)
        full, indexed = partitions(segmented, pairs, Path(tmp))
    precision, recall = pair_agreement(full, indexed)
    copies = [(i, j) for i, j, dup in pairs if dup]
    joined = sum(indexed[f"a{i}"] == indexed[f"a{j}"] for i, j in copies) / len(copies)
    apart = [(i, j) for i, j, dup in pairs if not dup]
    separate = sum(indexed[f"a{i}"] != indexed[f"a{j}"] for i, j in apart) / len(apart)
    print(f"indexed against exhaustive, {len(segmented)} articles: pairs together in both / in indexed "
          f"{precision:.3f}, / in exhaustive {recall:.3f}; copies joined {joined:.3f}, "
          f"different same-topic stories apart {separate:.3f}")


if __name__ == "__main__":
    main()
