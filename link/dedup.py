"""Syndicated copies: MinHash over word shingles, with LSH bands kept in SQLite.

A copy of another outlet's story ("Theo TTXVN") keeps most of its word 3-grams even
with a new headline, a trimmed lead or dropped paragraphs. Candidates come from LSH
band collisions; the estimated Jaccard and containment decide. The earliest published
article of a group is the original; the others point to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from datasketch import MinHash

from duluan.core.sqlite import connect, utc_iso

NUM_PERM = 128
BANDS, ROWS = 64, 2  # low LSH threshold: a short copy of a long story has a low Jaccard
SHINGLE = 3
# Decision thresholds, chosen on the development pairs (see tests/dedup_pairs.py), never on test.
JACCARD_MIN = 0.5
CONTAINMENT_MIN = 0.5
WINDOW = timedelta(days=7)

SCHEMA = """
CREATE TABLE IF NOT EXISTS minhash (
    article_id TEXT PRIMARY KEY,
    published_at TEXT NOT NULL,
    size INTEGER NOT NULL,
    duplicate_of TEXT,
    hashvalues BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS lsh_band (
    band INTEGER NOT NULL,
    key BLOB NOT NULL,
    article_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS lsh_lookup ON lsh_band(band, key);
"""


def shingles(segmented: str, k: int = SHINGLE) -> set[bytes]:
    words = segmented.lower().split()
    if len(words) < k:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i:i + k]).encode() for i in range(len(words) - k + 1)}


def signature(items: set[bytes]) -> MinHash:
    sig = MinHash(num_perm=NUM_PERM, seed=1)
    sig.update_batch(list(items))
    return sig


def _bands(hashvalues: np.ndarray) -> list[bytes]:
    return [hashvalues[b * ROWS:(b + 1) * ROWS].tobytes() for b in range(BANDS)]


@dataclass
class Match:
    article_id: str
    jaccard: float
    containment: float


@dataclass
class DuplicateVerdict:
    duplicate_of: str | None  # the original, when this article is a copy
    repointed: list[str] = field(default_factory=list)  # stored articles now copies of this one
    matches: list[Match] = field(default_factory=list)


def similarity(a: np.ndarray, size_a: int, b: np.ndarray, size_b: int) -> tuple[float, float]:
    """Estimated Jaccard, and containment of the smaller set in the larger."""
    jaccard = float(np.mean(a == b))
    inter = jaccard * (size_a + size_b) / (1 + jaccard)
    return jaccard, min(1.0, inter / max(1, min(size_a, size_b)))


def is_duplicate(jaccard: float, containment: float) -> bool:
    return jaccard >= JACCARD_MIN or containment >= CONTAINMENT_MIN


class DuplicateIndex:
    def __init__(self, path: Path | str) -> None:
        self.db = connect(path, SCHEMA)

    def close(self) -> None:
        self.db.close()

    def _candidates(self, hashvalues: np.ndarray) -> set[str]:
        found: set[str] = set()
        for band, key in enumerate(_bands(hashvalues)):
            rows = self.db.execute(
                "SELECT article_id FROM lsh_band WHERE band = ? AND key = ?", (band, key)
            ).fetchall()
            found.update(r[0] for r in rows)
        return found

    def check(self, article_id: str, published_at: datetime, segmented: str) -> DuplicateVerdict:
        """Compare with stored articles near in time, then store this one."""
        items = shingles(segmented)
        hv = signature(items).hashvalues.astype(np.uint64)
        size = len(items)
        matches: list[tuple[str, str, str | None, Match]] = []
        for other in self._candidates(hv) - {article_id}:
            row = self.db.execute(
                "SELECT published_at, size, duplicate_of, hashvalues FROM minhash WHERE article_id = ?",
                (other,),
            ).fetchone()
            when = datetime.fromisoformat(row[0])
            if abs(when - published_at) > WINDOW:
                continue
            jaccard, containment = similarity(hv, size, np.frombuffer(row[3], dtype=np.uint64), row[1])
            if is_duplicate(jaccard, containment):
                matches.append((other, row[0], row[2], Match(other, jaccard, containment)))
        verdict = DuplicateVerdict(duplicate_of=None, matches=[m for *_, m in matches])
        # The group's original: the earliest published of this article and its matches'
        # originals. Ties go to the article stored first.
        group = {article_id: utc_iso(published_at)}
        for other, when, original, _ in matches:
            root = original or other
            root_when = when if original is None else self._published(original) or when
            group.setdefault(root, root_when)
        original = min(group, key=lambda k: (group[k], k != article_id))
        if original != article_id:
            verdict.duplicate_of = original
        else:
            verdict.repointed = sorted(k for k in group if k != article_id)
        self._store(article_id, published_at, size, verdict.duplicate_of, hv)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "UPDATE minhash SET duplicate_of = ? WHERE article_id = ? OR duplicate_of = ?",
                [(article_id, k, k) for k in verdict.repointed],
            )
        return verdict

    def _published(self, article_id: str) -> str | None:
        row = self.db.execute(
            "SELECT published_at FROM minhash WHERE article_id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    def _store(self, article_id: str, published_at: datetime, size: int, duplicate_of: str | None,
               hv: np.ndarray) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM lsh_band WHERE article_id = ?", (article_id,))
            self.db.execute(
                "INSERT OR REPLACE INTO minhash VALUES (?, ?, ?, ?, ?)",
                (article_id, utc_iso(published_at), size, duplicate_of, hv.tobytes()),
            )
            self.db.executemany(
                "INSERT INTO lsh_band VALUES (?, ?, ?)",
                [(band, key, article_id) for band, key in enumerate(_bands(hv))],
            )
