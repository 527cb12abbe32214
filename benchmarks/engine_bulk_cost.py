"""Where the engine's bulk-indexing time goes: the node's own rate for the benchmark corpus,
with the full mapping and with each analysed copy of the text left out.

    python benchmarks/engine_bulk_cost.py [--docs 50000] [--runs 3]

The bodies are serialised before the clock starts, so only the node is timed: this is the
ceiling the store's client can approach. The mapping keeps the article text three times
(`title`/`sapo`/`body` for syllables, `text_folded` for accent-free queries, `text_segmented`
for words and significant terms); the variants show what each copy costs. The variants run
interleaved, round by round, on monthly indices like the store's, and each is reported as the
median of its runs and as a ratio to the full mapping.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from index_bench import corpus, search_engine

from duluan.core.record import Article
from duluan.core.settings import get_settings
from duluan.index.engine_client import EngineClient
from duluan.index.mapping import index_settings, mappings

VARIANTS: dict[str, tuple[str, ...]] = {
    "full mapping": (),
    "without text_folded": ("text_folded", "title_folded"),
    "without text_segmented": ("text_segmented",),
    "without both": ("text_folded", "title_folded", "text_segmented"),
}


def monthly_docs(articles: list[Article]) -> list[dict]:
    """The articles as the engine stores them, each with the month of the index it goes to."""
    return [{**a.to_doc(), "_month": f"{a.published_at or a.fetched_at:%Y.%m}"} for a in articles]


def bodies(docs: list[dict], prefix: str, leave_out: tuple[str, ...]) -> list[bytes]:
    out = []
    for start in range(0, len(docs), 1000):
        lines = []
        for doc in docs[start:start + 1000]:
            lines.append(json.dumps({"index": {"_index": f"{prefix}-{doc['_month']}", "_id": doc["id"]}}))
            lines.append(json.dumps({k: v for k, v in doc.items() if k not in leave_out and k != "_month"},
                                    ensure_ascii=False))
        out.append(("\n".join(lines) + "\n").encode())
    return out


def timed_load(client: EngineClient, prefix: str, payload: list[bytes], documents: int,
               mapping: dict | None = None) -> float:
    """Docs/s for sending `payload` (bodies() for `prefix`) into monthly indices under an index
    template of `mapping` (the store's by default), up to the refresh that makes them visible."""
    client.request("PUT", f"/_index_template/{prefix}", body={
        "index_patterns": [f"{prefix}-*"],
        "template": {"settings": index_settings(), "mappings": mapping or mappings()},
    })
    send: Callable[[bytes], dict] = (
        (lambda b: client.client.bulk(body=b)) if client.distribution == "opensearch"
        else (lambda b: client.client.bulk(operations=b).body))
    start = time.perf_counter()
    for body in payload:
        assert not send(body)["errors"], "the node refused documents"
    client.request("POST", f"/{prefix}-*/_refresh")
    return documents / (time.perf_counter() - start)


def print_medians(title: str, rates: dict[str, list[float]], base: str) -> None:
    """Each variant's median docs/s and its ratio to the median of `base`."""
    reference = statistics.median(rates[base])
    width = max(map(len, rates))
    print(f"\n{title}")
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"  {name:{width}} {median:7.0f} docs/s  {median / reference:4.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = get_settings()
    with search_engine() as url:
        articles = corpus(args.docs, settings.shared_data, settings.data_dir)
        docs = monthly_docs(articles)
        del articles
        client = EngineClient(url)
        rates: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for run in range(args.runs):
            for n, (name, leave_out) in enumerate(VARIANTS.items()):
                prefix = f"bulkcost-{n}"
                mapping = mappings()
                mapping["properties"] = {k: v for k, v in mapping["properties"].items() if k not in leave_out}
                payload = bodies(docs, prefix, leave_out)
                rates[name].append(timed_load(client, prefix, payload, len(docs), mapping))
                print(f"  run {run + 1}, {name}: {rates[name][-1]:.0f} docs/s", flush=True)
                # By name: Elasticsearch 8 refuses wildcard deletes by default.
                for row in client.request("GET", f"/_cat/indices/{prefix}-*", params={"format": "json"}):
                    client.request("DELETE", f"/{row['index']}")
                client.request("DELETE", f"/_index_template/{prefix}")
        print_medians(f"the node alone, {len(docs)} docs, median of {args.runs} runs:", rates, "full mapping")


if __name__ == "__main__":
    main()
