"""Reviewers' corrections join the tone training data; a retrained model replaces the current one
only when held-out macro-F1 does not drop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from duluan.classifiers.corpora import vntc_split
from duluan.classifiers.tone_items import DATA, held_out_ids, label_rounds, load_texts, read_labels
from duluan.classifiers.train import macro_f1_interval, tone_split, train_tone
from duluan.classifiers.word_vectors import WordVectors, cooccurrence_vectors, quantize
from duluan.core.settings import Settings

FLIP = {"negative": "positive", "positive": "negative", "neutral": "negative"}


@pytest.mark.slow
def test_retraining_keeps_the_better_model(shared_data: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, shared_data=shared_data)
    # Word vectors from VNTC-mini: the shipped ones are learnt from 90,000 texts, too slow here.
    articles = vntc_split(shared_data, "vntc10-mini", "train", tmp_path / "cache").texts
    vocabulary, matrix = cooccurrence_vectors(articles, vocabulary_size=8000, dim=100)
    vectors = (WordVectors(vocabulary, *quantize(matrix)), {"vntc10-mini/train": "test"})
    model = tmp_path / "tone.pkl.gz"
    first = train_tone(settings, output=model, vectors=vectors)
    assert first["word_vectors"] == {"words": 8000, "dimensions": 100, "weight": 1.25}
    assert first["replaced"] and model.exists()
    before = model.read_bytes()

    # Corrections that contradict the annotations: held-out macro-F1 drops, the model stays.
    labels = read_labels(DATA / "labels.jsonl")
    ids = tone_split(label_rounds(), labels, held_out=held_out_ids())[0][:600]  # never held out
    texts = load_texts(shared_data, set(ids))
    wrong = ([texts[i].text for i in ids], [FLIP[labels[i]] for i in ids])
    second = train_tone(settings, output=model, extra=wrong, vectors=vectors)
    assert second["change_macro_f1"] < 0 and second["replaced"] is False
    assert second["previous_test"]["macro_f1"] == first["test"]["macro_f1"]
    assert model.read_bytes() == before

    # Corrections that fix a worse model replace it. The model trained with the contradicting
    # labels is saved first (no model there yet), then retrained with the right ones.
    worse = tmp_path / "worse.pkl.gz"
    assert train_tone(settings, output=worse, extra=wrong, vectors=vectors)["replaced"]
    before = worse.read_bytes()
    right = ([texts[i].text for i in ids[:40]], [labels[i] for i in ids[:40]])
    third = train_tone(settings, output=worse, extra=right, vectors=vectors)
    assert third["change_macro_f1"] > 0 and third["replaced"] is True and third["feedback_items"] == 40
    assert third["previous_test"]["macro_f1"] == second["test"]["macro_f1"]
    assert worse.read_bytes() != before
    # Both models read the same vectors: one file beside them.
    assert len(list(tmp_path.glob("vectors-*.npz"))) == 1


def test_held_out_items_stay_held_out_as_the_corpus_grows() -> None:
    labels = read_labels(DATA / "labels.jsonl")
    rounds = label_rounds()
    held_out = held_out_ids()
    assert [len(r) for r in rounds] == [5000, 1210, 1218, 1198] and len(set().union(*rounds)) == len(labels)
    # The recorded split is each of the first three rounds' stratified draw on its labels as
    # first recorded, and the whole fourth round.
    first_recorded = labels | read_labels(DATA / "labels_round2_first.jsonl")
    assert set(tone_split(rounds[:3], first_recorded)[1]) == held_out - set(rounds[3])
    train, test = tone_split(rounds, labels, held_out=held_out)
    assert set(test) == held_out and not set(train) & set(test) and len(test) == 1000 + 242 + 244 + 1198
    assert set(rounds[3]) <= set(test)
    for known in range(1, len(rounds)):  # the split as it was before each later round
        earlier_train, earlier_test = tone_split(rounds[:known], first_recorded)
        assert set(earlier_test) <= set(test) and set(earlier_train) <= set(train)
    for r in rounds[:3]:  # a fifth of each drawn round, each label near its share
        held = [i for i in r if i in held_out]
        assert abs(len(held) - len(r) / 5) <= 1
        for tone in ("negative", "neutral", "positive"):
            share = sum(labels[i] == tone for i in held) / len(held)
            assert abs(share - sum(labels[i] == tone for i in r) / len(r)) < 0.02


def test_a_corrected_label_does_not_move_items_across_the_split() -> None:
    labels = read_labels(DATA / "labels.jsonl")
    rounds = label_rounds()
    corrected = labels | {i: FLIP[labels[i]] for i in rounds[1][:300]}
    assert set(tone_split(rounds, corrected)[1]) != set(tone_split(rounds, labels)[1])  # a redraw moves them
    held_out = held_out_ids()
    assert tone_split(rounds, corrected, held_out=held_out) == tone_split(rounds, labels, held_out=held_out)
    # A new round without recorded held-out items gets its own stratified fifth.
    new_round = [f"new:{n}" for n in range(100)]
    with_new = labels | {i: ("negative", "neutral", "positive")[n % 3] for n, i in enumerate(new_round)}
    train, test = tone_split([*rounds, new_round], with_new, held_out=held_out)
    assert len(set(test) & set(new_round)) == 20 and set(test) - set(new_round) == held_out


def test_macro_f1_interval_brackets_the_score_and_narrows_with_more_items() -> None:
    rng = np.random.default_rng(1)
    tones = np.array(["negative", "neutral", "positive"])

    def scored(n: int) -> tuple[list[str], list[str], float]:
        truth = tones[rng.integers(0, 3, n)]
        guess = np.where(rng.random(n) < 0.75, truth, tones[rng.integers(0, 3, n)])  # ~80 % right
        return list(truth), list(guess), float(f1_score(truth, guess, average="macro"))

    small, large = scored(300), scored(4800)
    (lo, hi), (big_lo, big_hi) = macro_f1_interval(*small[:2]), macro_f1_interval(*large[:2])
    assert lo < small[2] < hi and big_lo < large[2] < big_hi
    assert 0.01 < big_hi - big_lo < (hi - lo) / 2  # four times the items, about half the width
    assert macro_f1_interval(small[0], small[0]) == [1.0, 1.0]
    # The same resamples scored by scikit-learn, a class the labels lack among the predictions.
    truth, guess = np.array(small[0]), np.array(small[1])
    guess[:5] = "other"
    draws = np.random.default_rng(0)
    reference = [f1_score(truth[s], guess[s], average="macro", labels=list(tones), zero_division=0)
                 for s in (draws.integers(0, len(truth), len(truth)) for _ in range(200))]
    expected = [round(float(v), 3) for v in np.percentile(reference, [2.5, 97.5])]
    assert macro_f1_interval(list(truth), list(guess), resamples=200) == expected


def test_current_news_labels_resolve_to_their_texts(shared_data) -> None:  # noqa: ANN001
    """The fifth round ships ids and labels only; every id is found again in the shared data,
    drawn by the documented sample, and every label is one of the three."""
    from duluan.classifiers.tone_items import DATA, load_texts, read_labels, sample_current

    labels = read_labels(DATA / "labels_current.jsonl")
    assert len(labels) == 1500 and set(labels.values()) == {"negative", "neutral", "positive"}
    assert {item.id for item in sample_current(shared_data)} == set(labels)
    texts = load_texts(shared_data, set(labels))
    assert len(texts) == 1500 and all("\n" in item.text for item in texts.values())
    assert set(read_labels(DATA / "labels_current_reread.jsonl")) <= set(labels)
