"""Crawl state in SQLite: seen URLs, raw articles awaiting processing, rejects, feed validators.

It is the hand-over point between crawling and processing: the crawl writes raw
articles here, `duluan process` takes the pending ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from duluan.core.record import Article, Status
from duluan.core.sqlite import connect
from duluan.crawlers.rejects import RejectReason

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    canonical_url TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS raw_articles (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    processed INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS raw_content ON raw_articles(content_hash);
CREATE INDEX IF NOT EXISTS raw_pending ON raw_articles(processed) WHERE processed = 0;
CREATE INDEX IF NOT EXISTS raw_updated ON raw_articles(updated_at);
CREATE TABLE IF NOT EXISTS rejects (
    url TEXT PRIMARY KEY,
    source TEXT,
    reason TEXT NOT NULL,
    detail TEXT,
    at TEXT NOT NULL
);
-- Article URLs found in feeds but not yet stored or rejected: the next run fetches them even
-- when the feed answers 304, so a crawl killed half-way loses nothing.
CREATE TABLE IF NOT EXISTS frontier (
    canonical_url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    section TEXT,
    found_at TEXT NOT NULL
);
-- The last time each feed, sitemap or listing page was read (304 included): source health.
CREATE TABLE IF NOT EXISTS discovery_reads (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feed_validators (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class CrawlStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.db = connect(self.path, SCHEMA)

    def close(self) -> None:
        self.db.close()

    def is_seen(self, canonical_url: str) -> bool:
        row = self.db.execute("SELECT 1 FROM seen WHERE canonical_url = ?", (canonical_url,)).fetchone()
        return row is not None

    def twin(self, article: Article) -> tuple[str, str] | None:
        """(id, URL) of another stored article of the same outlet with the very same text: the
        outlet publishing one article under two URLs. Other outlets' copies are kept, since
        reviewers want to know who else carried a story."""
        row = self.db.execute(
            "SELECT id, json_extract(doc, '$.canonical_url') FROM raw_articles WHERE content_hash = ? "
            "AND id != ? AND json_extract(doc, '$.source') = ? LIMIT 1",
            (article.content_hash, article.id, article.source)).fetchone()
        return (row[0], row[1]) if row else None

    def save(self, article: Article) -> str:
        """Store a crawled article. Returns "new", "updated", "unchanged" or "duplicate" (the
        outlet's same article under another URL: that URL is remembered and recorded as a
        `duplicate-content` reject naming the stored one, nothing stored)."""
        now = _now()
        row = self.db.execute(
            "SELECT content_hash FROM raw_articles WHERE id = ?", (article.id,)
        ).fetchone()
        if row is None and (twin := self.twin(article)):
            for url in {article.canonical_url, article.url}:
                self.db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?, ?, ?, ?)",
                                (url, twin[0], article.content_hash, now, now))
            self.reject(article.url, article.source, RejectReason.DUPLICATE_CONTENT,
                        f"same text as {twin[1]}")
            return "duplicate"
        if row and row[0] == article.content_hash:
            self.db.execute("UPDATE seen SET last_seen = ? WHERE article_id = ?", (now, article.id))
            return "unchanged"
        if row:  # the outlet changed the text after we stored it
            article = article.model_copy(update={"status": Status.EDITED})
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO raw_articles (id, doc, content_hash, processed, updated_at) "
                "VALUES (?, ?, ?, 0, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, "
                "content_hash = excluded.content_hash, processed = 0, updated_at = excluded.updated_at",
                (article.id, article.model_dump_json(), article.content_hash, now),
            )
            for url in {article.canonical_url, article.url}:
                self.db.execute(
                    "INSERT INTO seen VALUES (?, ?, ?, ?, ?) ON CONFLICT(canonical_url) DO UPDATE "
                    "SET content_hash = excluded.content_hash, last_seen = excluded.last_seen",
                    (url, article.id, article.content_hash, now, now),
                )
        return "updated" if row else "new"

    def mark_gone(self, article_id: str) -> bool:
        """The outlet took the article down; it goes back to processing so the index learns it.
        Returns False when it was known to be gone already."""
        row = self.db.execute("SELECT doc FROM raw_articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return False
        article = Article.model_validate_json(row[0])
        if article.status == Status.GONE:
            return False
        self.db.execute("UPDATE raw_articles SET doc = ?, processed = 0, updated_at = ? WHERE id = ?",
                        (article.model_copy(update={"status": Status.GONE}).model_dump_json(), _now(),
                         article_id))
        return True

    def recent(self, days: int, sources: set[str]) -> list[tuple[str, str, str]]:
        """(id, url, source) of stored articles published (or fetched) in the last `days` days
        and not known to be gone: the ones worth re-checking for edits and takedowns."""
        since = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        out = []
        # Stored no earlier than published: older rows cannot qualify and are not even parsed.
        for (doc,) in self.db.execute("SELECT doc FROM raw_articles WHERE updated_at >= ?", (since,)):
            a = Article.model_validate_json(doc)
            when = (a.published_at or a.fetched_at).astimezone(UTC).isoformat(timespec="seconds")
            if a.source in sources and a.status != Status.GONE and when >= since:
                out.append((a.id, a.url, a.source))
        return out

    def reject(self, url: str, source: str | None, reason: str, detail: str = "") -> None:
        self.db.execute(
            "INSERT INTO rejects VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
            "reason = excluded.reason, detail = excluded.detail, at = excluded.at",
            (url, source, reason, detail[:500], _now()),
        )

    def _pages(self, where: str, batch: int) -> Iterator[list[Article]]:
        """Raw articles matching `where` in id order, a page of `batch` at a time (keyset paging:
        each query starts after the last id seen)."""
        last = ""
        while rows := self.db.execute(f"SELECT id, doc FROM raw_articles WHERE {where} AND id > ? "
                                      "ORDER BY id LIMIT ?", (last, batch)).fetchall():
            last = rows[-1][0]
            yield [Article.model_validate_json(doc) for _, doc in rows]

    def pending(self, batch: int = 200) -> Iterator[list[Article]]:
        """Unprocessed raw articles in batches; mark each batch done with `mark_processed`."""
        return self._pages("processed = 0", batch)

    def articles(self, batch: int = 500) -> Iterator[Article]:
        """Every stored article, processed or not, in id order."""
        for page in self._pages("1 = 1", batch):
            yield from page

    def processed_since(self, days: int) -> list[str]:
        """Ids of the articles handed to the index whose raw record changed in the last `days`."""
        cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        rows = self.db.execute("SELECT id FROM raw_articles WHERE processed = 1 AND updated_at >= ?",
                               (cutoff,))
        return [r[0] for r in rows]

    def requeue(self, ids: list[str]) -> None:
        """Articles to process again: the index lost them."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("UPDATE raw_articles SET processed = 0 WHERE id = ?", [(i,) for i in ids])

    def count_pending(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM raw_articles WHERE processed = 0").fetchone()[0]

    def mark_processed(self, ids: list[str]) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("UPDATE raw_articles SET processed = 1 WHERE id = ?", [(i,) for i in ids])

    def record_read(self, url: str, source: str) -> None:
        """A feed, sitemap or listing page answered (304 included)."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._read(url, source)

    def _read(self, url: str, source: str) -> None:
        self.db.execute("INSERT INTO discovery_reads VALUES (?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                        "source = excluded.source, at = excluded.at", (url, source, _now()))

    def record_discovery(self, url: str, source: str, etag: str | None, last_modified: str | None,
                         found: list[tuple[str, str, str | None]]) -> None:
        """A feed, sitemap or listing page read: the article links it gave, as (canonical URL,
        source, section), and its validators for the next visit, in one transaction. The
        links are written down before anything is fetched: a run that dies resumes from here."""
        now = _now()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR IGNORE INTO frontier VALUES (?, ?, ?, ?)",
                                [(link, source, section, now) for link, source, section in found])
            self.db.execute(
                "INSERT INTO feed_validators VALUES (?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                "etag = excluded.etag, last_modified = excluded.last_modified",
                (url, etag, last_modified))
            self._read(url, source)

    def reads_by_source(self) -> dict[str, str]:
        """Each outlet's last feed, sitemap or listing read (ISO time)."""
        return dict(self.db.execute("SELECT source, MAX(at) FROM discovery_reads GROUP BY source").fetchall())

    def articles_since(self, since: str) -> list[tuple[str, str, str, int]]:
        """(source, Vietnam day, extractor, count) of the articles stored or changed since `since`."""
        return self.db.execute(
            "SELECT json_extract(doc, '$.source'), date(json_extract(doc, '$.fetched_at'), '+7 hours'), "
            "json_extract(doc, '$.extractor'), COUNT(*) FROM raw_articles WHERE updated_at >= ? "
            "GROUP BY 1, 2, 3", (since,)).fetchall()

    def generic_examples(self, source: str, since: str, limit: int = 3) -> list[str]:
        """URLs of the outlet's latest articles since `since` that the generic extractor read."""
        rows = self.db.execute(
            "SELECT json_extract(doc, '$.url') FROM raw_articles WHERE updated_at >= ? "
            "AND json_extract(doc, '$.source') = ? AND json_extract(doc, '$.extractor') LIKE 'fallback%' "
            "ORDER BY json_extract(doc, '$.fetched_at') DESC LIMIT ?", (since, source, limit)).fetchall()
        return [r[0] for r in rows]

    def rejects_since(self, since: str) -> list[tuple[str | None, str, str]]:
        """(source, url, reason) of the URLs rejected since `since`."""
        return self.db.execute("SELECT source, url, reason FROM rejects WHERE at >= ?", (since,)).fetchall()

    def frontier(self, sources: set[str], max_age_days: int = 7) -> list[tuple[str, str, str | None]]:
        """Links found earlier and still neither stored nor rejected; older ones are dropped."""
        cutoff = (datetime.now(UTC) - timedelta(days=max_age_days)).isoformat(timespec="seconds")
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM frontier WHERE found_at < ? OR canonical_url IN "
                            "(SELECT canonical_url FROM seen) OR canonical_url IN (SELECT url FROM rejects)",
                            (cutoff,))
        rows = self.db.execute("SELECT canonical_url, source, section FROM frontier ORDER BY found_at")
        return [r for r in rows if r[1] in sources]

    def validators(self, url: str) -> tuple[str | None, str | None]:
        row = self.db.execute(
            "SELECT etag, last_modified FROM feed_validators WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

