"""The review app's pages over a real store (browser tests come with the review app issue)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from duluan.settings import Settings
from index.sqlite_store import EmbeddedStore
from review.app import create_app


def test_feed_search_and_article_page(processed, tmp_path) -> None:  # noqa: ANN001
    settings = Settings(data_dir=tmp_path)
    store = EmbeddedStore(settings.store_db)
    store.upsert(processed)
    store.close()
    client = TestClient(create_app(settings))
    page = client.get("/")
    assert page.status_code == 200
    assert "6 bài viết" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    found = client.get("/", params={"q": "gia vang"})
    assert "<mark>" in found.text and "1 bài viết" in found.text
    gold = next(a for a in processed if a.title.startswith("Giá vàng"))
    article = client.get(f"/article/{gold.id}")
    assert gold.title in article.text and "Xem bài gốc" in article.text
    assert client.get("/article/nope").status_code == 404
