"""Article extraction off the crawl's event loop, in worker processes.

Parsing a page costs milliseconds of CPU; done inline it stalls Scrapy's reactor, so downloads
wait while a page is parsed. A process pool parses pages on the other cores meanwhile.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from duluan.core.processes import die_with_parent
from duluan.crawlers.encoding import decode_html
from duluan.crawlers.extract import Extraction, Rejected, extract
from duluan.crawlers.registry import Source
from duluan.crawlers.rejects import RejectReason


@dataclass
class PageResult:
    """What became of one page: an extraction, or the reason it was refused."""

    extraction: Extraction | None = None
    reason: str | None = None
    detail: str = ""
    encoding: str | None = None
    charset_corrected: bool = False


def extract_page(body: bytes, content_type: str | None, url: str, source: Source) -> PageResult:
    """Decode and extract one page. Never raises: a failure is a result (and pickles as one)."""
    html, encoding, corrected = decode_html(body, content_type)
    try:
        return PageResult(extract(html, url, source), encoding=encoding, charset_corrected=corrected)
    except Rejected as exc:
        return PageResult(reason=exc.reason, detail=exc.detail, encoding=encoding,
                          charset_corrected=corrected)
    except (AttributeError, ValueError) as exc:  # undecodable or non-text response
        return PageResult(reason=RejectReason.PARSE_FAILURE, detail=str(exc)[:300], encoding=encoding)


class Extractor:
    """`await extractor(body, content_type, url, source)`: in `workers` processes, or inline
    when workers is 0 (a single core gains nothing from a pool)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool = self._start() if workers > 0 else None

    def _start(self) -> ProcessPoolExecutor:
        # fork: the workers start at once with everything imported; they only run extract_page.
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=die_with_parent)

    async def __call__(self, body: bytes, content_type: str | None, url: str, source: Source) -> PageResult:
        if self.pool is None:
            return extract_page(body, content_type, url, source)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.pool, extract_page, body, content_type, url, source)
        except BrokenProcessPool:
            # A page that kills the parser (a native crash in lxml, memory) is refused and counted;
            # a fresh pool serves the pages after it.
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._start()
            return PageResult(reason=RejectReason.PARSE_FAILURE, detail="the page crashed the parsing worker")

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
