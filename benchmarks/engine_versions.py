"""Bulk indexing into the local node as OpenSearch 3 (on Java 21+) and as OpenSearch 2 (on
Java 17), side by side: the same documents, the same mapping, fresh nodes taking turns.

    python benchmarks/engine_versions.py [--docs 30000] [--runs 4]

Like engine_bulk_cost.py this times the node alone: the bulk bodies are serialised before the
clock starts. Each node first takes 5,000 other documents, so that its JIT has warmed up.
The versions alternate, and which goes first alternates too, because the machine's speed
drifts; each is reported as the median of its runs and as a ratio to OpenSearch 2.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile

from engine_bulk_cost import bodies, monthly_docs, print_medians, timed_load
from index_bench import corpus

from duluan.core.settings import REPO_ROOT, get_settings
from duluan.index.engine_client import EngineClient

SCRIPT = str(REPO_ROOT / "scripts/opensearch.sh")
VERSIONS = ("2", "3")


def node(command: str, version: str, engine_dir: str) -> str:
    env = {**os.environ, "DULUAN_ENGINE_VERSION": version, "DULUAN_ENGINE_DIR": engine_dir}
    done = subprocess.run([SCRIPT, command], env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def load(url: str, warm: list[bytes], payload: list[bytes], documents: int) -> tuple[str, float]:
    client = EngineClient(url)
    timed_load(client, "warm", warm, 0)  # untimed: the JIT warms up
    return client.client.info()["version"]["number"], timed_load(client, "versions", payload, documents)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=4)
    args = parser.parse_args()
    settings = get_settings()
    articles = corpus(args.docs + 5000, settings.shared_data, settings.data_dir)
    docs = monthly_docs(articles)
    del articles
    warm, payload = bodies(docs[args.docs:], "warm", ()), bodies(docs[:args.docs], "versions", ())
    rates: dict[str, list[float]] = {v: [] for v in VERSIONS}
    names: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as engine_dir:
        for run in range(args.runs):
            for version in VERSIONS if run % 2 == 0 else VERSIONS[::-1]:
                url = node("start", version, engine_dir)
                try:
                    names[version], rate = load(url, warm, payload, args.docs)
                finally:
                    node("stop", version, engine_dir)
                rates[version].append(rate)
                print(f"  run {run + 1}, OpenSearch {names[version]}: {rate:.0f} docs/s", flush=True)
    named = {f"OpenSearch {names[v]}": values for v, values in rates.items()}
    print_medians(f"the node alone, {args.docs} docs, median of {args.runs} runs:", named,
                  f"OpenSearch {names['2']}")


if __name__ == "__main__":
    main()
