"""The embedded store's SQLite schema, derived from the article record, and its migrations.

A store records the last migration it has had in `PRAGMA user_version`. A new store gets the
whole current schema at once; an older one gets each later step once, in order, each in its own
transaction, so two processes opening the same store never run a step twice."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from duluan.core.record import Kind, field_kinds

SQL_TYPES: dict[Kind, str] = {
    Kind.KEYWORD: "TEXT", Kind.KEYWORDS: "TEXT", Kind.TEXT: "TEXT", Kind.TEXTS: "TEXT",
    Kind.SEGMENTED: "TEXT", Kind.FOLDED: "TEXT", Kind.DATE: "TEXT", Kind.FLOAT: "REAL",
    Kind.BOOL: "INTEGER", Kind.SCORES: "TEXT", Kind.ENTITIES: "TEXT",
}
JSON_KINDS = {Kind.KEYWORDS, Kind.TEXTS, Kind.SCORES, Kind.ENTITIES}
VALUE_TABLE_FIELDS = ("keywords", "entities")
FTS_KINDS = {Kind.TEXT, Kind.FOLDED}


NARROW_KINDS = {Kind.KEYWORD, Kind.DATE, Kind.FLOAT, Kind.BOOL}


def columns() -> dict[str, str]:
    """Column name -> SQLite type, one per record field. Short values come first: SQLite reads
    a row's columns in order, so a filter on a later column would read the long texts too."""
    kinds = field_kinds()
    order = sorted(kinds, key=lambda name: kinds[name] not in NARROW_KINDS)
    return {name: SQL_TYPES[kinds[name]] for name in order}


def fts_columns() -> list[str]:
    return [name for name, kind in field_kinds().items() if kind in FTS_KINDS]


LOCAL_DAY = "date({}, '+7 hours')"  # Vietnam time, no daylight saving


def _value_days(row: str, change: str) -> str:
    """Trigger statements adding (n + 1) or removing (n - 1) one article's distinct keywords and
    entities on its day in value_days."""
    day = LOCAL_DAY.format(f"{row}.published_at")
    statements = []
    for field, value in (("keywords", "value"), ("entities", "json_extract(value, '$.name')")):
        values = f"SELECT DISTINCT {value} AS v FROM json_each({row}.{field})"
        if change == "n + 1":
            statements.append(
                f"INSERT INTO value_days SELECT '{field}', {day}, v, 1 FROM ({values}) "
                f"WHERE v IS NOT NULL AND {row}.published_at IS NOT NULL "
                f"ON CONFLICT(field, day, value) DO UPDATE SET n = n + 1;")
        else:
            statements.append(
                f"UPDATE value_days SET n = n - 1 WHERE field = '{field}' AND day = {day} "
                f"AND value IN ({values});")
            statements.append(f"DELETE FROM value_days WHERE field = '{field}' AND day = {day} AND n <= 0;")
    return "\n  ".join(statements)


def schema() -> str:
    # An integer rowid keys the FTS index; the article id is the unique business key.
    cols = ",\n  ".join(
        f"{name} {sql}{' UNIQUE NOT NULL' if name == 'id' else ''}" for name, sql in columns().items()
    )
    fts = ", ".join(fts_columns())
    new = ", ".join(f"new.{c}" for c in fts_columns())
    old = ", ".join(f"old.{c}" for c in fts_columns())
    values_insert = (
        "INSERT INTO article_values SELECT new.id, 'keywords', value FROM json_each(new.keywords); "
        "INSERT INTO article_values SELECT new.id, 'entities', json_extract(value, '$.name') "
        "FROM json_each(new.entities);"
    )
    return f"""
CREATE TABLE IF NOT EXISTS articles (
  rowid INTEGER PRIMARY KEY AUTOINCREMENT,
  {cols}
);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published_at DESC, id);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source, published_at);
CREATE INDEX IF NOT EXISTS articles_topic ON articles(topic, published_at);
CREATE INDEX IF NOT EXISTS articles_tone ON articles(tone, published_at);
CREATE INDEX IF NOT EXISTS articles_review ON articles(review_state, published_at);
CREATE INDEX IF NOT EXISTS articles_cluster ON articles(cluster_id);
-- Covers counts under the review app's usual filters (tone, topic, state, outlet).
CREATE INDEX IF NOT EXISTS articles_facts ON articles(tone, topic, review_state, source, tier, published_at);
-- Covers date histograms and facets over a period without reading the wide rows.
CREATE INDEX IF NOT EXISTS articles_period ON articles(published_at, tone, topic, source, tier);
-- List fields one value a row, kept in step by triggers: facets and significant terms
-- over keywords and entities read this narrow table instead of parsing JSON rows.
CREATE TABLE IF NOT EXISTS article_values (
  article_id TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS article_values_by_article ON article_values(article_id, field, value);
CREATE TRIGGER IF NOT EXISTS article_values_ai AFTER INSERT ON articles BEGIN
  {values_insert}
END;
CREATE TRIGGER IF NOT EXISTS article_values_au AFTER UPDATE OF keywords, entities ON articles BEGIN
  DELETE FROM article_values WHERE article_id = old.id;
  {values_insert}
END;
CREATE TRIGGER IF NOT EXISTS article_values_ad AFTER DELETE ON articles BEGIN
  DELETE FROM article_values WHERE article_id = old.id;
END;
-- Articles per value per Vietnam day: significant terms over a period with no other filter
-- read a few thousand rows a week here instead of every article's values (cold reads of those
-- took a second).
CREATE TABLE IF NOT EXISTS value_days (
  field TEXT NOT NULL,
  day TEXT NOT NULL,
  value TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (field, day, value)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS value_days_ai AFTER INSERT ON articles BEGIN
  {_value_days("new", "n + 1")}
END;
CREATE TRIGGER IF NOT EXISTS value_days_au AFTER UPDATE OF keywords, entities, published_at ON articles BEGIN
  {_value_days("old", "n - 1")}
  {_value_days("new", "n + 1")}
END;
CREATE TRIGGER IF NOT EXISTS value_days_ad AFTER DELETE ON articles BEGIN
  {_value_days("old", "n - 1")}
END;
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
  {fts}, content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 0'
);
CREATE TRIGGER IF NOT EXISTS articles_ai AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts(rowid, {fts}) VALUES (new.rowid, {new});
END;
CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, {fts}) VALUES ('delete', old.rowid, {old});
END;
CREATE TRIGGER IF NOT EXISTS articles_au AFTER UPDATE ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, {fts}) VALUES ('delete', old.rowid, {old});
  INSERT INTO articles_fts(rowid, {fts}) VALUES (new.rowid, {new});
END;
"""


def _statements(script: str) -> list[str]:
    """A script's statements, whole (trigger bodies hold semicolons of their own), without its
    comment lines."""
    out, pending = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    return [s for s in out if s]


def _create(db: sqlite3.Connection) -> None:
    for statement in _statements(schema()):
        db.execute(statement)


def _fill_values(db: sqlite3.Connection) -> None:
    """Stores made before article_values existed: fill it from the articles' JSON."""
    if db.execute("SELECT 1 FROM article_values LIMIT 1").fetchone():
        return
    db.execute("INSERT INTO article_values SELECT articles.id, 'keywords', j.value "
               "FROM articles, json_each(articles.keywords) j")
    db.execute("INSERT INTO article_values SELECT articles.id, 'entities', "
               "json_extract(j.value, '$.name') FROM articles, json_each(articles.entities) j")


def _fill_value_days(db: sqlite3.Connection) -> None:
    """Stores made before value_days existed: count each day's values once."""
    if db.execute("SELECT 1 FROM value_days LIMIT 1").fetchone():
        return
    day = LOCAL_DAY.format("a.published_at")
    for field, value in (("keywords", "j.value"), ("entities", "json_extract(j.value, '$.name')")):
        db.execute(
            f"INSERT INTO value_days SELECT '{field}', {day}, {value}, COUNT(DISTINCT a.id) "
            f"FROM articles a, json_each(a.{field}) j WHERE a.published_at IS NOT NULL "
            f"AND {value} IS NOT NULL GROUP BY 1, 2, 3")


def _label_sources(db: sqlite3.Connection) -> None:
    """topic_source and tone_source: before them, a score of exactly 1 marked a reviewer's label."""
    present = {row[1] for row in db.execute("PRAGMA table_info(articles)")}
    for label in ("topic", "tone"):
        if f"{label}_source" not in present:
            db.execute(f"ALTER TABLE articles ADD COLUMN {label}_source TEXT")
        db.execute(f"UPDATE articles SET {label}_source = CASE WHEN {label}_score = 1.0 "
                   f"THEN 'human' ELSE 'model' END WHERE {label}_source IS NULL")


# Step n brings a store from user_version n - 1 to n. Stores made before versions were kept
# (user_version 0) had the tables of step 1 already, or some of them: its statements only
# create what is missing.
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("articles, their full-text index, list values and per-day counts", _create),
    ("article_values filled for stores made before it", _fill_values),
    ("value_days filled for stores made before it", _fill_value_days),
    ("who set each label: topic_source and tone_source", _label_sources),
]
LATEST = len(MIGRATIONS)


def _version(db: sqlite3.Connection) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite3.Connection) -> int:
    """Bring the store to LATEST; the version it was at."""
    start = _version(db)
    for number, (_, step) in enumerate(MIGRATIONS, start=1):
        if number <= start:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            version = _version(db)  # another process may have migrated meanwhile
            fresh = not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles'").fetchone()
            if version == 0 and fresh:  # a new store: the whole current schema, marked latest
                _create(db)
                db.execute(f"PRAGMA user_version = {LATEST}")
            elif version < number:
                step(db)
                db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if _version(db) == LATEST:
            break
    return start
