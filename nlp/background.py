"""Background document frequencies for keyword TF-IDF, built from the shared corpora.

`python -m nlp.background` rebuilds `data/background-df.json.gz` from VNTC's training
split (2006–07 articles) and Báo Mới snippets (2016–18 titles and leads), so that
keyword weights reflect both eras. The file ships with the package.
"""

from __future__ import annotations

import gzip
import json
import math
import random
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path

from duluan.core.normalize import normalize_text
from duluan.nlp.corpus import cached_segmentation, read_jsonl

DF_FILE = "data/background-df.json.gz"
MIN_DF = 3
BAOMOI_SAMPLE = 40_000


def document_frequencies(segmented: list[str]) -> Counter:
    df: Counter = Counter()
    for doc in segmented:
        df.update(set(doc.lower().split()))
    return df


def build(shared: Path, cache_dir: Path, output: Path) -> dict:
    vntc = [normalize_text(r["text"]) for r in read_jsonl(shared / "topic/vntc10/train.jsonl.gz")]
    baomoi = [normalize_text(r["text"]) for r in read_jsonl(shared / "topic/baomoi-2018/snippets.jsonl.gz")]
    baomoi = random.Random(7).sample(baomoi, min(BAOMOI_SAMPLE, len(baomoi)))
    docs = cached_segmentation(vntc, cache_dir, "vntc10-train") + cached_segmentation(
        baomoi, cache_dir, "baomoi-sample"
    )
    df = document_frequencies(docs)
    kept = {w: n for w, n in df.most_common() if n >= MIN_DF}
    payload = {"documents": len(docs), "df": kept}
    output.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(output, "wt", encoding="utf-8") as fh:
        json.dump(payload, fh, ensure_ascii=False, separators=(",", ":"))
    return {"documents": len(docs), "terms": len(kept)}


class Background:
    def __init__(self, documents: int, df: dict[str, int]) -> None:
        self.documents = documents
        self.df = df

    def idf(self, word: str) -> float:
        """Smoothed IDF; a word never seen in the background is as rare as can be."""
        return math.log((1 + self.documents) / (1 + self.df.get(word.lower(), 0))) + 1


@lru_cache(maxsize=1)
def background() -> Background:
    path = resources.files("nlp").joinpath(DF_FILE)
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        payload = json.load(fh)
    return Background(payload["documents"], payload["df"])


if __name__ == "__main__":
    from duluan.core.settings import get_settings

    settings = get_settings()
    target = Path(__file__).parent / DF_FILE
    print(build(settings.shared_data, settings.data_dir / "cache", target), "->", target)
