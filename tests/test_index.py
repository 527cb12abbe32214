"""One contract, two stores: the embedded SQLite store and a real OpenSearch node."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from duluan.core.record import Article
from duluan.index.highlight import snippet_html
from duluan.index.query import MARK_START, Query, parse_text
from duluan.nlp.segment import segment
from tests.articles import make_article
from tests.conftest import MIRROR_ARTICLES

GOLD = "Giá vàng giảm sau dấu hiệu khả quan của kinh tế Mỹ"


def _titles(store, **kw) -> list[str]:  # noqa: ANN001
    store.refresh()
    return [h.article.title for h in store.search(Query(**kw)).hits]


def test_upsert_is_idempotent(store, processed: list[Article]) -> None:  # noqa: ANN001
    assert store.upsert(processed).written == MIRROR_ARTICLES
    assert store.upsert(processed).written == MIRROR_ARTICLES
    store.refresh()
    assert store.count() == MIRROR_ARTICLES
    assert store.get(processed[0].id) == processed[0]


def test_vietnamese_phrase_with_and_without_diacritics(store, processed) -> None:  # noqa: ANN001
    store.upsert(processed)
    assert _titles(store, text='"giá vàng giảm"') == [GOLD]
    assert _titles(store, text='"gia vang giam"') == [GOLD]
    assert GOLD in _titles(store, text="kinh tế Mỹ")
    assert GOLD in _titles(store, text="kinh te my")
    # Diacritics typed are diacritics meant: "giàm" is not "giảm".
    assert GOLD not in _titles(store, text='"giá vàng giàm"')


def test_old_style_tone_marks_in_the_query_match(store, processed) -> None:  # noqa: ANN001
    store.upsert(processed)
    # Documents say "Thế giới"; any query form reaches them after normalisation.
    assert _titles(store, text="khoẻ", size=50) == _titles(store, text="khỏe", size=50)


def test_boolean_operators_and_filters(store, processed) -> None:  # noqa: ANN001
    store.upsert(processed)
    everything = set(_titles(store, size=50))
    assert len(everything) == MIRROR_ARTICLES
    with_vang = set(_titles(store, text="vàng", size=50))
    without = set(_titles(store, text="Việt -vàng", size=50))
    assert GOLD in with_vang and GOLD not in without
    either = set(_titles(store, text='"Malaysia" OR "lymphoma"', size=50))
    assert len(either) == 2
    assert set(_titles(store, sources=["vnexpress"])) == {
        "Đau bụng kéo dài, phát hiện ung thư lymphoma ruột non"
    }
    december = _titles(store, date_from=date(2022, 12, 24), date_to=date(2022, 12, 24), size=50)
    assert GOLD in december and len(december) == 4


def test_facets_and_deep_paging(store, processed) -> None:  # noqa: ANN001
    store.upsert(processed)
    store.refresh()
    result = store.search(Query(size=2, facets=["source", "topic"]))
    assert result.total == MIRROR_ARTICLES
    assert dict(result.facets["source"]) == {"tuoitre": 6, "dantri": 5, "baothainguyen": 2, "vnexpress": 1}
    assert sum(n for _, n in result.facets["topic"]) == sum(1 for a in processed if a.topic)
    seen = [h.article.id for h in result.hits]
    after = result.next_after
    while after:
        page = store.search(Query(size=2, search_after=after))
        seen += [h.article.id for h in page.hits]
        after = page.next_after
    assert len(seen) == len(set(seen)) == MIRROR_ARTICLES
    dates = [store.get(i).published_at for i in seen]
    assert dates == sorted(dates, reverse=True)


def test_highlights_are_marked_and_escape_safely(store, processed) -> None:  # noqa: ANN001
    hostile = processed[0].model_copy(update={
        "title": 'Giá vàng <script>alert(1)</script> "tăng"', "id": "hostile",
        "canonical_url": "https://dantri.com.vn/x-1.htm",
    })
    store.upsert([hostile])
    store.refresh()
    hit = store.search(Query(text="vàng", ids=["hostile"])).hits[0]
    marked = hit.highlights["title"][0]
    assert MARK_START in marked
    html = snippet_html(marked)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<mark>" in html


def test_partial_updates_are_validated_and_applied(store, processed) -> None:  # noqa: ANN001
    store.upsert(processed)
    target = processed[1]
    assert store.update_fields({target.id: {"review_state": "reviewed", "flag": "cần theo dõi"},
                                "missing": {"review_state": "reviewed"}}) == 1
    store.refresh()
    got = store.get(target.id)
    assert got.review_state == "reviewed" and got.flag == "cần theo dõi"
    assert got.title == target.title  # the rest is untouched
    assert [h.article.id for h in store.search(Query(review_states=["reviewed"])).hits] == [target.id]
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        store.update_fields({target.id: {"review_state": "not-a-state"}})


def _copies(base: Article, n: int, start: datetime, step: timedelta, **fields) -> list[Article]:  # noqa: ANN003
    return [
        base.model_copy(update={"id": f"{fields.get('prefix', 'c')}{i}", "published_at": start + i * step,
                                **{k: v for k, v in fields.items() if k != "prefix"}})
        for i in range(n)
    ]


def test_date_histogram_in_vietnam_time(store, processed) -> None:  # noqa: ANN001
    base = processed[0]
    # 23:30 UTC on 1 March is 06:30 on 2 March in Vietnam: the bucket is 2 March.
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    docs = _copies(base, 3, late, timedelta(days=1), tone="negative", prefix="h")
    docs += _copies(base, 2, late, timedelta(days=1), tone="positive", prefix="p")
    store.upsert(docs)
    store.refresh()
    result = store.search(Query(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), size=0,
                                histogram="day", histogram_by="tone"))
    by_day = {b.start: (b.count, b.by) for b in result.histogram}
    assert by_day == {
        "2026-03-02": (2, {"negative": 1, "positive": 1}),
        "2026-03-03": (2, {"negative": 1, "positive": 1}),
        "2026-03-04": (1, {"negative": 1}),
    }
    weekly = store.search(Query(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), size=0,
                                histogram="week"))
    assert [(b.start, b.count) for b in weekly.histogram] == [("2026-03-02", 5)]  # a Monday


def test_significant_terms_find_what_is_new(store, processed) -> None:  # noqa: ANN001
    base = processed[0]
    week = datetime(2026, 4, 20, 3, tzinfo=UTC)
    before = _copies(base, 12, week - timedelta(weeks=4), timedelta(days=2),
                     keywords=["giá vàng", "lãi suất"], prefix="b")
    now = _copies(base, 6, week, timedelta(hours=12), keywords=["bão số 3", "giá vàng"], prefix="n")
    store.upsert(before + now)
    store.refresh()
    result = store.search(Query(date_from=week.date(), date_to=(week + timedelta(days=6)).date(),
                                size=0, significant=True))
    terms = [t.term for t in result.significant]
    assert terms[0] == "bão số 3"
    assert "lãi suất" not in terms
    top = result.significant[0]
    assert (top.count, top.background) == (6, 0)


def test_embedded_daily_counts_agree_with_the_articles(processed, tmp_path) -> None:  # noqa: ANN001
    """Whole-day significant terms read the per-day counts; with any other filter they read the
    articles. After re-indexing, moved dates, changed keywords and deletions both still agree,
    including at the edge of a Vietnam day (23:30 UTC is the next morning there)."""
    from duluan.index.sqlite_store import EmbeddedStore

    store = EmbeddedStore(tmp_path / "a.sqlite")
    base = processed[0]
    week = datetime(2026, 4, 20, tzinfo=UTC) - timedelta(hours=7)  # Monday 00:00 in Vietnam
    docs = _copies(base, 30, week - timedelta(weeks=3), timedelta(hours=23),
                   keywords=["giá vàng", "lãi suất"], prefix="b")
    docs += _copies(base, 8, week - timedelta(minutes=30), timedelta(hours=13),
                    keywords=["bão số 3", "giá vàng"], prefix="n")
    store.upsert(docs)
    store.upsert(docs[:5])  # re-indexed unchanged
    store.upsert([d.model_copy(update={"keywords": ["bão số 3", "lũ quét"]}) for d in docs[30:33]])
    store.upsert([docs[34].model_copy(update={"published_at": week - timedelta(weeks=2)})])
    store.db.execute("DELETE FROM articles WHERE id = ?", (docs[35].id,))
    monday = week.date() + timedelta(days=1)  # the Vietnam date
    whole_week = Query(date_from=monday, date_to=monday + timedelta(days=6), size=0, significant=True)
    fast = store.search(whole_week).significant
    slow = store.search(replace(whole_week, tiers=["central", "provincial"])).significant
    assert fast and fast == slow
    assert store.db.execute("SELECT COUNT(*) FROM value_days WHERE n <= 0").fetchone()[0] == 0
    store.close()


def test_a_query_is_segmented_into_words() -> None:
    terms = [[(t.text, t.word, t.folded) for t in group] for group in parse_text("kinh tế Mỹ").must]
    assert terms == [[("kinh tế", True, False)], [("Mỹ", False, False)]]
    # Without diacritics, by the folded word list: "kinh te" is a word there, "gia vang" is not.
    terms = [[(t.text, t.word, t.folded) for t in group] for group in parse_text("kinh te, my").must]
    assert terms == [[("kinh te", True, True)], [("my", False, True)]]
    assert [g[0].text for g in parse_text("gia vang").must] == ["gia", "vang"]
    # An operator, a quoted phrase or a prefix ends a run.
    assert [g[0].text for g in parse_text("kinh AND tế").must] == ["kinh", "tế"]
    parsed = parse_text('"giá vàng" hôm nay -Hà Nội')
    assert [(g[0].text, g[0].word) for g in parsed.must] == [
        ("giá vàng", False), ("hôm nay", True), ("Nội", False)]
    assert [t.text for t in parsed.must_not] == ["Hà"]


def test_words_of_several_syllables_are_matched_whole(store) -> None:  # noqa: ANN001
    def article(n: int, title: str, body: str):  # noqa: ANN202
        return make_article(n, title, body, text_segmented=segment(f"{title}\n\n{body}"))

    economy = article(101, "Kinh tế Mỹ tăng trưởng chậm lại", "Tăng trưởng kinh tế Mỹ chậm lại trong quý ba.")
    apart = article(102, "Bệnh viện tư mở rộng kinh doanh",
                    "Nhiều bệnh viện tư kinh doanh thêm dịch vụ y tế cao cấp.")
    store.upsert([economy, apart])
    assert _titles(store, text="kinh tế") == [economy.title]
    assert _titles(store, text="kinh tế", sort="relevance") == [economy.title]
    assert _titles(store, text="kinh te") == [economy.title]
    assert set(_titles(store, text="kinh AND tế")) == {economy.title, apart.title}
    assert set(_titles(store, text="kinh AND te")) == {economy.title, apart.title}


def test_engine_ranks_the_word_its_segmentation_found_first(tmp_path) -> None:  # noqa: ANN001
    from duluan.index.engine_store import EngineStore
    from tests.conftest import _engine_settings

    title, body = "Hội thảo về tăng trưởng", "Các chuyên gia bàn về kinh tế và đầu tư."
    # The same text; only the second article's segmentation left "kinh" and "tế" apart.
    word = make_article(201, title, body, text_segmented="Hội_thảo về tăng_trưởng kinh_tế đầu_tư")
    apart = make_article(202, title, body, text_segmented="Hội_thảo về tăng_trưởng kinh tế đầu_tư")
    store = EngineStore(_engine_settings(tmp_path))
    try:
        store.upsert([apart, word])
        store.refresh()
        hits = store.search(Query(text="kinh tế", sort="relevance")).hits
        assert [h.article.id for h in hits] == [word.id, apart.id]
        assert hits[0].score > hits[1].score
    finally:
        store.drop_all()
        store.close()


def test_field_prefixes(store, processed) -> None:  # noqa: ANN001
    store.upsert(processed)
    assert _titles(store, text="title:vàng source:dantri") == [GOLD]
    assert _titles(store, text="title:vàng source:vnexpress") == []
    assert _titles(store, text='title:"gia vang"') == [GOLD]


def test_bulk_parts_let_requests_overlap() -> None:
    from duluan.index.engine_client import BULK_MAX_BYTES, bulk_parts

    assert [len(p) for p in bulk_parts(list(range(1000)), 2)] == [500, 500]
    assert [len(p) for p in bulk_parts(list(range(2500)), 2)] == [1000, 1000, 500]
    assert [len(p) for p in bulk_parts(list(range(2500)), 1)] == [1000, 1000, 500]
    assert [len(p) for p in bulk_parts(list(range(150)), 2)] == [150]  # too few to split
    assert [len(p) for p in bulk_parts(list(range(250)), 3)] == [100, 100, 50]
    # A part is also kept under BULK_MAX_BYTES, whatever its count.
    big = [b"x" * (BULK_MAX_BYTES // 2 - 1)] * 5
    assert [len(p) for p in bulk_parts(big, 1, len)] == [2, 2, 1]
    assert [len(p) for p in bulk_parts([b"x" * (BULK_MAX_BYTES + 1)] * 2, 1, len)] == [1, 1]


def test_refusals_are_told_from_failures_worth_retrying() -> None:
    from duluan.index.engine_store import _refusal

    def item(status: object) -> dict:
        return {"index": {"_index": "x", "status": status, "error": {"type": "t"}}}

    assert _refusal(item(400)) and _refusal(item(413))  # closed index, mapping conflict; too large
    # Busy, timing out, failing, index gone, or no answer at all: the spool retries these.
    assert not any(_refusal(item(s)) for s in (429, 408, 404, 500, 503, "N/A", None))


def test_engine_bulk_requests_in_flight_write_each_article_once(processed, tmp_path) -> None:  # noqa: ANN001
    import threading

    from duluan.index.engine_store import EngineStore
    from tests.conftest import _engine_settings

    store = EngineStore(_engine_settings(tmp_path))
    assert store.bulk_requests == 2
    docs = [a.model_copy(update={"id": f"many-{i:04d}",
                                 "published_at": a.published_at + timedelta(days=i % 40)})
            for i in range(450) for a in [processed[i % len(processed)]]]
    real_bulk, lock = store.client.bulk, threading.Lock()
    in_flight, most = 0, 0

    def counting_bulk(actions):  # noqa: ANN001, ANN202 - the real request, counted
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        try:
            return list(real_bulk(actions))
        finally:
            with lock:
                in_flight -= 1

    store.client.bulk = counting_bulk
    try:
        report = store.upsert(docs)
        assert (report.written, report.spooled, report.errors) == (450, 0, [])
        assert most == 2
        assert store.upsert(docs).written == 450  # again: updated, not duplicated
        store.refresh()
        assert store.count() == 450
        assert store.count(Query(ids=[d.id for d in docs[:100]])) == 100
    finally:
        store.drop_all()
        store.close()


def test_engine_store_writes_behind_the_alias_after_indices_are_deleted(processed, tmp_path) -> None:  # noqa: ANN001
    from duluan.index.engine_store import EngineStore
    from tests.conftest import _engine_settings

    store = EngineStore(_engine_settings(tmp_path))
    try:
        store.upsert(processed)
        store.drop_all()
        # The same store writes again: its indices must be created anew and join the alias.
        assert store.upsert(processed).written == len(processed)
        store.refresh()
        assert store.count() == len(processed)
        # A month deleted behind the store's back, as retention does, is created again behind the alias.
        month = store.index_for(processed[0])
        store.client.request("DELETE", f"/{month}")
        assert store.upsert(processed).written == len(processed)
        store.refresh()
        assert store.count() == len(processed)
        assert month in store.indices()
    finally:
        store.drop_all()
        store.close()


def test_engine_sends_again_what_the_node_was_too_busy_for(processed, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Items the node answers 429 for are sent again after a pause; those it is still too busy
    for after the last try are spooled (not set aside as refused) and written by the next write.
    A month's index blocked `read_only_allow_delete` answers each of its items with 429."""
    import duluan.index.engine_client as engine_client
    from duluan.index.engine_client import BULK_TRIES
    from duluan.index.engine_store import EngineStore
    from tests.conftest import _engine_settings

    store = EngineStore(_engine_settings(tmp_path))
    block = "index.blocks.read_only_allow_delete"
    month = store.index_for(processed[0])
    pauses: list[float] = []

    def blocked(value: bool) -> None:
        store.client.request("PUT", f"/{month}/_settings", body={block: value or None})

    try:
        store.upsert(processed)
        blocked(True)
        late = [a.model_copy(update={"id": f"busy-{i}"}) for i, a in enumerate(processed)]
        in_month = sum(store.index_for(a) == month for a in late)
        assert 0 < in_month < len(late)

        # The node frees up during the first pause: everything is written, nothing spooled.
        monkeypatch.setattr(engine_client.time, "sleep", lambda s: (pauses.append(s), blocked(False)))
        report = store.upsert(late)
        assert (report.written, report.spooled, report.refused, pauses) == (len(late), 0, 0, [1.0])

        # It stays busy: after the last try those items wait in the spool, the others are written.
        blocked(True)
        pauses.clear()
        monkeypatch.setattr(engine_client.time, "sleep", pauses.append)
        again = [a.model_copy(update={"id": f"again-{i}"}) for i, a in enumerate(processed)]
        report = store.upsert(again)
        assert (report.written, report.spooled, report.refused) == (len(again) - in_month, in_month, 0)
        assert pauses == [1.0, 2.0, 4.0][:BULK_TRIES - 1]
        assert any("429" in e for e in report.errors)
        assert store.spool_files() and not store.spool_files(refused=True)
        blocked(False)
        report = store.upsert([])
        assert (report.replayed, report.spooled) == (in_month, 0)
        store.refresh()
        assert store.count() == 3 * len(processed)
    finally:
        store.drop_all()  # a blocked index can still be deleted
        store.close()


def test_engine_refusal_of_one_article_does_not_hold_up_the_others(processed, tmp_path, monkeypatch,  # noqa: ANN001
                                                                    capsys) -> None:  # noqa: ANN001
    """An article the engine refuses as it stands (here: its month was closed) is set aside with
    the reason, not retried before every later write; once the cause is fixed the CLI replays it."""
    from duluan.cli import main
    from duluan.core.settings import get_settings
    from duluan.index.engine_store import EngineStore
    from tests.conftest import _engine_settings

    settings = _engine_settings(tmp_path)
    store = EngineStore(settings)
    try:
        store.upsert(processed)
        month = store.index_for(processed[0])
        store.client.request("POST", f"/{month}/_close")
        late = processed[0].model_copy(update={"id": "late-edit", "title": "Bản sửa muộn"})
        superseded = processed[0].model_copy(update={"id": "edited-again", "title": "Bản cũ"})
        report = store.upsert([late, superseded])
        assert (report.written, report.spooled, report.refused) == (0, 0, 2)
        assert any("closed" in e for e in report.errors)
        assert store.spool_files(refused=True) and not list(settings.spool_dir.glob("*.jsonl"))

        # Later articles are written at once, not spooled behind the refused one.
        other = [a for a in processed if store.index_for(a) != month]
        fresh = [a.model_copy(update={"id": f"after-{i}"}) for i, a in enumerate(other)]
        report = store.upsert(fresh)
        assert (report.written, report.spooled, report.refused) == (len(fresh), 0, 0)
        # Searches skip the closed month instead of failing.
        store.refresh()
        assert store.count() == 2 * len(other)
        assert store.get(fresh[0].id) is not None and store.get(processed[0].id) is None
        by_month = store.search(Query(histogram="month", facets=["topic"])).histogram
        assert sum(b.count for b in by_month) == 2 * len(other)

        # The CLI shows what was set aside; the month reopened, it replays it when asked.
        for name, value in (("DATA_DIR", str(settings.data_dir)), ("SEARCH_URL", settings.search_url),
                            ("INDEX_PREFIX", settings.index_prefix)):
            monkeypatch.setenv(f"DULUAN_{name}", value)
        get_settings.cache_clear()
        assert main(["index", "status"]) == 0
        assert "refused: 1 file(s)" in capsys.readouterr().out
        assert main(["index", "replay"]) == 1  # not without --refused: the month is still closed
        assert "refused: 1 file(s)" in capsys.readouterr().err
        store.client.request("POST", f"/{month}/_open")
        store.client.request("GET", f"/_cluster/health/{month}", params={"wait_for_status": "green"})
        # Fetched again and written before the replay: the refused copy is older and stays out.
        newer = superseded.model_copy(update={"title": "Bản mới nhất",
                                              "fetched_at": superseded.fetched_at + timedelta(hours=1)})
        assert store.upsert([newer]).written == 1
        assert main(["index", "replay", "--refused"]) == 0
        assert "replayed 1, still spooled 0, refused 0" in capsys.readouterr().out
        assert not store.spool_files(refused=True)
        store.refresh()
        assert store.get("late-edit").title == "Bản sửa muộn"
        assert store.get("edited-again").title == "Bản mới nhất"
    finally:
        get_settings.cache_clear()
        store.drop_all()
        store.close()


def test_engine_refused_articles_stay_aside_while_the_engine_is_unreachable(processed, tmp_path) -> None:  # noqa: ANN001
    """`replay --refused` with the engine gone keeps the refused articles where they were, so
    that they are not replayed later without the check against newer fetches."""
    from opensearchpy import OpenSearch

    from duluan.index.engine_store import EngineStore
    from tests.conftest import _engine_settings

    settings = _engine_settings(tmp_path)
    store = EngineStore(settings)
    try:
        store.upsert(processed[:1])
        month = store.index_for(processed[0])
        store.client.request("POST", f"/{month}/_close")
        assert store.upsert([processed[0].model_copy(update={"id": "late"})]).refused == 1
        (aside,) = store.spool_files(refused=True)
        live = store.client.client
        store.client.client = OpenSearch(hosts=["http://127.0.0.1:9"], max_retries=0)  # nothing listens
        try:
            report = store.replay_spool(refused=True)
        finally:
            store.client.client.close()
            store.client.client = live
        assert (report.replayed, report.spooled) == (0, 1) and "unreachable" in report.errors[0]
        assert store.spool_files(refused=True) == [aside] and not list(settings.spool_dir.glob("*.jsonl"))
        store.client.request("POST", f"/{month}/_open")
    finally:
        store.drop_all()
        store.close()


@pytest.mark.engine
def test_migration_swaps_in_a_new_mapping_version(processed, tmp_path) -> None:  # noqa: ANN001
    from duluan.index.engine_store import EngineStore, NeedsMigration
    from tests.conftest import _engine_settings

    settings = _engine_settings(tmp_path)
    old = EngineStore(settings)
    try:
        old.upsert(processed)
        old.refresh()
        new = EngineStore(settings, mapping_version=old.version + 1)
        with pytest.raises(NeedsMigration):
            new.upsert(processed[:1])
        report = new.migrate()
        assert report.documents == MIRROR_ARTICLES and len(report.indices) == 3  # three months
        assert set(new.indices().values()) == {old.version + 1}
        assert new.count() == MIRROR_ARTICLES
        assert new.upsert(processed).written == MIRROR_ARTICLES
        new.refresh()
        assert new.count() == MIRROR_ARTICLES
        assert [h.article.title for h in new.search(Query(text="gia vang")).hits] == [GOLD]
    finally:
        old.drop_all()
        old.close()


@pytest.mark.engine
def test_spooled_articles_replay_into_their_monthly_index(processed, tmp_path) -> None:  # noqa: ANN001
    import json

    from duluan.index.engine_store import EngineStore
    from tests.conftest import _engine_settings

    settings = _engine_settings(tmp_path)
    store = EngineStore(settings)
    try:
        # JSON may hold line separators other than "\n" unescaped (U+2028, U+0085): a line
        # of the spool ends at "\n" only.
        first = processed[0].model_copy(update={"authors": ["Minh\u2028Anh\x85"]})
        second = processed[1]
        store.spool.put([store.doc(first)])
        # A line as spooled before the index was left out of it: still replayed.
        old = settings.spool_dir / "0.jsonl"
        old.write_text(json.dumps({**second.to_doc(), "_index": "gone"}, ensure_ascii=False) + "\n",
                       encoding="utf-8")
        # A file that no longer holds valid articles is set aside and reported, not replayed.
        (settings.spool_dir / "1.jsonl").write_text('{"id": "x", "no_such_field": 1}\n')
        (settings.spool_dir / "2.jsonl").write_text("\n")  # no articles: nothing to send, removed
        report = store.upsert([])
        assert (report.replayed, report.spooled) == (2, 0), report.errors
        assert len(report.errors) == 1 and "1.jsonl" in report.errors[0]
        assert not list(settings.spool_dir.glob("*.jsonl"))
        assert (settings.spool_dir / "unreadable" / "1.jsonl").exists()
        store.refresh()
        for article in (first, second):
            assert store.get(article.id) == article
        assert set(store.indices()) == {store.index_for(first), store.index_for(second)}
    finally:
        store.drop_all()
        store.close()


def test_embedded_store_brings_an_older_store_to_the_latest_schema(processed, tmp_path) -> None:  # noqa: ANN001
    """A store made before migrations were numbered (user_version 0, without the value tables)
    gets the missing tables, filled from its articles, and answers as a new store does."""
    import sqlite3

    from duluan.index.sqlite_schema import LATEST
    from duluan.index.sqlite_store import EmbeddedStore

    facets = Query(size=0, facets=["keywords", "entities"], facet_size=20, highlight=False)
    fresh = EmbeddedStore(tmp_path / "new.sqlite")
    fresh.upsert(processed)
    expected = fresh.search(facets).facets
    fresh.close()
    old = tmp_path / "old.sqlite"
    store = EmbeddedStore(old)
    store.upsert(processed)
    store.close()
    raw = sqlite3.connect(old)
    raw.executescript("DROP TABLE article_values; DROP TABLE value_days; PRAGMA user_version = 0;")
    raw.close()

    store = EmbeddedStore(old)
    try:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert expected["keywords"] and store.search(facets).facets == expected
        assert store.count() == len(processed)
    finally:
        store.close()
    again = EmbeddedStore(old)  # a second open runs no step again: nothing is counted twice
    assert again.search(facets).facets == expected
    again.close()


def test_a_reviewers_label_survives_reprocessing_and_old_stores(processed, tmp_path) -> None:  # noqa: ANN001
    """topic_source / tone_source say who set a label. An embedded store from before they
    existed gets them from its scores (exactly 1 was a reviewer's label); a rerun of the
    pipeline keeps a reviewer's label and replaces the model's."""
    import sqlite3

    from duluan.core.record import LabelSource
    from duluan.index.sqlite_store import EmbeddedStore
    from duluan.pipeline import keep_review

    path = tmp_path / "old.sqlite"
    store = EmbeddedStore(path)
    store.upsert(processed)
    mine, other = processed[0].id, processed[1].id
    store.update_fields({mine: {"tone": "negative", "tone_score": 1.0}})
    store.close()
    raw = sqlite3.connect(path)  # as a store was before the two columns and migration step 4
    raw.executescript("ALTER TABLE articles DROP COLUMN topic_source; ALTER TABLE articles DROP COLUMN "
                      "tone_source; PRAGMA user_version = 3;")
    raw.close()
    store = EmbeddedStore(path)
    try:
        assert store.get(mine).tone_source is LabelSource.HUMAN
        assert store.get(mine).topic_source is store.get(other).tone_source is LabelSource.MODEL
        rerun = [a.model_copy(update={"tone": "positive", "tone_score": 0.7}) for a in processed[:2]]
        kept = {a.id: a for a in keep_review(store, rerun)}
        assert (kept[mine].tone, kept[mine].tone_source) == ("negative", LabelSource.HUMAN)
        assert (kept[other].tone, kept[other].tone_source) == ("positive", LabelSource.MODEL)
    finally:
        store.close()
