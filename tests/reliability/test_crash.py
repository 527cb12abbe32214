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



def test_every_acknowledged_review_action_survives_kill_9(tmp_path: Path) -> None:
    """A reviewer flags articles while the app is killed (-9): each action the app answered 303
    is in the store and the audit log, once; those it never answered may be missing."""
    import signal
    import threading

    import httpx

    from duluan.annotations import AnnotationStore
    from duluan.index.sqlite_store import EmbeddedStore
    from tests.articles import make_article
    from tests.reliability.load import Server, seed, sign_in

    settings, _ = seed(tmp_path, reviewers=1)
    store = EmbeddedStore(settings.store_db)
    targets = [make_article(500 + i, f"Bài số {i} về giá xăng", "Giá xăng tăng.") for i in range(80)]
    store.upsert(targets)
    store.close()
    acknowledged: list[str] = []
    server = Server(tmp_path)
    base = server.__enter__()
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            token = sign_in(client, "ctv0")
            # The kill lands 5 ms after the 30th acknowledgement, amid the requests that follow.
            killer = threading.Timer(0.005, server.proc.send_signal, [signal.SIGKILL])
            for article in targets:
                try:
                    r = client.post(f"/article/{article.id}/flag", data={"csrf": token, "flag": "can-xu-ly"})
                except httpx.HTTPError:
                    break
                if r.status_code == 303:
                    acknowledged.append(article.id)
                if len(acknowledged) == 30:
                    killer.start()
            killer.join()
    finally:
        server.__exit__(None, None, None)
    assert 0 < len(acknowledged) < len(targets), "the kill came too early or too late to test anything"
    store = EmbeddedStore(settings.store_db)
    flagged = {a.id for a in targets if (got := store.get(a.id)) and got.flag == "can-xu-ly"}
    store.close()
    audit = [e.article_id for e in AnnotationStore(settings.review_db).audit_log(limit=1000)
             if e.action == "flag"]
    assert set(acknowledged) <= flagged
    assert set(acknowledged) <= set(audit) and len(audit) == len(set(audit))
