"""Writes the index lost (a power loss took its last commits) come back on the next run: the
crawl store says what was handed over, and `duluan process` compares before it starts."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from duluan.core.settings import Settings
from tests.conftest import MIRROR_ARTICLES, duluan


def test_articles_lost_by_the_embedded_index_are_processed_again(crawled: Settings, tmp_path: Path) -> None:
    shutil.copy(crawled.crawl_db, tmp_path / "crawl.sqlite")
    duluan("process", "--workers", "1", data_dir=tmp_path)
    index = tmp_path / "articles.sqlite"
    db = sqlite3.connect(index)
    (total,) = db.execute("SELECT COUNT(*) FROM articles").fetchone()
    assert total == MIRROR_ARTICLES
    # What a lost WAL leaves: the crawl store marks them processed, the index never had them.
    db.execute("DELETE FROM articles WHERE rowid IN (SELECT rowid FROM articles ORDER BY rowid DESC LIMIT 5)")
    db.commit()
    db.close()

    status = duluan("index", "status", data_dir=tmp_path).stdout
    assert "missing: 5 article(s)" in status, status
    again = duluan("process", "--workers", "1", data_dir=tmp_path).stdout
    assert "5 articles processed before were missing from the index" in again, again
    db = sqlite3.connect(index)
    assert db.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM articles").fetchone() == (total, total)
    db.close()
    # Nothing is missing any more, and a third run has nothing to do.
    assert "missing" not in duluan("index", "status", data_dir=tmp_path).stdout
    assert "processed 0 articles" in duluan("process", data_dir=tmp_path).stdout
