"""The search-engine mapping, derived field by field from the article record.

Vietnamese analysis happens in Python (nlp/), so only built-in analyzers are used:
the mapping works unchanged on Elasticsearch 8/9, OpenSearch 2/3 and hosted services.
"""

from __future__ import annotations

from typing import Any

from duluan.core.record import Kind, field_kinds

MAPPING_VERSION = 1

SEGMENTED_ANALYZER = "vi_segmented"

KIND_MAPPING: dict[Kind, dict[str, Any]] = {
    Kind.KEYWORD: {"type": "keyword"},
    Kind.KEYWORDS: {"type": "keyword"},
    Kind.TEXT: {"type": "text", "analyzer": "standard"},
    Kind.TEXTS: {"type": "text", "analyzer": "standard"},
    # Words joined by "_" by underthesea: split on whitespace only, then lower-case.
    Kind.SEGMENTED: {"type": "text", "analyzer": SEGMENTED_ANALYZER},
    Kind.FOLDED: {"type": "text", "analyzer": "standard"},
    Kind.DATE: {"type": "date"},
    Kind.FLOAT: {"type": "float"},
    Kind.BOOL: {"type": "boolean"},
    Kind.SCORES: {"type": "object", "enabled": False},
    Kind.ENTITIES: {
        "type": "object",
        "properties": {"name": {"type": "keyword"}, "type": {"type": "keyword"}},
    },
}

# Fields an analyst facets on exactly, though they are text: a keyword sub-field.
_TITLE_KEYWORD = {"title": {"fields": {"raw": {"type": "keyword", "ignore_above": 512}}}}


def properties() -> dict[str, dict[str, Any]]:
    props = {}
    for name, kind in field_kinds().items():
        props[name] = dict(KIND_MAPPING[kind]) | _TITLE_KEYWORD.get(name, {})
    return props


def mappings(version: int = MAPPING_VERSION) -> dict[str, Any]:
    return {
        "dynamic": "strict",
        "_meta": {"mapping_version": version, "record": "duluan.core.record.Article"},
        "properties": properties(),
    }


def index_settings(shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    return {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        # New articles are searchable within seconds; refreshing every second costs bulk speed.
        "refresh_interval": "5s",
        "analysis": {
            "analyzer": {
                SEGMENTED_ANALYZER: {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]}
            }
        },
    }
