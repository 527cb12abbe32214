"""Syndication pairs for evaluating duplicate detection, built from VNTC articles.

Positive pairs: an article and a republished copy with the edits outlets make — a new
headline, a trimmed lead, an added "Theo TTXVN" line, dropped and reordered paragraphs.
Negative pairs: two different articles of the same topic and outlet, as close in
vocabulary as stories of one day. Pairs from VNTC's train split tune the thresholds;
pairs from its test split measure them.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from duluan.core.normalize import normalize_text
from duluan.link.dedup import DuplicateIndex
from duluan.nlp.corpus import cached_segmentation, read_jsonl

CREDITS = ["Theo TTXVN", "Theo VOV", "Nguồn: Báo Nhân Dân", "(Theo Tuổi Trẻ)", "Theo Vietnamplus",
           "Theo báo Thanh Niên"]
HEADLINE_PREFIXES = ["Nóng:", "Tin mới:", "Cập nhật:", "Toàn cảnh:", ""]


@dataclass
class Pair:
    a: str
    b: str
    duplicate: bool


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n+", text) if p.strip()]


def republish(text: str, rng: random.Random) -> str:
    """A copy of an article as another outlet would run it."""
    paras = _paragraphs(text)
    headline, body = paras[0], paras[1:]
    words = headline.split()
    head = words[: max(2, len(words) // 2)]
    rng.shuffle(head)  # a reworded headline
    words[: len(head)] = head
    headline = f"{rng.choice(HEADLINE_PREFIXES)} {' '.join(words)}".strip()
    if body:
        sentences = re.split(r"(?<=[.!?])\s+", body[0])
        if len(sentences) > 1:
            body[0] = " ".join(sentences[:-1])  # a trimmed lead
    if len(body) > 3:
        for _ in range(rng.randint(1, max(1, len(body) // 5))):  # drop up to a fifth
            body.pop(rng.randrange(1, len(body)))
        i = rng.randrange(1, len(body) - 1)
        body[i], body[i + 1] = body[i + 1], body[i]  # two paragraphs swapped
    return "\n".join([headline, *body, rng.choice(CREDITS)])


def build_pairs(rows: list[dict], n: int, seed: int) -> tuple[list[str], list[tuple[int, int, bool]]]:
    """Texts and (i, j, duplicate) index pairs: n positives and n negatives."""
    rng = random.Random(seed)
    usable = [r for r in rows if len(_paragraphs(r["text"])) >= 4 and r.get("dup_count", 1) == 1]
    rng.shuffle(usable)
    originals, rest = usable[:n], usable[n:]
    texts = [normalize_text(r["text"]) for r in originals]
    texts += [normalize_text(republish(r["text"], rng)) for r in originals]
    pairs = [(i, n + i, True) for i in range(n)]
    by_group: dict[tuple[str, str], list[dict]] = {}
    for r in rest:
        by_group.setdefault((r["label"], r.get("source", "")), []).append(r)
    groups = [g for g in by_group.values() if len(g) >= 2]
    while len(pairs) < 2 * n:
        a, b = rng.sample(rng.choice(groups), 2)
        texts += [normalize_text(a["text"]), normalize_text(b["text"])]
        pairs.append((len(texts) - 2, len(texts) - 1, False))
    return texts, pairs


def evaluate(segmented: list[str], pairs: list[tuple[int, int, bool]], index_dir: Path) -> dict:
    """Precision and recall of the real index (LSH candidates, then thresholds) on the pairs."""
    tp = fp = fn = tn = 0
    day = datetime(2024, 5, 1, 8, tzinfo=UTC)
    for k, (i, j, truth) in enumerate(pairs):
        index = DuplicateIndex(index_dir / f"pair-{k}.sqlite")  # one pair at a time: no leakage
        index.check(f"a{k}", day, segmented[i])
        verdict = index.check(f"b{k}", day + timedelta(hours=2), segmented[j])
        index.close()
        found = verdict.duplicate_of == f"a{k}"
        tp += found and truth
        fp += found and not truth
        fn += truth and not found
        tn += not truth and not found
    return {
        "pairs": len(pairs), "positives": tp + fn, "negatives": fp + tn,
        "precision": round(tp / max(1, tp + fp), 4), "recall": round(tp / max(1, tp + fn), 4),
    }


def pairs_from_vntc(shared: Path, split: str, n: int, seed: int, cache: Path):  # noqa: ANN201
    rows = list(read_jsonl(shared / "topic" / "vntc10-mini" / f"{split}.jsonl"))
    texts, pairs = build_pairs(rows, n, seed)
    return cached_segmentation(texts, cache, f"dedup-{split}-{seed}"), pairs
