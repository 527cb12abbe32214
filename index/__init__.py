"""The document store: one query API over the embedded SQLite store and Elasticsearch/OpenSearch."""

from duluan.index.base import Maintainable, Store, WriteReport
from duluan.index.query import Hit, Query, SearchResult

__all__ = ["Hit", "Maintainable", "Query", "SearchResult", "Store", "WriteReport", "open_store"]


def open_store(settings=None) -> Store:  # noqa: ANN001 - avoids importing settings at module load
    """The configured store: the search engine if DULUAN_SEARCH_URL is set, else embedded SQLite."""
    from duluan.core.settings import get_settings

    settings = settings or get_settings()
    if settings.search_url:
        from duluan.index.engine_store import EngineStore

        return EngineStore(settings)
    from duluan.index.sqlite_store import EmbeddedStore

    return EmbeddedStore(settings.store_db)
