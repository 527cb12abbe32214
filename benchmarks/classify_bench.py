"""Classification throughput: topic + tone on 10,000 already-segmented VNTC articles.

    python benchmarks/classify_bench.py [--runs 3] [--articles 10000]

Uses the segmentation cache that `duluan train topic` leaves in the data directory
(segmenting 10,000 articles first would measure underthesea, not the classifiers).
Prints articles per second, median of the runs, for the shipped models; beside it, in the same
run, the same models through scikit-learn's own `Pipeline.predict_proba` (whose vocabulary lookup
is a Python loop), the baseline our feature path replaces. Both give the same probabilities, up
to float summation order (checked at the end).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time

import numpy as np

from duluan.classifiers.predict import ArticleClassifier
from duluan.core.settings import get_settings


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

    def stock() -> None:
        for model in (classifier.topic, classifier.tone):
            model.pipeline.predict_proba(texts)

    rates: dict[str, list[float]] = {"ours": [], "scikit-learn pipeline": []}
    for run in range(args.runs):
        for name, job in (("ours", lambda: classifier.classify(texts)), ("scikit-learn pipeline", stock)):
            start = time.perf_counter()
            job()
            rates[name].append(len(texts) / (time.perf_counter() - start))
        print(f"run {run + 1}: ours {rates['ours'][-1]:.0f}, "
              f"scikit-learn pipeline {rates['scikit-learn pipeline'][-1]:.0f} articles/s")
    sample = texts[:500]
    for model in (classifier.topic, classifier.tone):
        assert np.allclose(model.predict_proba(sample), model.pipeline.predict_proba(sample))
    words = sum(len(t.split()) for t in texts) / len(texts)
    ours, base = statistics.median(rates["ours"]), statistics.median(rates["scikit-learn pipeline"])
    print(f"topic + tone on {len(texts)} segmented articles ({words:.0f} words each on average), "
          f"median of {args.runs}: {ours:.0f} articles/s; scikit-learn pipeline {base:.0f} "
          f"({ours / base:.1f}x)")


if __name__ == "__main__":
    main()
