"""Running the Scrapy crawl from the `duluan` command, with a closing summary."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field

from duluan.settings import Settings


@dataclass
class CrawlSummary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    gone: int = 0  # taken down by the outlet, found by a re-check
    skipped_seen: int = 0
    feeds_read: int = 0
    feeds_not_modified: int = 0
    feeds_malformed: int = 0
    resumed: int = 0  # links an interrupted run had found, fetched now
    rejected: dict[str, int] = field(default_factory=dict)
    finish_reason: str | None = None
    errors: int = 0

    @property
    def ok(self) -> bool:
        return self.finish_reason == "finished"

    @classmethod
    def from_stats(cls, stats: dict) -> CrawlSummary:
        prefix = "duluan/rejected/"
        return cls(
            new=stats.get("duluan/articles/new", 0),
            updated=stats.get("duluan/articles/updated", 0),
            unchanged=stats.get("duluan/articles/unchanged", 0),
            gone=stats.get("duluan/articles/gone", 0),
            skipped_seen=stats.get("duluan/skipped/seen", 0),
            feeds_read=stats.get("duluan/feeds/read", 0),
            feeds_not_modified=stats.get("duluan/feeds/not_modified", 0),
            feeds_malformed=stats.get("duluan/feeds/malformed", 0),
            resumed=stats.get("duluan/frontier/resumed", 0),
            rejected={k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)},
            finish_reason=stats.get("finish_reason"),
            errors=stats.get("log_count/ERROR", 0),
        )

    def lines(self) -> list[str]:
        out = [
            f"feeds: {self.feeds_read} read, {self.feeds_not_modified} not modified, "
            f"{self.feeds_malformed} malformed",
            f"articles: {self.new} new, {self.updated} updated, {self.gone} gone, "
            f"{self.unchanged} unchanged, {self.skipped_seen} already stored (not fetched)"
            + (f"; {self.resumed} links resumed from an interrupted run" if self.resumed else ""),
        ]
        total = sum(self.rejected.values())
        detail = ", ".join(f"{k} {v}" for k, v in sorted(self.rejected.items()))
        out.append(f"rejected: {total}" + (f" ({detail})" if detail else ""))
        if not self.ok:
            out.append(f"the crawl did not finish: {self.finish_reason or 'it failed to start'}")
        if self.errors:
            out.append(f"{self.errors} errors were logged (rerun with -v for details)")
        return out


def run_crawl(settings: Settings, sources: str = "all", log_level: str = "WARNING",
              recheck_days: int = 0) -> CrawlSummary:
    """One crawl in this process. Twisted's reactor cannot restart: call once per process."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawlers.spiders.news import NewsSpider

    scrapy_settings = get_project_settings()
    scrapy_settings.set("DULUAN_CRAWL_DB", str(settings.crawl_db), priority="cmdline")
    scrapy_settings.set("DULUAN_SOURCE_OVERRIDES", str(settings.source_overrides), priority="cmdline")
    scrapy_settings.set("DULUAN_MIRROR_URL", settings.mirror_url, priority="cmdline")
    scrapy_settings.set("DULUAN_ALLOW_LOOPBACK", settings.allow_loopback, priority="cmdline")
    scrapy_settings.set("USER_AGENT", settings.user_agent_header, priority="cmdline")
    scrapy_settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if settings.mirror_url:
        # The mirror is our own loopback server: no politeness delay or concurrency cap is owed to it.
        scrapy_settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        scrapy_settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        scrapy_settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16, priority="cmdline")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    process = CrawlerProcess(scrapy_settings)
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, sources=sources, recheck_days=recheck_days)
    process.start()
    return CrawlSummary.from_stats(crawler.stats.get_stats())


def crawl_in_subprocess(settings: Settings, mirror_url: str | None, sources: str = "all",
                        recheck_days: int = 0) -> int:
    """Scrapy's reactor runs once per process, so each crawl gets its own."""
    cmd = [sys.executable, "-m", "duluan.cli", "--data-dir", str(settings.data_dir), "crawl"]
    if recheck_days:
        cmd += ["--recheck-days", str(recheck_days)]
    cmd += ["--all"] if sources == "all" else [a for s in sources.split(",") for a in ("--source", s)]
    if mirror_url:
        cmd += ["--mirror", mirror_url]
    return subprocess.run(cmd, check=False).returncode
