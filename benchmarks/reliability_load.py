"""The reliability load, long: 20 reviewers, 2,000 requests over real HTTP while the pipeline
writes into the same embedded store, three runs (tests/reliability runs 400 requests once).

    python benchmarks/reliability_load.py [--reviewers 20] [--requests 2000] [--runs 3]

Prints each run's requests, errors, p50/p95 of every request and of the feed page, and the
median over the runs. docs/benchmarks.md records it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.reliability.load import run_load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    errors, feed_p95, all_p95 = [], [], []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            report = run_load(Path(tmp), args.reviewers, args.requests)
        print(f"run {run + 1}: {report.line()}", flush=True)
        errors.append(sum(report.errors.values()))
        feed_p95.append(statistics.quantiles(report.feed_ms, n=100)[94])
        all_p95.append(statistics.quantiles(report.all_ms, n=100)[94])
    print(f"median of {args.runs}: errors {statistics.median(errors)}, feed p95 "
          f"{statistics.median(feed_p95):.0f} ms, every request p95 {statistics.median(all_p95):.0f} ms")


if __name__ == "__main__":
    main()
