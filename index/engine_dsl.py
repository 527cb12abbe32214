"""The one query API translated to the engines' Query DSL, and their answers back to results.
Both OpenSearch and Elasticsearch read the same bodies: no plugin, no engine-only feature."""

from __future__ import annotations

from typing import Any

from duluan.core.record import Article
from duluan.index.highlight import add_highlights
from duluan.index.query import Bucket, Hit, ParsedQuery, Query, SearchResult, Term

HIDDEN = ["text_segmented", "text_folded", "title_folded"]  # searched, never sent back


def agg_field(name: str) -> str:
    return "entities.name" if name == "entities" else name


def term_clause(term: Term) -> dict:
    phrase = {"multi_match": {"query": term.match_text, "type": "phrase", "fields": term.fields()}}
    if not (term.word and not term.folded and term.field is None):
        return phrase
    # The syllables side by side decide the match; the segmented word, where the article's
    # segmentation found the same word, ranks it higher than a chance neighbourhood.
    return {"bool": {"should": [phrase, {"match": {"text_segmented": term.segmented}}]}}


def text_query(parsed: ParsedQuery) -> dict | None:
    if parsed.empty:
        return None
    must = [{"bool": {"should": [term_clause(t) for t in group], "minimum_should_match": 1}}
            for group in parsed.must]
    return {"bool": {"must": must, "must_not": [term_clause(t) for t in parsed.must_not]}}


def filters(query: Query) -> list[dict]:
    out: list[dict] = [{"terms": {name: values}} for name, values in query.exact_filters()]
    if query.entity:
        out.append({"term": {"entities.name": query.entity}})
    span = {}
    if query.utc_from:
        span["gte"] = query.utc_from.isoformat()
    if query.utc_to:
        span["lte"] = query.utc_to.isoformat()
    if span:
        out.append({"range": {"published_at": span}})
    return out


def query_body(query: Query) -> dict:
    bool_query: dict[str, Any] = {"filter": filters(query)}
    if text := text_query(query.parsed):
        bool_query["must"] = [text]
    return {"bool": bool_query}


def _aggregations(query: Query) -> dict[str, Any]:
    aggs: dict[str, Any] = {f"facet_{f}": {"terms": {"field": agg_field(f), "size": query.facet_size}}
                            for f in query.facets}
    if query.histogram:
        aggs["histogram"] = {
            "date_histogram": {"field": "published_at", "calendar_interval": query.histogram,
                               "time_zone": "+07:00", "format": "yyyy-MM-dd", "min_doc_count": 1},
        }
        if query.histogram_by:
            aggs["histogram"]["aggs"] = {
                "by": {"terms": {"field": agg_field(query.histogram_by), "size": query.facet_size}}}
    return aggs


def search_body(query: Query) -> dict[str, Any]:
    relevance = query.sort == "relevance" and not query.parsed.empty
    sort = (["_score", {"id": "asc"}] if relevance else
            [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "asc"}])
    body: dict[str, Any] = {"query": query_body(query), "sort": sort, "size": query.size,
                            "track_total_hits": True, "_source": {"excludes": HIDDEN}}
    if query.search_after:
        body["search_after"] = query.search_after
    if aggs := _aggregations(query):
        body["aggs"] = aggs
    return body


def search_result(result: dict[str, Any], query: Query) -> SearchResult:
    """An engine's search answer as the store-neutral result (significant terms left to the store)."""
    aggregations = result.get("aggregations", {})
    raw_hits = result["hits"]["hits"]
    # Hidden fields keep their defaults in the articles returned.
    hits = [Hit(article=Article.from_stored(h["_source"]), score=h.get("_score")) for h in raw_hits]
    if query.highlight and not query.parsed.empty:
        add_highlights(hits, query.parsed)
    histogram = [
        Bucket(b["key_as_string"], b["doc_count"],
               {x["key"]: x["doc_count"] for x in b.get("by", {}).get("buckets", [])})
        for b in aggregations.get("histogram", {}).get("buckets", [])
    ]
    return SearchResult(
        total=result["hits"]["total"]["value"], hits=hits,
        next_after=raw_hits[-1]["sort"] if raw_hits and len(raw_hits) == query.size else None,
        facets={f: [(b["key"], b["doc_count"]) for b in aggregations[f"facet_{f}"]["buckets"]]
                for f in query.facets},
        histogram=histogram,
    )


def keyword_counts_body(query: Query, include: list[str] | None = None) -> dict[str, Any]:
    terms: dict[str, Any] = {"field": "keywords", "size": len(include) if include else 2000}
    if include is not None:
        terms["include"] = include
    else:  # significant_terms() ignores keywords of fewer than 3 articles
        terms["min_doc_count"] = 3
    return {"query": query_body(query), "size": 0, "track_total_hits": True,
            "aggs": {"k": {"terms": terms}}}
