"""A real Scrapy crawl over HTTP on loopback of the offline mirror, and extraction checks."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from duluan.core.settings import Settings
from duluan.crawlers.evaluate import word_f1
from duluan.crawlers.mirror.server import Mirror
from duluan.crawlers.registry import Registry, RegistryError, load_source
from tests.conftest import MIRROR_ARTICLES, duluan

VNEXPRESS_URL = "https://vnexpress.net/dau-bung-keo-dai-phat-hien-ung-thu-lymphoma-ruot-non-4954454.html"


def test_crawl_stores_every_mirror_article_once(crawled: Settings) -> None:
    db = sqlite3.connect(crawled.crawl_db)
    rows = [json.loads(doc) for (doc,) in db.execute("SELECT doc FROM raw_articles")]
    assert len(rows) == MIRROR_ARTICLES
    by_source = Counter(r["source"] for r in rows)
    assert by_source == {"tuoitre": 6, "dantri": 5, "baothainguyen": 2, "vnexpress": 1}
    titles = {r["title"] for r in rows}
    assert "Giá vàng giảm sau dấu hiệu khả quan của kinh tế Mỹ" in titles
    assert "Đau bụng kéo dài, phát hiện ung thư lymphoma ruột non" in titles
    assert "Thái Nguyên hoàn thành xóa nhà tạm, nhà dột nát" in titles  # found on a listing page
    for row in rows:
        assert row["published_at"], row["url"]
        assert len(row["body"]) > 300, row["url"]
        assert row["url"].startswith("https://"), "articles keep the outlet's real URL"
        assert "utm_" not in row["canonical_url"]


def test_every_hostile_case_is_a_counted_reject_or_a_recovered_article(crawled: Settings) -> None:
    db = sqlite3.connect(crawled.crawl_db)
    rejects = {url.rsplit("/", 1)[1]: reason for url, reason in db.execute("SELECT url, reason FROM rejects")}
    # One article under two URLs: whichever arrives second is the duplicate.
    rain = {"mua-lon-gay-ngap-nhieu-tuyen-duong-o-tp-hcm-20261122173000444.htm",
            "mua-lon-gay-ngap-nhieu-tuyen-duong-o-tp-hcm-20261122173500555.htm"}
    assert [rejects.pop(slug) for slug in rain if slug in rejects] == ["duplicate-content"]
    assert rejects == {
        "toan-canh.htm": "not-article-url",  # a feed link outside the article pattern
        "tai-lieu-noi-bo-20261123140000555.htm": "robots-disallowed",
        "toan-van-bao-cao-chinh-tri-20261123080000777.htm": "too-large",  # 9 MB > DOWNLOAD_MAXSIZE
        "video-toan-canh-le-khoi-cong-cau-tran-hung-dao-20261120120000666.htm": "empty-body",
        "duong-dan-khong-ton-tai-20261123110000111.htm": "http-404",
        "bai-viet-da-go-20261123090000888.htm": "http-410",  # from the truncated feed
        "may-chu-loi-20261123100000999.htm": "http-500",  # after retries with backoff
        "may-chu-treo-20261123120000222.htm": "timeout",
        "chuyen-huong-vong-a-20261123130000333.htm": "redirect-loop",
        "hanoi-starts-building-ninth-bridge-over-red-river-4954455.html": "not-vietnamese",
    }
    docs = {json.loads(d)["title"]: json.loads(d) for (d,) in db.execute("SELECT doc FROM raw_articles")}
    # Served as ISO-8859-1 but written in UTF-8: recovered, not mojibake.
    mislabelled = docs["Bệnh viện Chợ Rẫy ghép thận thành công cho bệnh nhân 70 tuổi"]
    assert mislabelled["sapo"].startswith("Các bác sĩ Bệnh viện Chợ Rẫy")
    # Answered after a second: recovered. Linked with tracking parameters and from the sitemap: once.
    assert "Bộ Giáo dục công bố phương án thi tốt nghiệp THPT năm 2027" in docs
    bridge = [d for d in docs.values() if d["title"].startswith("Hà Nội khởi công cầu Trần Hưng Đạo")]
    assert len(bridge) == 1
    # The article's own time, not the "today" banner (26/11/2026) above it.
    rice = docs["Giá lúa gạo tăng, nông dân miền Tây phấn khởi"]
    assert rice["published_at"] == "2026-11-20T10:18:00+07:00"
    # Boilerplate stays out: related links, "Xem thêm", comments, ads; the caption is kept apart.
    assert all(x not in bridge[0]["body"] for x in ("Tin liên quan", "Xem thêm", "Phản hồi", "Quảng cáo"))
    assert bridge[0]["captions"] == ["Phối cảnh cầu Trần Hưng Đạo - Ảnh: Ban quản lý dự án"]
    assert bridge[0]["authors"] == ["Tiến Thắng"] and bridge[0]["section"] == "Thời sự"


def test_malformed_feeds_yield_what_they_still_hold(mirror: Mirror) -> None:
    from urllib.request import urlopen

    from duluan.crawlers.feeds import parse_feed

    def feed(path: str):  # noqa: ANN202
        with urlopen(f"{mirror.url}/tuoitre.vn/rss/{path}") as response:
            body, content_type = response.read(), response.headers["Content-Type"]
        return parse_feed(body, f"https://tuoitre.vn/rss/{path}", content_type)

    truncated = feed("the-thao.rss")
    assert truncated.malformed and len(truncated.entries) == 2  # the cut-off item still has its link
    broken = feed("phap-luat.rss")
    assert broken.malformed and len(broken.entries) == 1 and broken.skipped == 1  # one had no link
    assert "\x01" not in broken.entries[0].title
    entities = feed("tin-moi-nhat.rss")
    assert not entities.malformed
    assert entities.entries[0].summary == (
        'Sáng 20-11, UBND TP Hà Nội khởi công cầu "Trần Hưng Đạo" & công bố tiến độ – dự kiến 36 tháng.')


def test_second_crawl_fetches_no_article_again(crawled: Settings, mirror: Mirror) -> None:
    result = duluan("crawl", "--all", "--mirror", mirror.url, data_dir=crawled.data_dir)
    assert "articles: 0 new" in result.stdout
    # Feeds are conditional GETs now: the mirror answers 304 to the stored ETag.
    assert "8 not modified" in result.stdout, result.stdout
    assert "rejected: 0" in result.stdout, "a rejected link is not fetched again while its feed is unchanged"


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
    from duluan.crawlers.extract import extract
    from duluan.crawlers.registry import default_registry

    expected = json.loads(expected_file.read_text("utf-8"))
    page = shared_data / "pages/dantri-2022" / expected_file.name.replace(".expected.json", ".html")
    got = extract(page.read_text("utf-8"), expected["url"], default_registry()["dantri"]).to_json()
    assert got["title"] == expected["title"]
    assert got["published"] == expected["published"]
    assert got["extractor"] == "rules:2022"
    assert word_f1(got["body"], expected["body"]) >= 0.97


def test_every_dantri_page_has_an_expected_extraction(shared_data) -> None:  # noqa: ANN001
    pages = {p.stem for p in (shared_data / "pages/dantri-2022").glob("*.html") if ".orig" not in p.name}
    assert {p.name.replace(".expected.json", "") for p in DANTRI} == pages and len(pages) == 16


def test_registry_errors_name_the_file_and_field(tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "baomoi.toml"
    bad.write_text('id = "baomoi"\nname = "x"\nhome = "not a url"\ndomains = ["x.vn"]\n'
                   'tier = "central"\narticle_url = "x"\nexample_url = "https://x.vn/x"\n', "utf-8")
    try:
        load_source(bad)
    except RegistryError as exc:
        assert "baomoi.toml" in str(exc) and "home" in str(exc)
    else:
        raise AssertionError("an invalid source loaded")


def test_shipped_registry_covers_the_outlets_collaborators_follow() -> None:
    registry = Registry.load()
    national = {"vnexpress", "tuoitre", "thanhnien", "dantri", "vietnamnet", "nhandan", "vov", "vtv",
                "baochinhphu", "tuyengiao", "qdnd", "cand", "laodong", "nld", "tienphong", "znews",
                "vietnamplus", "cafef", "suckhoedoisong", "giaoducthoidai"}
    assert national <= {s.id for s in registry.sources.values() if s.tier == "central"}
    provincial = {s.id for s in registry.sources.values() if s.tier == "provincial"}
    assert {"baothainguyen", "tuyengiaothainguyen"} <= provincial and len(provincial) >= 5
    assert len(registry.sources) >= 25
    for source in registry.sources.values():
        # Load-time validation already holds every example to its outlet's pattern; here every
        # outlet claims its own example and no other outlet's.
        assert registry.for_url(str(source.example_url)).id == source.id
        assert sum(other.is_article(str(source.example_url)) for other in registry.sources.values()) == 1
        assert source.rules.title and source.rules.body, source.id
    assert registry.for_url(VNEXPRESS_URL).id == "vnexpress"


def test_registry_checks_the_example_against_the_pattern(tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "baoxyz.toml"
    bad.write_text('id = "baoxyz"\nname = "Báo XYZ"\nhome = "https://baoxyz.vn/"\ndomains = ["baoxyz.vn"]\n'
                   'tier = "provincial"\narticle_url = \'-post\\d+\\.html$\'\n'
                   'example_url = "https://baoxyz.vn/tin-123.htm"\n'
                   '[[feeds]]\nurl = "https://baoxyz.vn/rss/home.rss"\n', "utf-8")
    with pytest.raises(RegistryError, match=r"baoxyz\.toml.*example_url.*does not match field 'article_url'"):
        load_source(bad)


def test_outlet_sections_map_onto_the_taxonomy(tmp_path) -> None:  # noqa: ANN001
    from duluan.classifiers.taxonomy import TOPICS

    registry = Registry.load()
    for source in registry.sources.values():
        assert set(source.section_topics.values()) <= set(TOPICS), source.id
    dantri, tuoitre = registry["dantri"], registry["tuoitre"]
    # The URL's first segment first, then the section the page names; unmapped sections stay out.
    assert dantri.section_topic("https://dantri.com.vn/giao-duc/x-2026112209000.htm", "Xã hội") == "giao-duc"
    assert dantri.section_topic("https://dantri.com.vn/du-lich/x-2026112209000.htm", "Du lịch") is None
    assert tuoitre.section_topic("https://tuoitre.vn/x-20261122090000333.htm", " giáo dục ") == "giao-duc"
    assert tuoitre.section_topic("https://tuoitre.vn/x-20261122090000333.htm", None) is None
    bad = tmp_path / "baoxyz.toml"
    bad.write_text('id = "baoxyz"\nname = "Báo XYZ"\nhome = "https://baoxyz.vn/"\ndomains = ["baoxyz.vn"]\n'
                   'tier = "provincial"\narticle_url = \'-\\d+\\.htm$\'\n'
                   'example_url = "https://baoxyz.vn/tin-123.htm"\n'
                   '[[feeds]]\nurl = "https://baoxyz.vn/rss/home.rss"\n'
                   '[section_topics]\n"Giáo dục" = "Giáo dục"\n', "utf-8")
    with pytest.raises(RegistryError, match=r"baoxyz\.toml.*section_topics.*not a topic slug"):
        load_source(bad)


def test_download_slots_carry_each_outlets_delay_and_concurrency() -> None:
    from scrapy.settings import Settings as ScrapySettings

    from duluan.crawlers.spiders.news import NewsSpider

    settings = ScrapySettings()
    NewsSpider.update_settings(settings)
    slots = settings.getdict("DOWNLOAD_SLOTS")
    assert slots["tuyengiaothainguyen.org.vn"]["delay"] == 3.0
    assert slots["tuyengiaothainguyen.org.vn"]["concurrency"] == 1
    assert slots["www.qdnd.vn"] == slots["qdnd.vn"]


@pytest.mark.parametrize("allow_loopback", [False, True])
def test_crawler_never_fetches_private_addresses(allow_loopback: bool) -> None:
    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from duluan.crawlers.middlewares import BlockedAddress, PublicAddressesOnlyMiddleware
    from duluan.crawlers.spiders.news import NewsSpider

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
    from duluan.crawlers.extract import extract
    from duluan.crawlers.registry import default_registry

    section, slug = name.split("__")
    html = (shared_data / "pages/dantri-2022" / f"{name}.html").read_text("utf-8")
    got = extract(html, f"https://dantri.com.vn/{section}/{slug}.htm", default_registry()["dantri"])
    assert (got.extractor, got.title, got.authors) == ("rules:2022", title, [])
    assert got.sapo.startswith(sapo_start) and got.sapo not in got.body
    assert len(got.body) >= 8 and all(p.casefold() != title.casefold() for p in got.body)
    assert got.published is not None and got.published.isoformat().startswith("2022-12-2")


@pytest.mark.slow
def test_killed_crawl_resumes_without_loss_or_duplicates(tmp_path) -> None:  # noqa: ANN001
    """kill -9 once the feeds are read and article pages are on their way; the rerun gets 304
    for the unchanged feeds, yet fetches what the killed run had found, and stores each once.
    (Scrapy's JOBDIR cannot do this: its queue state is written when the crawl closes.)"""
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
        # Feeds, the sitemap and the listing pages are read (8 validators stored).
        while count("SELECT COUNT(*) FROM feed_validators") < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the article requests are out, their answers 5 s away
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait()
    assert count("SELECT COUNT(*) FROM feed_validators") == 8
    found, stored = count("SELECT COUNT(*) FROM frontier"), count("SELECT COUNT(*) FROM raw_articles")
    assert found >= MIRROR_ARTICLES and stored == 0, (found, stored)

    with Mirror() as mirror:
        out = duluan("crawl", "--all", "--mirror", mirror.url, data_dir=tmp_path).stdout
        assert f"articles: {MIRROR_ARTICLES} new" in out, out
        assert "links resumed from an interrupted run" in out, out
        assert count("SELECT COUNT(*) FROM raw_articles") == MIRROR_ARTICLES
        assert count("SELECT COUNT(DISTINCT id) FROM raw_articles") == MIRROR_ARTICLES
        assert "articles: 0 new" in duluan("crawl", "--all", "--mirror", mirror.url, data_dir=tmp_path).stdout
    assert count("SELECT COUNT(*) FROM frontier") == 0


@pytest.mark.slow
def test_recheck_finds_edits_and_takedowns_and_keeps_review_work(tmp_path) -> None:  # noqa: ANN001
    import shutil

    from duluan.crawlers.mirror.server import SITE
    from duluan.index import Query
    from duluan.index.sqlite_store import EmbeddedStore

    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    data = tmp_path / "data"
    gold = next(site.glob("dantri.com.vn/kinh-doanh/gia-vang-*.htm"))
    flat = next(site.glob("dantri.com.vn/bat-dong-san/can-ho-*.htm"))
    with Mirror(site=site) as mirror:
        first = duluan("crawl", "--all", "--mirror", mirror.url, data_dir=data).stdout
        assert f"articles: {MIRROR_ARTICLES} new" in first, first
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
        assert f"articles: 0 new, 1 updated, 1 gone, {MIRROR_ARTICLES - 2} unchanged" in out, out
        again = duluan(*recheck, data_dir=data).stdout
        assert f"0 updated, 0 gone, {MIRROR_ARTICLES - 1} unchanged" in again, again  # nothing reported twice
    duluan("process", data_dir=data)
    store = EmbeddedStore(data / "articles.sqlite")
    edited, gone = store.get(gold_id), store.get(flat_id)
    assert edited.status == "edited" and "1.850 USD/ounce" in edited.text
    assert (edited.review_state, edited.flag) == ("reviewed", "can-theo-doi")  # reviewers' work kept
    assert gone.status == "gone"
    assert store.count() == MIRROR_ARTICLES
    store.close()


def test_sitemap_index_and_gzipped_sitemaps(tmp_path) -> None:  # noqa: ANN001
    """A (gzipped) sitemap index yields its child sitemaps as conditional requests; a child
    yields its fresh article links; what is not XML is a counted reject, not a crash."""
    import gzip

    from scrapy import Request
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from duluan.crawlers.items import DiscoveryItem, RejectItem
    from duluan.crawlers.spiders.news import NewsSpider

    crawler = get_crawler(NewsSpider, {"DULUAN_CRAWL_DB": str(tmp_path / "crawl.sqlite")})
    spider = NewsSpider.from_crawler(crawler, sources="tuoitre")
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    found: list[DiscoveryItem] = []  # what the store pipeline writes down before any fetch

    def read(url: str, xml: str) -> list:
        meta = {"source": "tuoitre", "section": None, "discovery": "sitemap"}
        response = Response(url, body=gzip.compress(xml.encode()), request=Request(url, meta=meta))
        out = list(spider.parse_discovery(response))
        found.extend(x for x in out if isinstance(x, DiscoveryItem))
        return [x for x in out if not isinstance(x, DiscoveryItem)]

    children = read("https://tuoitre.vn/sitemaps/index.xml.gz",
                    f'<sitemapindex {ns}><sitemap><loc>https://tuoitre.vn/sitemaps/news-1.xml</loc></sitemap>'
                    f'<sitemap><loc>https://evil.example/sitemap.xml</loc></sitemap></sitemapindex>')
    assert [r.url for r in children] == ["https://tuoitre.vn/sitemaps/news-1.xml"]  # not another site's
    assert children[0].meta["discovery"] == "sitemap"
    today = datetime.now(UTC).isoformat()
    articles = read("https://tuoitre.vn/sitemaps/news-1.xml",
                    f"<urlset {ns}><url><loc>https://tuoitre.vn/moi-20261125080000123.htm</loc>"
                    f"<lastmod>{today}</lastmod></url><url><loc>https://tuoitre.vn/cu-20190101080000123.htm</loc>"
                    "<lastmod>2019-01-01T08:00:00+07:00</lastmod></url></urlset>")
    assert [r.url for r in articles] == ["https://tuoitre.vn/moi-20261125080000123.htm"]
    assert found[-1]["links"] == [("https://tuoitre.vn/moi-20261125080000123.htm", "tuoitre", None)]
    # A truncated sitemap yields what it still holds, like a truncated feed; garbage is a reject.
    cut = read("https://tuoitre.vn/sitemaps/news-2.xml",
               f"<urlset {ns}><url><loc>https://tuoitre.vn/cat-20261125090000123.htm</loc></url><url><lo")
    assert [r.url for r in cut] == ["https://tuoitre.vn/cat-20261125090000123.htm"]
    broken = read("https://tuoitre.vn/sitemaps/news-3.xml", "garbage <<< not xml")
    assert [(type(r), r["reason"]) for r in broken] == [(RejectItem, "bad-sitemap")]


def test_a_page_that_kills_its_parsing_worker_is_a_counted_reject() -> None:
    """Pages are parsed in worker processes; one that crashes its worker is refused with a
    reason and the next pages are parsed by a fresh pool."""
    import asyncio
    import os
    import signal

    from duluan.crawlers import workers
    from duluan.crawlers.registry import default_registry

    source = default_registry()["tuoitre"]
    page = (Path(__file__).parents[1] / "crawlers/mirror/site/tuoitre.vn"
            / "gia-lua-gao-tang-nong-dan-mien-tay-phan-khoi-20261120101800456.htm").read_bytes()
    url = "https://tuoitre.vn/gia-lua-gao-tang-nong-dan-mien-tay-phan-khoi-20261120101800456.htm"

    async def run() -> list[workers.PageResult]:
        extractor = workers.Extractor(1)
        try:
            first = await extractor(page, "text/html; charset=utf-8", url, source)
            for pid in list(extractor.pool._processes):  # the worker dies mid-crawl
                os.kill(pid, signal.SIGKILL)
            crashed = await extractor(page, "text/html; charset=utf-8", url, source)
            after = await extractor(page, "text/html; charset=utf-8", url, source)
            return [first, crashed, after]
        finally:
            extractor.close()

    first, crashed, after = asyncio.run(run())
    assert first.extraction and first.extraction.title == "Giá lúa gạo tăng, nông dân miền Tây phấn khởi"
    assert (crashed.extraction, crashed.reason) == (None, "parse-failure")
    assert after.extraction and after.extraction.title == first.extraction.title


def test_inline_scripts_and_styles_stay_out_of_the_text() -> None:
    from parsel import Selector

    from duluan.crawlers.extract import extract_with_rules
    from duluan.crawlers.registry import default_registry

    page = """<html><head><title>x</title></head><body><h1 class="title-detail">Giá vàng tăng mạnh</h1>
    <p class="description">Giá vàng hôm nay tăng.</p><article class="fck_detail">
    <p class="Normal">Sáng nay giá vàng <script>window.ads = "quảng cáo";</script>tăng thêm một triệu đồng
    <style>.x { color: red }</style>mỗi lượng.</p>
    <p class="Normal">Người mua đông<noscript>Bật JavaScript</noscript> tại các cửa hàng ở Hà Nội.</p>
    </article></body></html>"""
    url = "https://vnexpress.net/gia-vang-tang-manh-4954455.html"
    result = extract_with_rules(Selector(text=page), url, default_registry().for_url(url))
    assert result.body == ["Sáng nay giá vàng tăng thêm một triệu đồng mỗi lượng.",
                           "Người mua đông tại các cửa hàng ở Hà Nội."]


OUTLETS_2026 = sorted((Path(__file__).parent / "fixtures/outlets-2026").glob("*.expected.json"))


def _outlet_pages(shared_data: Path, kind: str) -> list[dict]:
    return [p for p in json.loads((shared_data / "pages/outlets-2026/index.json").read_text("utf-8"))
            if p["kind"] == kind]


@pytest.mark.parametrize("expected_file", OUTLETS_2026, ids=lambda p: p.name.split(".")[0])
def test_2026_pages_match_their_expected_extraction(shared_data, expected_file: Path) -> None:  # noqa: ANN001
    from duluan.crawlers.extract import extract
    from duluan.crawlers.registry import default_registry

    expected = json.loads(expected_file.read_text("utf-8"))
    page = shared_data / "pages/outlets-2026" / expected_file.name.replace(".expected.json", ".html")
    source = default_registry().for_url(expected["url"])
    assert source is not None, f"no outlet owns {expected['url']}"
    got = extract(page.read_text("utf-8"), expected["url"], source).to_json()
    for key in ("title", "sapo", "authors", "published", "section", "captions"):
        assert got[key] == expected[key], key
    assert got["extractor"].startswith("rules")
    assert word_f1(got["body"], expected["body"]) >= 0.99


def test_dantri_articles_of_either_template_name_their_rule_set(shared_data) -> None:  # noqa: ANN001
    from duluan.crawlers.extract import extract
    from duluan.crawlers.registry import default_registry

    dantri = default_registry()["dantri"]
    new = next(p for p in _outlet_pages(shared_data, "article") if p["outlet"] == "dantri")
    old = json.loads(DANTRI[0].read_text("utf-8"))
    page_2022 = shared_data / "pages/dantri-2022" / DANTRI[0].name.replace(".expected.json", ".html")
    assert extract((shared_data / "pages/outlets-2026" / new["file"]).read_text("utf-8"), new["url"],
                   dantri).extractor == "rules:2026"
    assert extract(page_2022.read_text("utf-8"), old["url"], dantri).extractor == "rules:2022"


def test_listing_pages_are_refused_with_a_clear_reason(shared_data, tmp_path) -> None:  # noqa: ANN001
    listings = _outlet_pages(shared_data, "listing")
    assert len(listings) == 8
    for page in listings:
        path = shared_data / "pages/outlets-2026" / page["file"]
        result = duluan("extract", str(path), "--url", page["url"], data_dir=tmp_path, check=False)
        assert result.returncode != 0 and not result.stdout, page["file"]
        assert "listing-page" in result.stderr and "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("name", ["vnexpress_article", "nld_article", "dantri_article"])
def test_rules_that_fall_short_give_way_to_the_generic_extractor(shared_data, name: str) -> None:  # noqa: ANN001
    """A template change that leaves the rules reading two paragraphs of a long article: the
    page's other long paragraphs give it away, and the generic extraction, which holds those two
    and much more, is used and says why."""
    from duluan.crawlers.extract import extract
    from duluan.crawlers.registry import default_registry

    fixture = Path(__file__).parent / f"fixtures/outlets-2026/{name}.expected.json"
    expected = json.loads(fixture.read_text("utf-8"))
    source = default_registry().for_url(expected["url"])
    broken = source.model_copy(update={"older_rules": [], "rules": source.rules.model_copy(
        update={"paragraphs": "p:nth-of-type(-n+2)"})})
    html = (shared_data / f"pages/outlets-2026/{name}.html").read_text("utf-8")
    got = extract(html, expected["url"], broken)
    assert got.extractor == "fallback:rules-short"
    assert got.title == expected["title"] and got.section == expected["section"]
    assert word_f1(got.body, expected["body"]) >= 0.9
    assert extract(html, expected["url"], source).extractor.startswith("rules")  # the real rules hold


def test_source_health_after_a_real_crawl(crawled: Settings) -> None:
    from duluan.crawlers.health import outlet_health
    from duluan.crawlers.registry import default_registry
    from duluan.crawlers.store import CrawlStore

    registry = default_registry()
    store = CrawlStore(crawled.crawl_db)
    try:
        health = outlet_health(store, registry)
        later = outlet_health(store, registry, now=datetime.now(UTC) + timedelta(days=3))
    finally:
        store.close()
    dantri, tuoitre, nhandan = health["dantri"], health["tuoitre"], health["nhandan"]
    assert sum(dantri.per_day) == 5 and len(dantri.per_day) == 14 and dantri.extractors == {"rules:2022": 5}
    assert dantri.last_read is not None and dantri.alerts == [] and dantri.last_article_day in (0, 1)
    # The mirror's hostile Tuổi Trẻ links, each refused for its reason.
    assert {"http-404", "timeout", "too-large", "redirect-loop"} <= set(tuoitre.rejects)
    # An outlet the mirror does not serve: never read, nothing new.
    assert nhandan.last_read is None and sum(nhandan.per_day) == 0
    assert nhandan.alerts == ["Không đọc được kênh tin nào trong 24 giờ qua",
                              "Không có bài mới trong 14 ngày"]
    # Three days without a crawl: the same outlet is flagged as quiet and unread.
    assert later["dantri"].alerts == ["Không đọc được kênh tin nào trong 24 giờ qua",
                                      "Không có bài mới trong 3 ngày"]
    # `duluan sources`: every outlet, those needing attention first.
    listed = duluan("sources", "--json", data_dir=crawled.data_dir).stdout
    rows = [json.loads(line) for line in listed.splitlines()]
    assert len(rows) == len(registry.sources) and rows[0]["alerts"] and not rows[-1]["alerts"]
    assert next(r for r in rows if r["source"] == "dantri")["extractors"] == {"rules:2022": 5}
    table = duluan("sources", data_dir=crawled.data_dir).stdout
    assert table.index("nhandan") < table.index("dantri") and "! Không có bài mới trong 14 ngày" in table


def test_source_health_flags_a_template_that_broke(tmp_path) -> None:  # noqa: ANN001
    from duluan.crawlers.health import outlet_health
    from duluan.crawlers.registry import default_registry
    from duluan.crawlers.store import CrawlStore
    from tests.articles import make_article

    store = CrawlStore(tmp_path / "crawl.sqlite")
    now = datetime.now(UTC)
    words = ["vàng", "bạc", "lúa", "gạo", "chè", "tiêu", "điều", "xăng", "dầu", "điện", "than", "thép"]
    for n in range(12):  # two of twelve read by the rules, the rest by the generic extractor
        extractor = "rules:2026" if n < 2 else "fallback"
        store.save(make_article(n, f"Giá {words[n]} hôm nay", f"Thị trường {words[n]} trong nước. " * 30,
                                source="dantri", fetched_at=now - timedelta(hours=n), extractor=extractor,
                                content_hash=f"hash-{n}"))
    store.record_read("https://dantri.com.vn/rss/home.rss", "dantri")
    health = outlet_health(store, default_registry())["dantri"]
    store.close()
    assert sum(health.per_day) == 12 and health.extractors == {"fallback": 10, "rules:2026": 2}
    assert health.alerts == ["Quy tắc trích xuất có thể đã hỏng: 83% số bài phải dùng trích xuất chung"]
    # The latest pages the generic extractor read, for an editor to open.
    assert health.examples == [f"https://dantri.example/bai-{n}.htm" for n in (2, 3, 4)]
