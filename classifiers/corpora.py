"""Training corpora from the shared data folder, mapped onto the taxonomy and segmented once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from classifiers.taxonomy import VNTC_TO_TOPIC
from nlp.corpus import cached_segmentation, read_jsonl
from nlp.normalize import normalize_text


@dataclass
class Split:
    texts: list[str]  # segmented
    labels: list[str]
    ids: list[str]


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
        for r in read_jsonl(path)
        if split == "train" or not (r.get("dup_in_other_split") or r.get("dup_label_conflict"))
    ]
    texts = [normalize_text(r["text"]) for r in rows]
    segmented = cached_segmentation(texts, cache_dir, f"{corpus}-{split}")
    return Split(
        texts=segmented,
        labels=[VNTC_TO_TOPIC[r["label"]] for r in rows],
        ids=[r["id"] for r in rows],
    )
