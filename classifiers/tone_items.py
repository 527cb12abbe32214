"""The news-tone corpus: which items were annotated, rebuilt from the shared data by id.

The repository ships only item ids and labels (`classifiers/data/tone/`); the texts
stay in `../shared/data`, whose press texts must not be republished. An item is a
headline and its lead, as an RSS reader sees it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from duluan.classifiers.corpora import hash_bucket
from duluan.core.normalize import normalize_text
from duluan.nlp.corpus import read_jsonl

DATA = Path(__file__).parent / "data" / "tone"
# Báo Mới categories that carry news (not shopping tips or pets), and VNTC's ten labels.
BAOMOI_NEWS = [
    "chinh tri va phap luat", "con nguoi va xa hoi", "giao duc va viec lam - giao duc",
    "giao duc va viec lam - viec lam", "khoa hoc", "khoa hoc - sinh thai va moi truong",
    "kinh doanh va cong nghiep", "suc khoe", "tai chinh", "tai chinh - dau tu - co phieu va trai phieu",
    "the thao - the thao dong doi - bong da", "the thao - the thao doi khang", "bat dong san",
    "du lich", "mang may tinh va vien thong", "con nguoi va xa hoi - khoa hoc xa hoi - van hoa",
]


@dataclass
class Item:
    id: str  # "vntc:<id>" or "baomoi:<id>"
    corpus_label: str
    text: str  # headline, newline, lead


def _vntc_item(row: dict) -> Item:
    lines = [normalize_text(x) for x in row["text"].split("\n") if x.strip()]
    headline = lines[0][:200]
    lead = lines[1] if len(lines) > 1 else ""
    lead = lead if len(lead) < 400 else lead[:400].rsplit(" ", 1)[0] + " …"
    return Item(f"vntc:{row['id']}", row["label"], f"{headline}\n{lead}")


def _baomoi_item(row: dict) -> Item:
    lines = [normalize_text(x) for x in row["text"].split("\n") if x.strip()]
    return Item(f"baomoi:{row['id']}", row["label"], "\n".join(lines))


def all_items(shared: Path) -> Iterator[Item]:
    for row in read_jsonl(shared / "topic/vntc10/train.jsonl.gz"):
        if not row.get("dup_label_conflict"):
            yield _vntc_item(row)
    for row in read_jsonl(shared / "topic/baomoi-2018/snippets.jsonl.gz"):
        if row["label"] in BAOMOI_NEWS and not row.get("dup_label_conflict"):
            yield _baomoi_item(row)


def sample(shared: Path, n: int, seed: int = 2026) -> list[Item]:
    """n items spread evenly over corpus labels: 40 % VNTC (2006–07), 60 % Báo Mới (2016–18)."""
    by_label: dict[str, list[Item]] = {}
    for item in all_items(shared):
        by_label.setdefault(item.id.split(":")[0] + "/" + item.corpus_label, []).append(item)
    rng = random.Random(seed)
    vntc = [k for k in by_label if k.startswith("vntc/")]
    baomoi = [k for k in by_label if k.startswith("baomoi/")]
    chosen: list[Item] = []
    for keys, share in ((vntc, 0.4), (baomoi, 0.6)):
        per_label = round(n * share / len(keys))
        for key in sorted(keys):
            chosen += rng.sample(by_label[key], per_label)
    rng.shuffle(chosen)
    return chosen


# The annotated corpus, in labelling order: (items drawn, seed, how many of the new ones were
# labelled). Each draw leaves out items an earlier draw already holds.
DRAWS = [(2400, 2026, 2400), (1700, 2027, 1600), (2300, 2028, 2210), (1300, 2029, 1218),
         (1300, 2030, 1198)]


# Lines of labels.jsonl per annotation round, in file order. train.tone_split holds out a share
# of each round on its own, so an item held out once stays held out as the corpus grows. A new
# round's held-out ids go into held_out.txt before any of its labels is corrected. The fourth
# round is held out whole: in cross-validation it added nothing to training (docs/models.md),
# so it serves as a larger test of a model fixed before the round was labelled.
ROUNDS = (5000, 1210, 1218, 1198)


def label_rounds(path: Path = DATA / "labels.jsonl") -> list[list[str]]:
    """The annotated item ids of each round, in labelling order."""
    with path.open(encoding="utf-8") as fh:
        ids = [json.loads(line)["id"] for line in fh if line.strip()]
    if sum(ROUNDS) != len(ids):
        raise ValueError(f"{path.name} has {len(ids)} items but ROUNDS accounts for {sum(ROUNDS)}: "
                         "record the new round in tone_items.ROUNDS")
    starts = [sum(ROUNDS[:k]) for k in range(len(ROUNDS) + 1)]
    return [ids[a:b] for a, b in zip(starts, starts[1:], strict=False)]


HELD_OUT = DATA / "held_out.txt"


def held_out_ids(path: Path = HELD_OUT) -> set[str]:
    """The held-out item ids, one per line: each round's stratified fifth, drawn on the labels as
    first recorded (train.tone_split) and written down, so later corrections do not redraw it;
    or a whole round kept for testing."""
    if not path.exists():
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def _lead(text: str) -> str:
    lead = next((normalize_text(x) for x in text.split("\n") if x.strip()), "")
    return lead if len(lead) < 400 else lead[:400].rsplit(" ", 1)[0] + " …"


def current_items(shared: Path) -> Iterator[Item]:
    """Current news (2022–25): vnnews-2024 headlines with their article's first paragraph, and
    vnexpress-2023 headlines with their sapo; the section is the corpus label."""
    for row in read_jsonl(shared / "topic/vnnews-2024/articles.jsonl.gz"):
        yield Item(row["id"], f"vnnews-2024:{row['section']}",
                   f"{normalize_text(row['title'])}\n{_lead(row['text'])}")
    for row in read_jsonl(shared / "topic/vnexpress-2023/snippets.jsonl.gz"):
        yield Item(row["id"], f"vnexpress-2023:{row['section']}",
                   f"{normalize_text(row['title'])}\n{_lead(row['sapo'])}")


def sample_current(shared: Path, n: int = 1500, seed: int = 2031) -> list[Item]:
    """n current items, spread evenly over the two corpora's sections, in a seeded order."""
    by_section: dict[str, list[Item]] = {}
    for item in current_items(shared):
        by_section.setdefault(item.corpus_label, []).append(item)
    rng = random.Random(seed)
    for items in by_section.values():
        rng.shuffle(items)
    picked: list[Item] = []
    sections = sorted(by_section)
    while len(picked) < n and any(by_section.values()):
        for section in sections:
            if by_section[section] and len(picked) < n:
                picked.append(by_section[section].pop())
    rng.shuffle(picked)
    return picked


CURRENT_PREFIXES = ("vnnews2024:", "vnexpress2023:")


def load_texts(shared: Path, ids: set[str]) -> dict[str, Item]:
    current = {i for i in ids if i.startswith(CURRENT_PREFIXES)}
    found = {item.id: item for item in all_items(shared) if item.id in ids} if ids - current else {}
    if current:
        found |= {item.id: item for item in current_items(shared) if item.id in current}
    return found


# The fifth round (current news): its stratified fifth, drawn once (train.tone_split, seed 13)
# and written down before any of its labels was corrected.
CURRENT_LABELS = DATA / "labels_current.jsonl"
HELD_OUT_CURRENT = DATA / "held_out_current.txt"

DANES = Path("sentiment/danes-2021/items.jsonl")


def danes_side(item_id: str) -> str:
    """DANeS has no split: 30 % of it is held out for testing, chosen by a hash of the id."""
    return "test" if hash_bucket(item_id, 10) < 3 else "train"


def danes_items(shared: Path) -> dict[str, tuple[Item, str]]:
    """DANeS's headline + sapo items (CC-BY-4.0, credit DANeS) with the tone its annotators gave."""
    return {row["id"]: (Item(row["id"], "danes", f"{normalize_text(row['title'])}\n{_lead(row['sapo'])}"),
                        row["tone"])
            for row in read_jsonl(shared / DANES)}


def read_labels(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as fh:
        return {r["id"]: r["tone"] for r in map(json.loads, fh) if r.get("tone")}
