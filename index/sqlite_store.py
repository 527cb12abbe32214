"""The embedded store: SQLite with FTS5 in the data directory, the zero-setup default.

The table's columns and the full-text columns are derived from the article record.
List, score and entity fields are stored as JSON text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from duluan.core.record import VN_TZ, Article, Kind, field_kinds, validate_fields
from duluan.core.sqlite import connect, utc_iso
from duluan.index.base import WriteReport
from duluan.index.highlight import add_highlights
from duluan.index.query import (
    Bucket,
    Hit,
    ParsedQuery,
    Query,
    SearchResult,
    SignificantTerm,
    Term,
    background_range,
    significant_terms,
)
from duluan.index.sqlite_schema import (
    JSON_KINDS,
    VALUE_TABLE_FIELDS,
    columns,
    fts_columns,
    migrate,
)


def _weight(column: str) -> str:
    return "3.0" if "title" in column else "2.0" if column == "sapo" else "1.0"


# Title matches count most. bm25() is lower-is-better, so the query negates it.
BM25_WEIGHTS = ", ".join(_weight(c) for c in fts_columns())


def _utc(value: str | None) -> str | None:
    if value is None:
        return None
    return utc_iso(datetime.fromisoformat(value), "microseconds")


def _column_values(doc: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready field values -> SQLite column values."""
    kinds = field_kinds()
    row: dict[str, Any] = {}
    for name, value in doc.items():
        kind = kinds[name]
        if kind in JSON_KINDS:
            value = json.dumps(value, ensure_ascii=False)
        elif kind is Kind.DATE:
            value = _utc(value)
        elif kind is Kind.BOOL:
            value = int(bool(value))
        row[name] = value
    return row


def to_row(article: Article) -> dict[str, Any]:
    return _column_values(article.to_doc())


def from_row(row: sqlite3.Row) -> Article:
    kinds = field_kinds()
    data = {name: row[name] for name in kinds}
    for name, kind in kinds.items():
        if kind in JSON_KINDS and data[name] is not None:
            data[name] = json.loads(data[name])
        elif kind is Kind.BOOL:
            data[name] = bool(data[name])
    return Article.from_stored(data)


def _fts_term(term: Term) -> str:
    cols = [f.split("^")[0] for f in term.fields() if f.split("^")[0] in fts_columns()]
    text = term.match_text.replace('"', " ")
    return f'{{{" ".join(cols)}}} : "{text}"'


def fts_expression(parsed: ParsedQuery) -> str:
    groups = [
        "(" + " OR ".join(_fts_term(t) for t in group) + ")" for group in parsed.must
    ]
    expr = " AND ".join(groups)
    for term in parsed.must_not:
        expr = f"({expr}) NOT {_fts_term(term)}"
    return expr


class EmbeddedStore:
    backend = "embedded"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = connect(path, durable=True)
        migrate(self.db.connection())
        self.db.row_factory = sqlite3.Row
        self._cols = list(columns())

    def close(self) -> None:
        self.db.close()

    def refresh(self) -> None:
        """SQLite reads its own writes at once."""

    def upsert(self, articles: Sequence[Article]) -> WriteReport:
        if not articles:
            return WriteReport()
        names = ", ".join(self._cols)
        marks = ", ".join(f":{c}" for c in self._cols)
        updates = ", ".join(f"{c} = excluded.{c}" for c in self._cols if c != "id")
        sql = f"INSERT INTO articles ({names}) VALUES ({marks}) ON CONFLICT(id) DO UPDATE SET {updates}"
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(sql, [to_row(a) for a in articles])
        return WriteReport(written=len(articles))

    def update_fields(self, updates: dict[str, dict[str, Any]]) -> int:
        changed = 0
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            for article_id, fields in updates.items():
                values = _column_values(validate_fields(fields))
                sets = ", ".join(f"{name} = :{name}" for name in values)
                cursor = self.db.execute(f"UPDATE articles SET {sets} WHERE id = :id",
                                         {**values, "id": article_id})
                changed += cursor.rowcount
        return changed

    def present(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ", ".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        return found

    def get(self, article_id: str) -> Article | None:
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return from_row(row) if row else None

    def _where(self, query: Query) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []

        for column, values in query.exact_filters():
            clauses.append(f"a.{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
        if query.utc_from:
            clauses.append("a.published_at >= ?")
            params.append(utc_iso(query.utc_from, "microseconds"))
        if query.utc_to:
            clauses.append("a.published_at <= ?")
            params.append(utc_iso(query.utc_to, "microseconds"))
        if query.entity:
            clauses.append(
                "EXISTS (SELECT 1 FROM json_each(a.entities) e WHERE json_extract(e.value, '$.name') = ?)"
            )
            params.append(query.entity)
        return clauses, params

    def _from(self, query: Query) -> tuple[str, list[str], list[Any]]:
        clauses, params = self._where(query)
        parsed = query.parsed
        if parsed.empty:
            return "articles a", clauses, params
        clauses.insert(0, "articles_fts MATCH ?")
        params.insert(0, fts_expression(parsed))
        # CROSS JOIN fixes the loop order. Usually the full-text match drives and filters check
        # each match (left to itself the planner may scan a filter's index and run the match once
        # per row); a short list of ids drives instead, checking the match for each of them.
        if query.ids and len(query.ids) <= 1000:
            return "articles a CROSS JOIN articles_fts ON articles_fts.rowid = a.rowid", clauses, params
        return "articles_fts CROSS JOIN articles a ON a.rowid = articles_fts.rowid", clauses, params

    def count(self, query: Query | None = None) -> int:
        source, clauses, params = self._from(query or Query())
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return self.db.execute(f"SELECT COUNT(*) FROM {source} {where}", params).fetchone()[0]

    def search(self, query: Query) -> SearchResult:
        source, clauses, params = self._from(query)
        texty = not query.parsed.empty
        relevance = texty and query.sort == "relevance"
        score = f"-bm25(articles_fts, {BM25_WEIGHTS})" if texty else "0.0"
        # Pages are ordered by (key DESC, id ASC); search_after resumes after the last pair.
        key = score if relevance else "COALESCE(a.published_at, '')"
        # Newest first orders by the bare column, so the published_at index serves it; missing
        # dates sort last either way, as the COALESCE key used for paging does.
        order = "sort_key DESC" if relevance else "a.published_at DESC"
        page_clauses, page_params = list(clauses), list(params)
        if query.search_after:
            last_key, last_id = query.search_after
            page_clauses.append(f"({key} < ? OR ({key} = ? AND a.id > ?))")
            page_params.extend([last_key, last_key, last_id])
        where = f"WHERE {' AND '.join(page_clauses)}" if page_clauses else ""
        # Two steps: rank narrow (rowid, key) pairs, then read the page's whole rows, so the
        # sort never carries article bodies.
        sql = (
            f"SELECT a.rowid AS rid, a.id AS id, {score} AS score, {key} AS sort_key FROM {source} "
            f"{where} ORDER BY {order}, a.id LIMIT ?"
        )
        rows = self.db.execute(sql, [*page_params, query.size]).fetchall()
        full = {r["rowid"]: r for r in self.db.execute(
            f"SELECT rowid, * FROM articles WHERE rowid IN ({', '.join('?' * len(rows))})",
            [r["rid"] for r in rows])} if rows else {}
        hits = [Hit(article=from_row(full[r["rid"]]), score=r["score"] if texty else None) for r in rows]
        if texty and query.highlight:
            add_highlights(hits, query.parsed)
        next_after = None
        if rows and len(rows) == query.size:
            last = rows[-1]
            next_after = [last["sort_key"], last["id"]]
        return SearchResult(
            total=self.count(query), hits=hits, next_after=next_after, facets=self._facets(query),
            histogram=self._histogram(query) if query.histogram else [],
            significant=self._significant(query) if query.significant else [],
        )

    def _value_sql(self, name: str, source: str, where: str) -> tuple[str, str]:
        """(SELECT expression, FROM ... WHERE ...) yielding one row per value of a field."""
        kind = field_kinds()[name]
        if name in VALUE_TABLE_FIELDS:
            return "j.value", (f"FROM {source} JOIN article_values j ON j.article_id = a.id "
                               f"AND j.field = '{name}' {where}")
        if kind in JSON_KINDS:
            return "j.value", f"FROM {source}, json_each(a.{name}) j {where}"
        return f"a.{name}", f"FROM {source} {where}"

    def _histogram(self, query: Query) -> list[Bucket]:
        source, clauses, params = self._from(query)
        where = f"WHERE {' AND '.join([*clauses, 'a.published_at IS NOT NULL'])}"
        local = "datetime(a.published_at, '+7 hours')"  # Vietnam time, no daylight saving
        bucket = {
            "day": f"date({local})",
            "week": f"date({local}, 'weekday 0', '-6 days')",  # the Monday of its week
            "month": f"strftime('%Y-%m-01', {local})",
        }[query.histogram]
        by = query.histogram_by
        select, from_where = self._value_sql(by, source, where) if by else ("NULL", f"FROM {source} {where}")
        # A list field can name a value twice in one article; a plain column cannot.
        count = "COUNT(DISTINCT a.id)" if by and field_kinds()[by] in JSON_KINDS else "COUNT(*)"
        rows = self.db.execute(
            f"SELECT {bucket} AS b, {select} AS v, {count} AS n {from_where} "
            f"GROUP BY b, v ORDER BY b", params,
        ).fetchall()
        totals = dict(self.db.execute(
            f"SELECT {bucket} AS b, COUNT(*) FROM {source} {where} GROUP BY b", params
        ).fetchall())
        out: dict[str, Bucket] = {}
        for row in rows:
            b = out.setdefault(row["b"], Bucket(row["b"], totals[row["b"]]))
            if by and row["v"] is not None:
                b.by[row["v"]] = row["n"]
        return list(out.values())

    def _keyword_counts(self, query: Query) -> tuple[int, dict[str, int]]:
        source, clauses, params = self._from(query)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        total = self.db.execute(f"SELECT COUNT(*) FROM {source} {where}", params).fetchone()[0]
        select, from_where = self._value_sql("keywords", source, where)
        rows = self.db.execute(
            f"SELECT {select} AS v, COUNT(DISTINCT a.id) AS n {from_where} GROUP BY v", params
        ).fetchall()
        return total, {r["v"]: r["n"] for r in rows}

    def _days(self, query: Query) -> tuple[str, str] | None:
        """(first, last) Vietnam day when the query is whole days with no other filter."""
        clauses, _ = self._where(query)
        if not query.parsed.empty or query.utc_from is None or query.utc_to is None or len(clauses) != 2:
            return None
        first = query.utc_from.astimezone(VN_TZ)
        after_last = (query.utc_to + timedelta(microseconds=1)).astimezone(VN_TZ)
        if first.time() != time(0) or after_last.time() != time(0):
            return None
        return first.date().isoformat(), (after_last - timedelta(days=1)).date().isoformat()

    def _keyword_counts_by_day(self, query: Query, days: tuple[str, str]) -> tuple[int, dict[str, int]]:
        assert query.utc_from and query.utc_to, "only whole-day periods are read by day"
        bounds = (utc_iso(query.utc_from, "microseconds"), utc_iso(query.utc_to, "microseconds"))
        total = self.db.execute("SELECT COUNT(*) FROM articles a WHERE a.published_at >= ? "
                                "AND a.published_at <= ?", bounds).fetchone()[0]
        rows = self.db.execute("SELECT value, SUM(n) FROM value_days WHERE field = 'keywords' "
                               "AND day BETWEEN ? AND ? GROUP BY value", days).fetchall()
        return total, {value: n for value, n in rows}

    def _significant(self, query: Query) -> list[SignificantTerm]:
        fg_query = replace(query, facets=[], significant=False)
        bg_query = replace(query, facets=[], significant=False, **background_range(query))
        counts = []
        for q in (fg_query, bg_query):
            days = self._days(q)
            counts.append(self._keyword_counts_by_day(q, days) if days else self._keyword_counts(q))
        (fg_total, fg), (bg_total, bg) = counts
        return significant_terms(fg, fg_total, bg, bg_total, query.facet_size)

    def _facets(self, query: Query) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {}
        source, clauses, params = self._from(query)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        for name in query.facets:
            select, from_where = self._value_sql(name, source, where)
            rows = self.db.execute(
                f"SELECT {select} AS v, COUNT(DISTINCT a.id) AS n {from_where} GROUP BY v "
                f"HAVING v IS NOT NULL ORDER BY n DESC, v LIMIT ?",
                [*params, query.facet_size],
            ).fetchall()
            out[name] = [(r["v"], r["n"]) for r in rows]
        return out
