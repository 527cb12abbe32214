"""Classification throughput: topic + tone on 10,000 already-segmented VNTC articles.

    python benchmarks/classify_bench.py [--runs 3] [--articles 10000]

Uses the segmentation cache that `duluan train topic` leaves in the data directory
(segmenting 10,000 articles first would measure underthesea, not the classifiers).
Prints articles per second, median of the runs, for the shipped models.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time

from classifiers.predict import ArticleClassifier
from duluan.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    settings = get_settings()
    caches = sorted((settings.data_dir / "cache").glob("vntc10-test.*.segmented.jsonl.gz"))
    if not caches:
        raise SystemExit(f"no segmented VNTC test cache in {settings.data_dir / 'cache'}: "
                         "run `duluan train topic` with this data directory first")
    with gzip.open(caches[-1], "rt", encoding="utf-8") as fh:
        texts = [json.loads(line) for _, line in zip(range(args.articles), fh, strict=False)]
    classifier = ArticleClassifier.load(settings.models_dir)
    classifier.classify(texts[:100])  # warm up
    rates = []
    for run in range(args.runs):
        start = time.perf_counter()
        labels = classifier.classify(texts)
        rates.append(len(texts) / (time.perf_counter() - start))
        print(f"run {run + 1}: {rates[-1]:.0f} articles/s")
    assert all(lab.topic and lab.tone for lab in labels)
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"topic + tone on {len(texts)} segmented articles ({words:.0f} words each on average): "
          f"median {statistics.median(rates):.0f} articles/s")


if __name__ == "__main__":
    main()
