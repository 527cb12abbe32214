"""Story clusters: articles about the same event, grouped incrementally.

Each article becomes a TF-IDF vector over its segmented words (background IDF). It joins
the most similar cluster active within the time window when cosine similarity, plus a
small bonus per shared named entity, passes the threshold; otherwise it opens a cluster.
Clusters keep a centroid of their top terms in SQLite, so new articles join existing
clusters without re-clustering anything.

Candidates come from an inverted index, not a scan of the window: each active story is listed
in memory under its INDEX_TERMS heaviest terms (with their weights) and its names, built from
the story table for the window when first needed. An article's QUERY_TERMS heaviest terms and
names are looked up; a key shared by more than PER_KEY stories says nothing about which story
it belongs to and is skipped, so the work per article is bounded. The partial cosine over the
shared keys ranks the stories, and only the best MAX_CANDIDATES are read and scored in full.
"""

from __future__ import annotations

import hashlib
import heapq
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
INDEX_TERMS = 30  # a story's heaviest centroid terms, in the inverted index
QUERY_TERMS = 25  # an article's heaviest terms, looked up there
MAX_CANDIDATES = 4  # stories scored in full per article, the best partial scores first
PER_KEY = 20  # a key listing more stories than this is skipped: a word that common says nothing
PURGE_EVERY = 1000  # assignments between drops of stories long out of the window

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


STORY_COLUMNS = "id, first_at, last_at, size, title, title_sim, centroid, entities"


def _story(row: tuple) -> Story:
    """A row of STORY_COLUMNS as a Story."""
    return Story(*row[:6], json.loads(row[6]), set(json.loads(row[7])))


def _keys(vector: Vector, names: set[str], terms: int, name_weight: float = 1.0) -> list[tuple[str, float]]:
    """(key, weight): the heaviest terms with their weights, then the names."""
    heaviest = sorted(vector, key=lambda w: -vector[w])[:terms]
    return [(f"t:{w}", vector[w]) for w in heaviest] + [(f"e:{n}", name_weight) for n in sorted(names)]


class Postings:
    """The inverted index of the active stories, in memory: key -> {story id: weight}."""

    def __init__(self) -> None:
        self.by_key: dict[str, dict[str, float]] = {}
        self.spans: dict[str, tuple[str, str, list[str]]] = {}  # story -> first_at, last_at, keys

    def put(self, story_id: str, first_at: str, last_at: str, centroid: Vector, names: set[str]) -> None:
        self.drop(story_id)
        keys = _keys(centroid, names, INDEX_TERMS)
        for key, weight in keys:
            self.by_key.setdefault(key, {})[story_id] = weight
        self.spans[story_id] = (first_at, last_at, [k for k, _ in keys])

    def drop(self, story_id: str) -> None:
        for key in self.spans.pop(story_id, ("", "", []))[2]:
            listed = self.by_key.get(key)
            if listed is not None:
                listed.pop(story_id, None)
                if not listed:
                    del self.by_key[key]

    def best(self, keys: list[tuple[str, float]], since: str, until: str) -> list[str]:
        """The stories in [since, until] with the highest partial cosine over these keys."""
        partial: dict[str, float] = {}
        for key, weight in keys:
            listed = self.by_key.get(key)
            if not listed or len(listed) > PER_KEY:
                continue
            for story_id, story_weight in listed.items():
                first_at, last_at, _ = self.spans[story_id]
                if last_at >= since and first_at <= until:
                    partial[story_id] = partial.get(story_id, 0.0) + weight * story_weight
        return heapq.nlargest(MAX_CANDIDATES, partial, key=partial.__getitem__)

    def purge(self, before: str) -> None:
        for story_id in [s for s, (_, last_at, _) in self.spans.items() if last_at < before]:
            self.drop(story_id)


class StoryIndex:
    """`exhaustive=True` scores every story in the window instead of the index's candidates:
    exact and slow, for measuring what the index changes (benchmarks/story_linking.py)."""

    def __init__(self, path: Path | str, exhaustive: bool = False) -> None:
        self.db = connect(path, SCHEMA)
        self.exhaustive = exhaustive
        self.postings = Postings()
        self._loaded_from: str | None = None  # stories active since then are in `postings`
        self._assigned = self._purged_at = 0
        self._latest: datetime | None = None  # the newest article assigned, for the purge

    def close(self) -> None:
        self.db.close()

    def _load(self, when: datetime) -> None:
        """Index the stories active in the window of `when` that are not indexed yet."""
        since = utc_iso(when - WINDOW)
        if self._loaded_from is not None and since >= self._loaded_from:
            return
        rows = self.db.execute(
            "SELECT id, first_at, last_at, centroid, entities FROM story WHERE last_at >= ?"
            + (" AND last_at < ?" if self._loaded_from else ""),
            (since, self._loaded_from) if self._loaded_from else (since,)).fetchall()
        for story_id, first_at, last_at, centroid, entities in rows:
            if story_id not in self.postings.spans:
                self.postings.put(story_id, first_at, last_at, json.loads(centroid),
                                  set(json.loads(entities)))
        self._loaded_from = since

    def _active(self, when: datetime) -> list[Story]:
        rows = self.db.execute(f"SELECT {STORY_COLUMNS} FROM story WHERE last_at >= ? AND first_at <= ?",
                               (utc_iso(when - WINDOW), utc_iso(when + WINDOW))).fetchall()
        return [_story(r) for r in rows]

    def _candidates(self, vector: Vector, names: set[str], when: datetime) -> list[Story]:
        """Stories in the window that share a heavy term or a name with the article."""
        self._load(when)
        ids = self.postings.best(_keys(vector, names, QUERY_TERMS, ENTITY_BONUS),
                                 utc_iso(when - WINDOW), utc_iso(when + WINDOW))
        return [self._get(story_id) for story_id in ids]

    def _after_assign(self, best: Story, published_at: datetime) -> None:
        self.postings.put(best.id, best.first_at, best.last_at, best.centroid, best.entities)
        self._assigned += 1
        self._latest = max(self._latest or published_at, published_at)
        if self._assigned - self._purged_at >= PURGE_EVERY:  # stories long out of the window
            self._purged_at = self._assigned
            self.postings.purge(utc_iso(self._latest - 3 * WINDOW))

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
        stories = (self._active(published_at) if self.exhaustive
                   else self._candidates(vector, names, published_at))
        for story in stories:
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
        self._after_assign(best, published_at)
        return best

    def _get(self, story_id: str) -> Story:
        row = self.db.execute(f"SELECT {STORY_COLUMNS} FROM story WHERE id = ?", (story_id,)).fetchone()
        return _story(row)

    def title(self, story_id: str) -> str:
        return self._get(story_id).title
