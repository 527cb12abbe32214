"""`duluan demo`: the whole flow on the bundled offline mirror, into the embedded store."""

from __future__ import annotations

import secrets
import sys
import time

from duluan.core.settings import Settings
from duluan.crawl import crawl_in_subprocess
from duluan.crawlers.mirror.server import Mirror
from duluan.index import Query, open_store
from duluan.pipeline import process_pending


def run_demo(settings: Settings, serve: bool = True, port: int | None = None) -> int:
    started = time.monotonic()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    print(f"Dư Luận demo: data in {settings.data_dir.resolve()}")
    with Mirror() as mirror:
        print(f"1/3 crawling the offline mirror at {mirror.url}")
        code = crawl_in_subprocess(settings, mirror.url)
        if code:
            print(f"the crawl failed with exit code {code}", file=sys.stderr)
            return code
    print("2/3 processing: segmentation, keywords, entities, topic, indexing")
    summary = process_pending(settings)
    print("\n".join("    " + line for line in summary.lines()))
    store = open_store(settings)
    try:
        total = store.count()
        sample = store.search(Query(text="giá vàng", size=1))
    finally:
        store.close()
    print(f"3/3 the {store.backend} store holds {total} articles "
          f"({time.monotonic() - started:.0f} s); "
          f"e.g. `duluan search \"gia vang\"` finds {sample.total}")
    if total == 0:
        print("the store is empty: something went wrong above", file=sys.stderr)
        return 1
    if serve:
        import uvicorn

        from duluan.review.accounts import Accounts
        from duluan.review.app import create_app

        port = port or settings.port
        db = Accounts(settings.review_db)
        if not db.users():
            # A first account, so the demo's app can be opened; its password is shown once.
            password = secrets.token_urlsafe(9)
            db.add_user("admin", password, "admin", "Quản trị demo")
            print(f"Account for the demo: admin / {password}  (more with `duluan user add`)")
        db.close()
        print(f"Review app: http://{settings.host}:{port}/  (Ctrl+C to stop)")
        uvicorn.run(create_app(settings), host=settings.host, port=port, log_level="warning")
    return 0
