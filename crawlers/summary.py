"""What a crawl did, from Scrapy's stats: the closing summary and the progress line."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CrawlSummary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    gone: int = 0  # taken down by the outlet, found by a re-check
    skipped_seen: int = 0
    feeds_read: int = 0
    not_modified: int = 0  # feeds, sitemaps and listing pages answered 304
    feeds_malformed: int = 0
    sitemaps_read: int = 0
    listings_read: int = 0
    links_found: int = 0
    duplicate_links: int = 0  # the same link twice in one run, fetched once
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
            not_modified=sum(stats.get(f"duluan/{kind}/not_modified", 0)
                             for kind in ("feeds", "sitemaps", "listings")),
            feeds_malformed=stats.get("duluan/feeds/malformed", 0),
            sitemaps_read=stats.get("duluan/sitemaps/read", 0),
            listings_read=stats.get("duluan/listings/read", 0),
            links_found=stats.get("duluan/links/found", 0),
            duplicate_links=stats.get("duluan/skipped/duplicate_link", 0),
            resumed=stats.get("duluan/frontier/resumed", 0),
            rejected={k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)},
            finish_reason=stats.get("finish_reason"),
            errors=stats.get("log_count/ERROR", 0),
        )

    @property
    def settled(self) -> int:
        """Article links dealt with so far, one way or another."""
        return (self.new + self.updated + self.unchanged + self.gone + self.skipped_seen
                + self.duplicate_links + sum(self.rejected.values()))

    def lines(self) -> list[str]:
        out = [
            f"discovery: {self.feeds_read} feeds, {self.sitemaps_read} sitemaps, {self.listings_read} "
            f"listing pages read, {self.not_modified} not modified, {self.feeds_malformed} malformed feeds",
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
