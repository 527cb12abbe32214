"""Training corpora from the shared data folder, mapped onto the taxonomy and segmented once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from duluan.classifiers.features import classifier_input, headline
from duluan.classifiers.taxonomy import BAOMOI_TO_TOPIC, VNEXPRESS_TO_TOPIC, VNNEWS_TO_TOPIC, VNTC_TO_TOPIC
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


def hash_bucket(key: str, buckets: int) -> int:
    """A fixed bucket for a text or an id, from its SHA-256: how corpora without a split of their
    own are split, so that an item keeps its side as the data grows."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big") % buckets


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
        sides[hash_bucket(text, held_out) == 0].append((text, topic))
    splits = []
    for name, rows in (("train", sides[False]), ("test", sides[True])):
        segmented = cached_segmentation([t for t, _ in rows], cache_dir, f"{BAOMOI}-{name}")
        titles = cached_segmentation([title[t] for t, _ in rows], cache_dir, f"{BAOMOI}-{name}-titles")
        splits.append(Split(texts=segmented, labels=[topic for _, topic in rows],
                            ids=[first_id[t] for t, _ in rows], titles=titles))
    return splits[0], splits[1]


VNNEWS, VNEXPRESS = "vnnews-2024", "vnexpress-2023"
CURRENT = (VNNEWS, VNEXPRESS)
SPLITS = ("train", "validation", "test")


def hashed_split(key: str) -> str:
    """vnnews-2024 has no split of its own: 20 % test and 10 % validation, chosen by a hash of the
    item's id, so each item keeps its side whatever else the data gains."""
    bucket = hash_bucket(key, 10)
    return "test" if bucket < 2 else "validation" if bucket == 2 else "train"


def separate_dateline(sapo: str) -> str:
    """VnExpress sapos sometimes start with their dateline glued on ("HÀ NỘIPhó chủ tịch…"):
    put a dash between the place and the sentence. A capitalised sentence start ("TP HCM những
    ngày qua…") or a name ("VN-Index") is left alone."""
    end = 0
    while end < len(sapo) and (sapo[end].isupper() or sapo[end] in " -–"):
        end += 1
    # "HÀ NỘIP|hó" is glued; "TP HCM |những" is a sentence that starts with a place.
    glued = (3 <= end < len(sapo) and sapo[end].islower()
             and sapo[end - 2].isupper() and sapo[end - 1].isupper())
    return f"{sapo[:end - 1]} – {sapo[end - 1:]}" if glued else sapo


@dataclass
class CurrentItem:
    id: str
    corpus: str
    split: str
    topic: str
    title: str
    text: str  # the title, a newline, then the body (vnnews-2024) or the sapo (vnexpress-2023)


def current_topic_items(shared: Path) -> list[CurrentItem]:
    """The current corpora's items whose section maps to a topic, each on its fixed side.

    The two corpora overlap (VnExpress, 2023): a training or validation item whose title is also
    a held-out item's title is left out, so no test text is ever trained on or tuned against.
    """
    items = []
    for row in read_jsonl(corpus_file(shared, VNNEWS, "articles")):
        title = normalize_text(row["title"])
        items.append(CurrentItem(row["id"], VNNEWS, hashed_split(row["id"]), VNNEWS_TO_TOPIC[row["section"]],
                                 title, f"{title}\n{row['text']}"))
    for row in read_jsonl(corpus_file(shared, VNEXPRESS, "snippets")):
        topic = VNEXPRESS_TO_TOPIC.get(row["section"])
        if topic:
            title = normalize_text(row["title"])
            split = "validation" if row["split"] == "validate" else row["split"]
            items.append(CurrentItem(row["id"], VNEXPRESS, split, topic, title,
                                     f"{title}\n{separate_dateline(row['sapo'])}"))
    return _without_leaks(items)


def _without_leaks(items: list[CurrentItem]) -> list[CurrentItem]:
    def key(item: CurrentItem) -> str:
        return item.title.casefold()

    tested = {key(i) for i in items if i.split == "test"}
    validated = {key(i) for i in items if i.split == "validation"}
    return [i for i in items if i.split == "test"
            or (i.split == "validation" and key(i) not in tested)
            or (i.split == "train" and key(i) not in tested | validated)]


def current_splits(shared: Path, cache_dir: Path) -> dict[tuple[str, str], Split]:
    """Segmented current items by (corpus, split); each corpus is segmented once and cached."""
    items = current_topic_items(shared)
    out: dict[tuple[str, str], Split] = {}
    for corpus in CURRENT:
        mine = [i for i in items if i.corpus == corpus]
        texts = cached_segmentation([normalize_text(i.text) for i in mine], cache_dir, corpus)
        titles = cached_segmentation([i.title for i in mine], cache_dir, f"{corpus}-titles")
        for split in SPLITS:
            at = [k for k, i in enumerate(mine) if i.split == split]
            out[corpus, split] = Split(texts=[texts[k] for k in at], labels=[mine[k].topic for k in at],
                                       ids=[mine[k].id for k in at], titles=[titles[k] for k in at])
    return out
