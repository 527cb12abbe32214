"""`duluan train topic --from-crawl`: articles crawled from the mirror over real HTTP, labelled by
their outlet's own sections, join the training data; the model is replaced only when the fixed
current-news held-out scores do not drop."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from duluan.classifiers.corpora import vntc_split
from duluan.classifiers.train import crawled_by_section, train_topic
from duluan.classifiers.word_vectors import WordVectors, cooccurrence_vectors, quantize
from duluan.core.settings import Settings
from tests.conftest import MIRROR_ARTICLES


def _subset(source: Path, target: Path, keep: int, key: str) -> None:
    """The first `keep` rows of each value of `key`: a small copy of a shared corpus."""
    seen: Counter[str] = Counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(source, "rt", encoding="utf-8") as fh, gzip.open(target, "wt", encoding="utf-8") as out:
        for line in fh:
            row = json.loads(line)
            group = str(row.get(key))
            if seen[group] < keep:
                seen[group] += 1
                out.write(line)


@pytest.fixture
def small_shared(shared_data: Path, tmp_path: Path) -> Path:
    """The shared data's topic corpora, cut down so that training takes seconds."""
    root = tmp_path / "shared"
    cuts = (("vnnews-2024/articles", 60, "section"), ("vnexpress-2023/snippets", 1500, "split"),
            ("baomoi-2018/snippets", 40, "label"))
    for corpus, keep, key in cuts:
        _subset(shared_data / f"topic/{corpus}.jsonl.gz", root / f"topic/{corpus}.jsonl.gz", keep, key)
    (root / "topic/vntc10-mini").symlink_to(shared_data / "topic/vntc10-mini")
    return root


@pytest.mark.slow
def test_crawled_sections_join_training_only_when_scores_hold(crawled: Settings, small_shared: Path,
                                                              tmp_path: Path) -> None:
    labelled = crawled_by_section(crawled)
    by_title = {text.split("\n", 1)[0]: topic for text, topic in zip(*labelled, strict=True)}
    # Every mirror article's outlet maps its section: Dân trí by URL, Tuổi Trẻ and VnExpress by
    # the section the page names, Báo Thái Nguyên by URL.
    assert len(labelled[1]) == MIRROR_ARTICLES
    assert by_title["Tỉnh ủy Thái Nguyên sơ kết công tác tuyên giáo năm 2026"] == "chinh-tri-xa-hoi"
    assert Counter(labelled[1])["giao-duc"] == 1 and Counter(labelled[1])["the-gioi"] == 1

    settings = Settings(data_dir=tmp_path / "data", shared_data=small_shared)
    articles = vntc_split(small_shared, "vntc10-mini", "train", tmp_path / "cache").texts
    vocabulary, matrix = cooccurrence_vectors(articles, vocabulary_size=6000, dim=50)
    vectors = (WordVectors(vocabulary, *quantize(matrix)), {"vntc10-mini/train": "test"})
    model = tmp_path / "topic.pkl.gz"
    first = train_topic(settings, corpus="vntc10-mini", output=model, vectors=vectors, min_recall=0.0)
    assert first["replaced"] and first["training"]["items"]["crawled"] == 0
    before = model.read_bytes()

    second = train_topic(settings, corpus="vntc10-mini", output=model, vectors=vectors, crawled=labelled,
                         min_recall=0.0)
    assert second["training"]["items"]["crawled"] == MIRROR_ARTICLES
    # Old and new scored on the same fixed current-news test items; replaced only if no drop.
    assert second["previous_test"]["n"] == second["test"]["n"] == first["test"]["n"]
    assert second["previous_test"]["macro_f1"] == first["test"]["macro_f1"]
    assert second["replaced"] == (second["change_macro_f1"] >= 0)
    assert (model.read_bytes() == before) != second["replaced"]
