"""Story clusters: articles about the same event, grouped incrementally.

Each article becomes a TF-IDF vector over its segmented words (background IDF). It joins
the most similar cluster active within the time window when cosine similarity, plus a
small bonus per shared named entity, passes the threshold; otherwise it opens a cluster.
Clusters keep a centroid of their top terms in SQLite, so new articles join existing
clusters without re-clustering anything.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from duluan.core.sqlite import connect, utc_iso
from duluan.nlp.analyze import stopwords
from duluan.nlp.background import background

WINDOW = timedelta(days=3)
THRESHOLD = 0.3
ENTITY_BONUS, ENTITY_BONUS_MAX = 0.03, 0.12
TOP_TERMS = 80
CENTROID_TERMS = 200

SCHEMA = """
CREATE TABLE IF NOT EXISTS story (
    id TEXT PRIMARY KEY,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    size INTEGER NOT NULL,
    title TEXT NOT NULL,
    title_sim REAL NOT NULL,
    centroid TEXT NOT NULL,
    entities TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS story_last ON story(last_at);
CREATE TABLE IF NOT EXISTS story_member (
    article_id TEXT PRIMARY KEY,
    story_id TEXT NOT NULL
);
"""

Vector = dict[str, float]


def vectorize(segmented: str, top: int = TOP_TERMS) -> Vector:
    stop = stopwords()
    bg = background()
    counts = Counter(w for w in segmented.lower().split() if w not in stop and not w.isdigit() and len(w) > 1)
    weights = {w: (1 + math.log(n)) * bg.idf(w) for w, n in counts.items()}
    kept = dict(sorted(weights.items(), key=lambda kv: -kv[1])[:top])
    norm = math.sqrt(sum(v * v for v in kept.values())) or 1.0
    return {w: v / norm for w, v in kept.items()}


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


@dataclass
class Story:
    id: str
    first_at: str
    last_at: str
    size: int
    title: str
    title_sim: float
    centroid: Vector
    entities: set[str]


class StoryIndex:
    def __init__(self, path: Path | str) -> None:
        self.db = connect(path, SCHEMA)

    def close(self) -> None:
        self.db.close()

    def _active(self, when: datetime) -> list[Story]:
        rows = self.db.execute(
            "SELECT id, first_at, last_at, size, title, title_sim, centroid, entities FROM story "
            "WHERE last_at >= ? AND first_at <= ?",
            (utc_iso(when - WINDOW), utc_iso(when + WINDOW)),
        ).fetchall()
        return [Story(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), set(json.loads(r[7])))
                for r in rows]

    def assign(self, article_id: str, published_at: datetime, title: str, segmented: str,
               entities: list[str]) -> Story:
        """Put the article in a story (its own, if none fits) and return that story."""
        row = self.db.execute(
            "SELECT story_id FROM story_member WHERE article_id = ?", (article_id,)
        ).fetchone()
        if row:  # reprocessing: the article keeps its story
            return self._get(row[0])
        vector = vectorize(segmented)
        names = set(entities)
        best, best_score = None, THRESHOLD
        for story in self._active(published_at):
            bonus = min(ENTITY_BONUS_MAX, ENTITY_BONUS * len(names & story.entities))
            score = cosine(vector, story.centroid) + bonus
            if score >= best_score:
                best, best_score = story, score
        when = utc_iso(published_at)
        if best is None:
            story_id = hashlib.blake2b(article_id.encode(), digest_size=8).hexdigest()
            best = Story(story_id, when, when, 0, title, 0.0, {}, set())
        merged = Counter({w: v * best.size for w, v in best.centroid.items()})
        merged.update(vector)
        top = dict(merged.most_common(CENTROID_TERMS))
        norm = math.sqrt(sum(v * v for v in top.values())) or 1.0
        best.centroid = {w: v / norm for w, v in top.items()}
        best.size += 1
        best.entities |= names
        best.first_at, best.last_at = min(best.first_at, when), max(best.last_at, when)
        # The representative title: the member closest to the centroid.
        similarity = cosine(vector, best.centroid)
        if similarity >= best.title_sim or best.size == 1:
            best.title, best.title_sim = title, similarity
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT OR REPLACE INTO story VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (best.id, best.first_at, best.last_at, best.size, best.title, best.title_sim,
                 json.dumps(best.centroid, ensure_ascii=False),
                 json.dumps(sorted(best.entities), ensure_ascii=False)),
            )
            self.db.execute("INSERT INTO story_member VALUES (?, ?)", (article_id, best.id))
        return best

    def _get(self, story_id: str) -> Story:
        r = self.db.execute(
            "SELECT id, first_at, last_at, size, title, title_sim, centroid, entities FROM story "
            "WHERE id = ?",
            (story_id,),
        ).fetchone()
        return Story(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), set(json.loads(r[7])))

    def title(self, story_id: str) -> str:
        return self._get(story_id).title
