"""Syndication detection and story clusters, measured on pairs built from VNTC-mini *test*."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from duluan.link.dedup import DuplicateIndex
from duluan.link.stories import StoryIndex
from tests.dedup_pairs import evaluate, pairs_from_vntc


@pytest.fixture(scope="module")
def test_pairs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    return pairs_from_vntc(shared_data, "test", 200, seed=23, cache=tmp_path_factory.mktemp("cache"))


def test_duplicate_detection_precision_and_recall(test_pairs, tmp_path: Path) -> None:  # noqa: ANN001
    segmented, pairs = test_pairs
    result = evaluate(segmented, pairs, tmp_path)
    print("duplicate detection on held-out pairs:", result)
    assert result["positives"] >= 200 and result["negatives"] >= 200
    assert result["precision"] >= 0.95 and result["recall"] >= 0.95, result


def test_earliest_publisher_is_the_original(test_pairs, tmp_path: Path) -> None:  # noqa: ANN001
    segmented, pairs = test_pairs
    i, j, _ = pairs[0]
    index = DuplicateIndex(tmp_path / "d.sqlite")
    noon = datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert index.check("copy", noon, segmented[j]).duplicate_of is None
    # The original is crawled later but was published earlier: the copy is repointed.
    verdict = index.check("original", noon - timedelta(hours=3), segmented[i])
    assert verdict.duplicate_of is None and verdict.repointed == ["copy"]
    # A third copy points at the original, not at the first copy.
    assert index.check("third", noon + timedelta(hours=1), segmented[j]).duplicate_of == "original"


def test_copies_share_a_story_and_different_stories_do_not(test_pairs, tmp_path: Path) -> None:  # noqa: ANN001
    segmented, pairs = test_pairs
    stories = StoryIndex(tmp_path / "s.sqlite")
    day = datetime(2024, 5, 1, 8, tzinfo=UTC)
    together = apart = 0
    story_ids = set()
    negatives = [p for p in pairs if not p[2]][:100]
    positives = [p for p in pairs if p[2]][:100]
    for k, (i, j, _) in enumerate(positives):
        a = stories.assign(f"p{k}a", day, f"a{k}", segmented[i], [])
        b = stories.assign(f"p{k}b", day + timedelta(hours=1), f"b{k}", segmented[j], [])
        together += a.id == b.id
        story_ids.add(a.id)
    for k, (i, j, _) in enumerate(negatives):
        a = stories.assign(f"n{k}a", day + timedelta(days=30 + 10 * k), f"a{k}", segmented[i], [])
        b = stories.assign(f"n{k}b", day + timedelta(days=30 + 10 * k, hours=1), f"b{k}", segmented[j], [])
        apart += a.id != b.id
    # 100 stories on one day: copies join their original, the originals stay apart.
    assert together >= 95 and apart >= 90 and len(story_ids) >= 90, (together, apart, len(story_ids))


def test_story_keeps_its_members_on_reprocessing(test_pairs, tmp_path: Path) -> None:  # noqa: ANN001
    segmented, _ = test_pairs
    stories = StoryIndex(tmp_path / "s.sqlite")
    day = datetime(2024, 5, 1, 8, tzinfo=UTC)
    first = stories.assign("x", day, "Tiêu đề", segmented[0], [])
    assert stories.assign("x", day, "Tiêu đề", segmented[0], []).id == first.id
    assert stories.assign("x", day, "Tiêu đề", segmented[0], []).size == 1
