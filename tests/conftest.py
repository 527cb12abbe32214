"""Shared fixtures: the offline mirror over real HTTP, a crawl of it, and both stores."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from duluan.core.record import Article
from duluan.core.settings import Settings
from duluan.crawlers.mirror.server import Mirror

ENGINE_URL = os.environ.get("DULUAN_TEST_SEARCH_URL")
# Articles the offline mirror holds: VnExpress 1, Dân trí 5, Tuổi Trẻ 6, Báo Thái Nguyên 2.
MIRROR_ARTICLES = 14


def duluan(*args: str, data_dir: Path, check: bool = True, stdin: str | None = None,
           **env: str) -> subprocess.CompletedProcess:
    """Run the real `duluan` command in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-m", "duluan.cli", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, check=False, timeout=600, input=stdin,
        env={**os.environ, **env},
    )
    if check and result.returncode:
        pytest.fail(f"duluan {' '.join(args)} exited {result.returncode}:\n"
                    f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def shared_data(settings: Settings) -> Path:
    path = settings.shared_data
    if not (path / "README.md").exists():
        pytest.fail(f"the shared data folder is missing at {path}; set DULUAN_SHARED_DATA")
    return path


@pytest.fixture(scope="session")
def mirror() -> Iterator[Mirror]:
    with Mirror() as running:
        yield running


@pytest.fixture(scope="session")
def crawled(settings: Settings, mirror: Mirror) -> Settings:
    """A data directory after one real crawl of the mirror."""
    result = duluan("crawl", "--all", "--mirror", mirror.url, data_dir=settings.data_dir)
    assert f"articles: {MIRROR_ARTICLES} new" in result.stdout, result.stdout + result.stderr
    return settings


@pytest.fixture(scope="session")
def processed(crawled: Settings) -> list[Article]:
    """The crawled articles after NLP and classification, not yet in any store."""
    from duluan.classifiers.predict import ArticleClassifier
    from duluan.crawlers.store import CrawlStore
    from duluan.nlp.analyze import BatchAnalyzer
    from duluan.pipeline import enrich

    store = CrawlStore(crawled.crawl_db)
    articles = [a for batch in store.pending() for a in batch]
    store.close()
    classifier = ArticleClassifier.load(crawled.models_dir)
    return enrich(articles, classifier, crawled.review_confidence, BatchAnalyzer(workers=1))


def _engine_settings(tmp: Path) -> Settings:
    if not ENGINE_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must test the search engine: DULUAN_TEST_SEARCH_URL is not set")
        pytest.skip("no search engine: run the tests with `make test`, or set DULUAN_TEST_SEARCH_URL")
    return Settings(data_dir=tmp, search_url=ENGINE_URL, index_prefix=f"t{uuid.uuid4().hex[:8]}")


@pytest.fixture(params=["embedded", "engine"])
def store(request: pytest.FixtureRequest, tmp_path: Path):  # noqa: ANN201 - either store
    if request.param == "embedded":
        from duluan.index.sqlite_store import EmbeddedStore

        s = EmbeddedStore(tmp_path / "articles.sqlite")
        yield s
        s.close()
    else:
        from duluan.index.engine_store import EngineStore

        s = EngineStore(_engine_settings(tmp_path))
        yield s
        s.drop_all()
        s.close()


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ENGINE_FIXTURES = {"engine_with_months", "own_node"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks for the quick loop (`make check` leaves out engine, browser and slow tests)."""
    for item in items:
        params = getattr(item, "callspec", None)
        if (params and "engine" in params.params.values()) or item.name.startswith("test_engine_") \
                or ENGINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.engine)
        if item.path.name == "test_review_browser.py":
            item.add_marker(pytest.mark.browser)
