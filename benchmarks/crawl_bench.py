"""Crawl benchmark: article pages per second for crawl + extraction of the mirror over loopback,
politeness delays off, median of 3 runs; beside it, trafilatura's generic extraction alone on
the same pages, for speed and body word-F1.

    python benchmarks/crawl_bench.py [--pages 2000] [--runs 3]

The mirror serves the 16 real Dân trí pages of ../shared/data under N distinct article URLs,
listed in one feed (plus the bundled VnExpress page). Each run is a fresh `duluan crawl --all`
in its own process with an empty data directory, timed from start to exit (Scrapy's start-up
included). Body F1 is measured against the expected extractions in tests/fixtures/dantri-2022
(written from our extraction after auditing each page, so our own F1 there is near 1 by
construction) and against Fundus's independent expected JSON for the VnExpress page.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from duluan.core.settings import REPO_ROOT, get_settings
from duluan.crawlers.evaluate import word_f1
from duluan.crawlers.extract import extract, extract_fallback
from duluan.crawlers.mirror.server import SITE, Mirror
from duluan.crawlers.registry import Source, default_registry

FIXTURES = REPO_ROOT / "tests/fixtures/dantri-2022"
VNEXPRESS_URL = "https://vnexpress.net/dau-bung-keo-dai-phat-hien-ung-thu-lymphoma-ruot-non-4954454.html"


def build_site(pages: list[Path], n: int, root: Path) -> Path:
    site = root / "site"
    # The real outlets only: the hostile cases (a 15-second timeout among them) measure nothing here.
    for host in ("dantri.com.vn", "vnexpress.net", "e.vnexpress.net"):
        shutil.copytree(SITE / host, site / host)
    folder = site / "dantri.com.vn" / "bench"
    folder.mkdir()
    items = []
    for i in range(n):
        page = pages[i % len(pages)]
        url = f"https://dantri.com.vn/bench/bai-{i}-{20221224000000000 + i}.htm"
        # Each copy is its own article: without the original's canonical link it keeps its URL,
        # and a numbered first paragraph keeps it from being the same text under another URL.
        html = page.read_text("utf-8").replace('rel="canonical"', 'rel="x-canonical"')
        html = re.sub(r'(<div class="(?:singular-content|e-magazine__body)[^>]*>)',
                      rf"\1<p>Bản sao số {i} của trang đo tốc độ.</p>", html, count=1)
        (folder / url.rsplit("/", 1)[1]).write_text(html.replace('property="og:url"', 'property="x-og-url"'))
        items.append(f"<item><title>Bài {i}</title><link>{url}</link><guid>{url}</guid></item>")
    (site / "dantri.com.vn/rss/home.rss").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Dân trí</title>'
        f"<link>https://dantri.com.vn</link>{''.join(items)}</channel></rss>", "utf-8")
    return site


def crawl_once(site: Path, root: Path, run: int) -> tuple[float, str]:
    data = root / f"data-{run}"
    with Mirror(site=site) as mirror:
        start = time.perf_counter()
        cmd = [sys.executable, "-m", "duluan.cli", "--data-dir", str(data), "crawl", "--all", "--mirror",
               mirror.url]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        return time.perf_counter() - start, out


def extraction_quality(shared: Path) -> dict[str, dict[str, float]]:
    from parsel import Selector

    dantri = default_registry()["dantri"]
    vnexpress = default_registry()["vnexpress"]
    cases = []
    for expected_file in sorted(FIXTURES.glob("*.expected.json")):
        expected = json.loads(expected_file.read_text("utf-8"))
        page = shared / "pages/dantri-2022" / expected_file.name.replace(".expected.json", ".html")
        html = page.read_text("utf-8")
        cases.append(("dantri", html, expected["url"], dantri, expected["body"]))
    vx = json.loads((shared / "pages/vnexpress-2025/VnExpress.expected.json").read_text("utf-8"))["V1"]
    vx_html = (shared / "pages/vnexpress-2025/VnExpress_2025_10_22.html").read_text("utf-8")
    cases.append(("vnexpress", vx_html, VNEXPRESS_URL, vnexpress,
                  [p for s in vx["body"]["sections"] for p in s["paragraphs"]]))
    out: dict[str, dict[str, float]] = {}
    def generic(html: str, url: str, source: Source) -> list[str]:
        return extract_fallback(html, Selector(text=html), url, source).body

    def ours(html: str, url: str, source: Source) -> list[str]:
        return extract(html, url, source).body

    for name, run in (("rules (ours)", ours), ("trafilatura alone", generic)):
        times, f1 = [], {"dantri": [], "vnexpress": []}
        for _ in range(5):
            for outlet, html, url, source, want in cases:
                start = time.perf_counter()
                body = run(html, url, source)
                times.append(time.perf_counter() - start)
                f1[outlet].append(word_f1(body, want))
        out[name] = {"pages_per_s": 1 / statistics.median(times),
                     "f1_dantri": statistics.mean(f1["dantri"]),
                     "f1_vnexpress": statistics.mean(f1["vnexpress"])}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    shared = get_settings().shared_data
    pages = sorted(p for p in (shared / "pages/dantri-2022").glob("*.html") if ".orig" not in p.name)
    root = Path(tempfile.mkdtemp())
    site = build_site(pages, args.pages, root)
    rates = []
    for run in range(args.runs):
        seconds, out = crawl_once(site, root, run)
        new = int(out.split("articles: ")[1].split(" new")[0])
        assert new == args.pages + 1, out  # every page, plus the VnExpress one
        rates.append(new / seconds)
        print(f"run {run + 1}: {new} articles in {seconds:.1f} s = {new / seconds:.0f} pages/s")
    print(f"\ncrawl + extraction over loopback, {args.pages + 1} pages, median of {args.runs}: "
          f"{statistics.median(rates):.0f} article pages/s")
    print("\nextraction alone, 17 real pages x 5 (median time per page; mean body word-F1):")
    for name, figures in extraction_quality(shared).items():
        print(f"  {name:18} {figures['pages_per_s']:6.0f} pages/s   F1 Dân trí {figures['f1_dantri']:.3f}"
              f"   F1 VnExpress {figures['f1_vnexpress']:.3f}")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
