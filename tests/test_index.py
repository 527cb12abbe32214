"""One contract, two stores: the embedded SQLite store and a real OpenSearch node."""

from __future__ import annotations

from datetime import date

from duluan.record import Article
from index.highlight import snippet_html
from index.query import MARK_START, Query

GOLD = "Giá vàng giảm sau dấu hiệu khả quan của kinh tế Mỹ"


def _titles(store, **kw) -> list[str]:  # noqa: ANN001
    store.refresh()
    return [h.article.title for h in store.search(Query(**kw)).hits]


def test_upsert_is_idempotent(store, processed: list[Article]) -> None:  # noqa: ANN001
    assert store.upsert(processed).written == 6
    assert store.upsert(processed).written == 6
    store.refresh()
    assert store.count() == 6
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
    assert len(everything) == 6
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
    assert result.total == 6
    assert dict(result.facets["source"]) == {"dantri": 5, "vnexpress": 1}
    assert sum(n for _, n in result.facets["topic"]) == sum(1 for a in processed if a.topic)
    seen = [h.article.id for h in result.hits]
    after = result.next_after
    while after:
        page = store.search(Query(size=2, search_after=after))
        seen += [h.article.id for h in page.hits]
        after = page.next_after
    assert len(seen) == len(set(seen)) == 6
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
