"""A real Scrapy crawl over HTTP on loopback of the offline mirror, and extraction checks."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from crawlers.evaluate import word_f1
from crawlers.mirror.server import Mirror
from crawlers.registry import Registry, RegistryError, load_source
from duluan.settings import Settings
from tests.conftest import duluan

VNEXPRESS_URL = "https://vnexpress.net/dau-bung-keo-dai-phat-hien-ung-thu-lymphoma-ruot-non-4954454.html"


def test_crawl_stores_every_mirror_article_once(crawled: Settings) -> None:
    db = sqlite3.connect(crawled.crawl_db)
    rows = [json.loads(doc) for (doc,) in db.execute("SELECT doc FROM raw_articles")]
    assert len(rows) == 6
    by_source = sorted(r["source"] for r in rows)
    assert by_source == ["dantri"] * 5 + ["vnexpress"]
    titles = {r["title"] for r in rows}
    assert "Giá vàng giảm sau dấu hiệu khả quan của kinh tế Mỹ" in titles
    assert "Đau bụng kéo dài, phát hiện ung thư lymphoma ruột non" in titles
    for row in rows:
        assert row["published_at"], row["url"]
        assert len(row["body"]) > 500, row["url"]
        assert row["url"].startswith("https://"), "articles keep the outlet's real URL"


def test_second_crawl_fetches_no_article_again(crawled: Settings, mirror: Mirror) -> None:
    result = duluan("crawl", "--all", "--mirror", mirror.url, data_dir=crawled.data_dir)
    assert "articles: 0 new" in result.stdout
    # Feeds are conditional GETs now: the mirror answers 304 to the stored ETag.
    assert "2 not modified" in result.stdout, result.stdout


def test_vnexpress_page_matches_its_expected_extraction(shared_data, tmp_path) -> None:  # noqa: ANN001
    folder = shared_data / "pages/vnexpress-2025"
    expected = json.loads((folder / "VnExpress.expected.json").read_text("utf-8"))["V1"]
    result = duluan("extract", str(folder / "VnExpress_2025_10_22.html"), "--url", VNEXPRESS_URL,
                    data_dir=tmp_path)
    got = json.loads(result.stdout)
    assert got["title"] == expected["title"]
    assert got["authors"] == expected["authors"]
    assert got["published"] == expected["publishing_date"].replace(" ", "T")
    assert got["sapo"] == expected["body"]["summary"][0]
    assert got["extractor"] == "rules"
    expected_words = " ".join(
        p for s in expected["body"]["sections"] for p in s["paragraphs"]
    ).split()
    assert word_f1(got["body"] + got["captions"], expected_words) >= 0.98


DANTRI = sorted((Path(__file__).parent / "fixtures/dantri-2022").glob("*.expected.json"))


@pytest.mark.parametrize("expected_file", DANTRI, ids=lambda p: p.name[:40])
def test_dantri_pages_match_their_expected_extraction(shared_data, expected_file: Path) -> None:  # noqa: ANN001
    from crawlers.extract import extract
    from crawlers.registry import default_registry

    expected = json.loads(expected_file.read_text("utf-8"))
    page = shared_data / "pages/dantri-2022" / expected_file.name.replace(".expected.json", ".html")
    got = extract(page.read_text("utf-8"), expected["url"], default_registry()["dantri"]).to_json()
    assert got["title"] == expected["title"]
    assert got["published"] == expected["published"]
    assert got["extractor"] == "rules"
    assert word_f1(got["body"], expected["body"]) >= 0.97


def test_every_dantri_page_has_an_expected_extraction(shared_data) -> None:  # noqa: ANN001
    pages = {p.stem for p in (shared_data / "pages/dantri-2022").glob("*.html") if ".orig" not in p.name}
    assert {p.name.replace(".expected.json", "") for p in DANTRI} == pages and len(pages) == 16


def test_registry_errors_name_the_file_and_field(tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "baomoi.toml"
    bad.write_text('id = "baomoi"\nname = "x"\nhome = "not a url"\ndomains = ["x.vn"]\n'
                   'tier = "central"\narticle_url = "x"\n', "utf-8")
    try:
        load_source(bad)
    except RegistryError as exc:
        assert "baomoi.toml" in str(exc) and "home" in str(exc)
    else:
        raise AssertionError("an invalid source loaded")


def test_shipped_registry_loads() -> None:
    registry = Registry.load()
    assert {"vnexpress", "dantri"} <= set(registry.sources)
    assert registry.for_url(VNEXPRESS_URL).id == "vnexpress"


@pytest.mark.parametrize("allow_loopback", [False, True])
def test_crawler_never_fetches_private_addresses(allow_loopback: bool) -> None:
    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from crawlers.middlewares import BlockedAddress, PublicAddressesOnlyMiddleware
    from crawlers.spiders.news import NewsSpider

    crawler = get_crawler(NewsSpider, {"DULUAN_ALLOW_LOOPBACK": allow_loopback})
    guard = PublicAddressesOnlyMiddleware.from_crawler(crawler)
    always_blocked = ["http://10.0.0.7/rss", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/",
                      "http://[fe80::1]/", "http://0.0.0.0:8080/", "http://100.64.0.1/", "http://224.0.0.1/"]
    loopback = ["http://127.0.0.1:22/", "http://localhost:9200/_cat/indices", "http://[::1]/"]
    for url in always_blocked + ([] if allow_loopback else loopback):
        with pytest.raises(BlockedAddress):
            guard.process_request(Request(url))
    for url in ["http://1.1.1.1/tin.rss", *(loopback if allow_loopback else [])]:
        assert guard.process_request(Request(url)) is None, url
    assert crawler.stats.get_value("duluan/blocked/non_public_address") == len(always_blocked) + (
        0 if allow_loopback else len(loopback))


@pytest.mark.parametrize(("name", "title", "sapo_start"), [
    ("the-gioi__the-tran-giang-co-tren-chien-truong-ukraine-sau-10-thang-xung-dot-khoc-liet-20221223160208680",
     "Thế trận giằng co trên chiến trường Ukraine sau 10 tháng xung đột khốc liệt",
     "Khi cuộc xung đột sắp bước sang năm thứ hai"),
    ("xa-hoi__khong-khi-nguoi-dan-don-giang-sinh-vui-tuoi-am-ap-tren-khap-ca-nuoc-20221224200034706",
     "Không khí người dân đón Giáng sinh vui tươi, ấm áp trên khắp cả nước",
     "Nhà thờ trên khắp cả nước rực rỡ ánh đèn"),
])
def test_dantri_long_read_layouts_follow_the_rules(shared_data, name: str, title: str,  # noqa: ANN001
                                                   sapo_start: str) -> None:
    """Dân trí's e-magazine pages (a photo story; a long read whose headline is an image)."""
    from crawlers.extract import extract
    from crawlers.registry import default_registry

    section, slug = name.split("__")
    html = (shared_data / "pages/dantri-2022" / f"{name}.html").read_text("utf-8")
    got = extract(html, f"https://dantri.com.vn/{section}/{slug}.htm", default_registry()["dantri"])
    assert (got.extractor, got.title, got.authors) == ("rules", title, [])
    assert got.sapo.startswith(sapo_start) and got.sapo not in got.body
    assert len(got.body) >= 8 and all(p.casefold() != title.casefold() for p in got.body)
    assert got.published is not None and got.published.isoformat().startswith("2022-12-2")


def test_killed_crawl_resumes_without_loss_or_duplicates(tmp_path) -> None:  # noqa: ANN001
    """kill -9 once the feeds are read and article pages are on their way; the rerun gets 304
    for the unchanged feeds, yet fetches what the killed run had found, and stores each once."""
    import os
    import signal
    import subprocess
    import sys
    import time

    db = tmp_path / "crawl.sqlite"

    def count(sql: str) -> int:
        try:
            with sqlite3.connect(db) as con:
                return con.execute(sql).fetchone()[0]
        except sqlite3.OperationalError:  # not created yet
            return 0

    with Mirror(delay=5.0) as slow:
        crawl = subprocess.Popen(
            [sys.executable, "-m", "duluan.cli", "--data-dir", str(tmp_path), "crawl", "--all", "--mirror",
             slow.url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while count("SELECT COUNT(*) FROM feed_validators") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the article requests are out, their answers 5 s away
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait()
    assert count("SELECT COUNT(*) FROM feed_validators") == 2
    found, stored = count("SELECT COUNT(*) FROM frontier"), count("SELECT COUNT(*) FROM raw_articles")
    assert found == 6 and stored == 0, (found, stored)

    with Mirror() as mirror:
        out = duluan("crawl", "--all", "--mirror", mirror.url, data_dir=tmp_path).stdout
        assert "articles: 6 new" in out and "6 links resumed from an interrupted run" in out, out
        assert count("SELECT COUNT(*) FROM raw_articles") == 6
        assert count("SELECT COUNT(DISTINCT id) FROM raw_articles") == 6
        assert "articles: 0 new" in duluan("crawl", "--all", "--mirror", mirror.url, data_dir=tmp_path).stdout
    assert count("SELECT COUNT(*) FROM frontier") == 0


def test_recheck_finds_edits_and_takedowns_and_keeps_review_work(tmp_path) -> None:  # noqa: ANN001
    import shutil

    from crawlers.mirror.server import SITE
    from index import Query
    from index.sqlite_store import EmbeddedStore

    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    data = tmp_path / "data"
    gold = next(site.glob("dantri.com.vn/kinh-doanh/gia-vang-*.htm"))
    flat = next(site.glob("dantri.com.vn/bat-dong-san/can-ho-*.htm"))
    with Mirror(site=site) as mirror:
        assert "articles: 6 new" in duluan("crawl", "--all", "--mirror", mirror.url, data_dir=data).stdout
        duluan("process", data_dir=data)
        store = EmbeddedStore(data / "articles.sqlite")
        gold_id = store.search(Query(text="giá vàng", size=1)).hits[0].article.id
        flat_id = store.search(Query(text="căn hộ chung cư", size=1)).hits[0].article.id
        store.update_fields({gold_id: {"review_state": "reviewed", "flag": "can-theo-doi"}})
        store.close()

        # The outlet edits one article and takes another down.
        gold.write_text(gold.read_text("utf-8").replace("1.800 USD/ounce", "1.850 USD/ounce"), "utf-8")
        flat.unlink()
        recheck = ("crawl", "--all", "--recheck-days", "100000", "--mirror", mirror.url)
        out = duluan(*recheck, data_dir=data).stdout
        assert "articles: 0 new, 1 updated, 1 gone, 4 unchanged" in out, out
        again = duluan(*recheck, data_dir=data).stdout
        assert "0 updated, 0 gone, 5 unchanged" in again, again  # nothing is reported twice
    duluan("process", data_dir=data)
    store = EmbeddedStore(data / "articles.sqlite")
    edited, gone = store.get(gold_id), store.get(flat_id)
    assert edited.status == "edited" and "1.850 USD/ounce" in edited.text
    assert (edited.review_state, edited.flag) == ("reviewed", "can-theo-doi")  # reviewers' work kept
    assert gone.status == "gone"
    assert store.count() == 6
    store.close()
