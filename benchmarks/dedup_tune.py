"""Similarity of syndication pairs built from VNTC-mini *train*: where the thresholds come from.

    python benchmarks/dedup_tune.py

Prints the Jaccard and containment ranges of copies and of different stories, and
precision/recall of the shipped thresholds on these development pairs. The test split
is never looked at here (tests/test_dedup.py measures it).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from duluan.core.settings import get_settings
from duluan.link.dedup import shingles, signature, similarity
from tests.dedup_pairs import evaluate, pairs_from_vntc


def main() -> None:
    settings = get_settings()
    segmented, pairs = pairs_from_vntc(settings.shared_data, "train", 200, seed=11,
                                       cache=settings.data_dir / "cache")
    sigs = [(signature(sh).hashvalues, len(sh)) for sh in map(shingles, segmented)]
    for label, want in (("copies", True), ("different stories", False)):
        scores = np.array([similarity(*sigs[i], *sigs[j]) for i, j, t in pairs if t == want])
        for name, col in (("jaccard", 0), ("containment", 1)):
            q = np.percentile(scores[:, col], [0, 1, 5, 50, 95, 99, 100]).round(3)
            print(f"{label:18} {name:12} min/1%/5%/50%/95%/99%/max = {q.tolist()}")
    with tempfile.TemporaryDirectory() as tmp:
        print("shipped thresholds on dev pairs:", evaluate(segmented, pairs, Path(tmp)))


if __name__ == "__main__":
    main()
