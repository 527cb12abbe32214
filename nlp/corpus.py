"""Reading JSONL corpora and segmenting them once, with the result cached on disk."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from duluan.nlp.segment import segment_many


def read_jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def cached_segmentation(texts: list[str], cache_dir: Path, name: str) -> list[str]:
    """Segment texts across cores, or read the result of an earlier run on the same texts."""
    digest = hashlib.sha256("\x1e".join(texts).encode("utf-8")).hexdigest()[:16]
    cache = cache_dir / f"{name}.{digest}.segmented.jsonl.gz"
    if cache.exists():
        with gzip.open(cache, "rt", encoding="utf-8") as fh:
            return [json.loads(line) for line in fh]
    segmented = segment_many(texts, progress=f"segmenting {name}")
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        for s in segmented:
            fh.write(json.dumps(s, ensure_ascii=False) + "\n")
    tmp.replace(cache)
    return segmented
