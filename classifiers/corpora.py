"""Training corpora from the shared data folder, mapped onto the taxonomy and segmented once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from duluan.classifiers.features import classifier_input, headline
from duluan.classifiers.taxonomy import BAOMOI_TO_TOPIC, VNTC_TO_TOPIC
from duluan.core.normalize import normalize_text
from duluan.nlp.corpus import cached_segmentation, read_jsonl


@dataclass
class Split:
    texts: list[str]  # segmented
    labels: list[str]
    ids: list[str]
    titles: list[str] = field(default_factory=list)  # segmented headlines, "" where there is none

    @property
    def inputs(self) -> list[str]:
        """What the models read (classifier_input)."""
        return [classifier_input(t, x) for t, x in zip(self.titles, self.texts, strict=True)]


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
    titles = cached_segmentation([headline(r["text"]) for r in rows], cache_dir, f"{corpus}-{split}-titles")
    return Split(
        texts=segmented,
        labels=[VNTC_TO_TOPIC[r["label"]] for r in rows],
        ids=[r["id"] for r in rows],
        titles=titles,
    )


BAOMOI = "baomoi-2018"


def baomoi_splits(shared: Path, cache_dir: Path, held_out: int = 10) -> tuple[Split, Split]:
    """Báo Mới title + sapo snippets mapped onto the taxonomy: (train, held-out test).

    A snippet filed under several categories is kept once; one whose categories map to
    different topics, or that the data marks as a conflicting duplicate, is left out. The
    held-out share (1 in `held_out`) is chosen by a hash of the text, so it stays fixed as the
    data grows and no text sits on both sides.
    """
    topics: dict[str, set[str | None]] = {}
    first_id: dict[str, str] = {}
    title: dict[str, str] = {}
    for row in read_jsonl(corpus_file(shared, BAOMOI, "snippets")):
        text = normalize_text(row["text"])
        topic = None if row.get("dup_label_conflict") else BAOMOI_TO_TOPIC.get(row["label"])
        topics.setdefault(text, set()).add(topic)
        first_id.setdefault(text, str(row["id"]))
        title.setdefault(text, headline(row["text"]))
    kept = [(text, next(iter(t))) for text, t in topics.items() if len(t) == 1 and None not in t]
    sides: dict[bool, list[tuple[str, str]]] = {False: [], True: []}
    for text, topic in kept:
        digest = hashlib.sha256(text.encode("utf-8")).digest()
        sides[int.from_bytes(digest[:4], "big") % held_out == 0].append((text, topic))
    splits = []
    for name, rows in (("train", sides[False]), ("test", sides[True])):
        segmented = cached_segmentation([t for t, _ in rows], cache_dir, f"{BAOMOI}-{name}")
        titles = cached_segmentation([title[t] for t, _ in rows], cache_dir, f"{BAOMOI}-{name}-titles")
        splits.append(Split(texts=segmented, labels=[topic for _, topic in rows],
                            ids=[first_id[t] for t, _ in rows], titles=titles))
    return splits[0], splits[1]
