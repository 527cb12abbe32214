"""The article record is defined once; the Scrapy item, the mapping and the SQLite schema agree."""

from __future__ import annotations

import sqlite3

from duluan.core.record import Article, Kind, field_kinds
from duluan.crawlers.items import ArticleItem
from duluan.index.mapping import mappings
from duluan.index.sqlite_schema import FTS_KINDS, NARROW_KINDS, columns, fts_columns, schema

FIELDS = list(Article.model_fields)


def test_scrapy_item_has_exactly_the_record_fields() -> None:
    assert sorted(ArticleItem.fields) == sorted(FIELDS)


def test_mapping_has_exactly_the_record_fields_with_matching_types() -> None:
    props = mappings()["properties"]
    assert list(props) == FIELDS
    expected = {
        Kind.KEYWORD: "keyword", Kind.KEYWORDS: "keyword", Kind.TEXT: "text", Kind.TEXTS: "text",
        Kind.SEGMENTED: "text", Kind.FOLDED: "text", Kind.DATE: "date", Kind.FLOAT: "float",
        Kind.BOOL: "boolean", Kind.SCORES: "object", Kind.ENTITIES: "object",
    }
    for name, kind in field_kinds().items():
        assert props[name]["type"] == expected[kind], name
    assert mappings()["dynamic"] == "strict"


def test_sqlite_schema_has_exactly_the_record_fields() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(schema())
    table = [row[1] for row in db.execute("PRAGMA table_info(articles)")]
    assert table == ["rowid", *columns()]
    assert sorted(columns()) == sorted(FIELDS)
    # Short columns first, so filters never read past the long texts.
    wide = [i for i, name in enumerate(columns()) if field_kinds()[name] not in NARROW_KINDS]
    assert wide == list(range(len(FIELDS) - len(wide), len(FIELDS)))
    fts = [row[1] for row in db.execute("PRAGMA table_info(articles_fts)")]
    assert fts == fts_columns() == [n for n, k in field_kinds().items() if k in FTS_KINDS]


def test_every_record_field_declares_a_storage_kind() -> None:
    assert set(field_kinds()) == set(FIELDS)


def test_the_analysts_mapping_doc_names_every_field() -> None:
    from duluan.core.settings import REPO_ROOT

    doc = (REPO_ROOT / "docs" / "index.md").read_text("utf-8")
    missing = [name for name in FIELDS if f"`{name}`" not in doc]
    assert not missing, f"docs/index.md does not describe {missing}"
