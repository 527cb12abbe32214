"""NLP throughput: the full `nlp` step on 2,000 VNTC articles, with both cores.

    python benchmarks/nlp_throughput.py [--runs 3] [--articles 2000]

Prints articles per second (median of the runs) for the batch API across all cores,
and the share of time each step takes, measured in one process on a sample.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import defaultdict

from duluan.core.normalize import fold, normalize_text
from duluan.core.settings import get_settings
from duluan.nlp import analyze as A
from duluan.nlp.corpus import read_jsonl


def load(n: int) -> list[tuple[str, str]]:
    path = get_settings().shared_data / "topic/vntc10/test.jsonl.gz"
    out = []
    for row in read_jsonl(path):
        if row["dup_in_other_split"] or row["dup_label_conflict"]:
            continue
        text = row["text"]
        # VNTC's first line is the headline; a few articles have none, so cap it.
        out.append((text.split("\n", 1)[0][:150], text))
        if len(out) == n:
            break
    return out


def step_shares(pairs: list[tuple[str, str]]) -> dict[str, float]:
    spent: dict[str, float] = defaultdict(float)

    def timed(name, fn, *args):  # noqa: ANN001, ANN002, ANN202
        start = time.perf_counter()
        result = fn(*args)
        spent[name] += time.perf_counter() - start
        return result

    for title, raw in pairs:
        text = timed("normalise", normalize_text, raw)
        language = timed("language check", A.language_of, text)
        segmented = timed("word segmentation", A.segment, text)
        timed("folding", fold, text)
        title_words = len(timed("keywords", A.segment, title).split())
        timed("keywords", A.keywords, segmented, 10, title_words)
        if language == "vi":
            timed("entities (NER + names + gazetteer)", A.entities, title, text, segmented)
    total = sum(spent.values())
    return {k: round(100 * v / total, 1) for k, v in sorted(spent.items(), key=lambda kv: -kv[1])}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    pairs = load(args.articles)
    normalised = [(normalize_text(t), normalize_text(x)) for t, x in pairs]
    workers = os.cpu_count() or 1
    A.analyze_many(normalised[:50], workers=workers)  # warm the page cache and imports
    rates = []
    for run in range(args.runs):
        start = time.perf_counter()
        A.analyze_many(normalised, workers=workers)
        rates.append(len(pairs) / (time.perf_counter() - start))
        print(f"run {run + 1}: {rates[-1]:.1f} articles/s")
    print(f"NLP step, {len(pairs)} VNTC articles, {workers} workers: "
          f"median {statistics.median(rates):.1f} articles/s")
    print("time share per step (one process, 200 articles):", step_shares(pairs[:200]))


if __name__ == "__main__":
    main()
