"""Feature extraction shared by the topic and tone models."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion


def words(segmented: str) -> list[str]:
    """Lower-cased segmented words ("kinh_tế")."""
    return segmented.lower().split()


def syllable_bigrams(segmented: str) -> list[str]:
    """Syllable 1- and 2-grams, which survive segmentation errors and unseen compounds."""
    syllables = segmented.lower().replace("_", " ").split()
    return syllables + [f"{a} {b}" for a, b in zip(syllables, syllables[1:], strict=False)]


def text_features(min_df: int = 3, max_features: int | None = 100_000) -> FeatureUnion:
    common = {"min_df": min_df, "sublinear_tf": True, "lowercase": False, "dtype": np.float32}
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer=words, max_features=max_features, **common)),
            (
                "syllables",
                TfidfVectorizer(analyzer=syllable_bigrams, max_features=max_features, **common),
            ),
        ]
    )


def drop_pruned_terms(union: FeatureUnion) -> None:
    """Forget the terms that min_df and max_features pruned: only kept for inspection,
    they would multiply the size of the saved model."""
    for _, vectorizer in union.transformer_list:
        if hasattr(vectorizer, "stop_words_"):
            vectorizer.stop_words_ = None
