"""Training corpora from the shared data folder, mapped onto the taxonomy and segmented once."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from classifiers.taxonomy import VNTC_TO_TOPIC
from nlp.normalize import normalize_text
from nlp.segment import segment_many


@dataclass
class Split:
    texts: list[str]  # segmented
    labels: list[str]
    ids: list[str]


def _read_jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def corpus_file(shared: Path, corpus: str, split: str) -> Path:
    folder = shared / "topic" / corpus
    for name in (f"{split}.jsonl", f"{split}.jsonl.gz"):
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(
        f"no {split} split of {corpus} under {folder}; set DULUAN_SHARED_DATA to the shared data folder"
    )


def vntc_split(shared: Path, corpus: str, split: str, cache_dir: Path) -> Split:
    """A VNTC split, labels mapped to topic slugs.

    The test split leaves out documents that also occur in train and duplicate groups
    with conflicting labels, as the data README asks for any reported score.
    """
    path = corpus_file(shared, corpus, split)
    rows = [
        r
        for r in _read_jsonl(path)
        if split == "train" or not (r.get("dup_in_other_split") or r.get("dup_label_conflict"))
    ]
    texts = [normalize_text(r["text"]) for r in rows]
    segmented = _cached_segmentation(texts, cache_dir, f"{corpus}-{split}")
    return Split(
        texts=segmented,
        labels=[VNTC_TO_TOPIC[r["label"]] for r in rows],
        ids=[r["id"] for r in rows],
    )


def _cached_segmentation(texts: list[str], cache_dir: Path, name: str) -> list[str]:
    digest = hashlib.sha256("\x1e".join(texts).encode("utf-8")).hexdigest()[:16]
    cache = cache_dir / f"{name}.{digest}.segmented.jsonl.gz"
    if cache.exists():
        return [json.loads(line) for line in gzip.open(cache, "rt", encoding="utf-8")]
    segmented = segment_many(texts, progress=f"segmenting {name}")
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        for s in segmented:
            fh.write(json.dumps(s, ensure_ascii=False) + "\n")
    tmp.replace(cache)
    return segmented
