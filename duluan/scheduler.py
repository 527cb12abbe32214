"""`duluan run`: the production loop. Crawl what is due, process, index, sleep; repeat.

All state lives in the data directory (crawl store, pending flags, this loop's
last-run file), so a restarted loop carries on where it stopped. SIGTERM and SIGINT
finish the current step and exit cleanly.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from duluan.core.settings import Settings
from duluan.crawl import crawl_in_subprocess
from duluan.pipeline import process_pending


class _Stop:
    def __init__(self) -> None:
        self.event = threading.Event()

    def __call__(self, signum: int, frame: object) -> None:
        print(f"signal {signal.Signals(signum).name}: finishing the current step, then stopping")
        self.event.set()


def _state_path(settings: Settings) -> Path:
    return settings.data_dir / "run-state.json"


def _load_state(settings: Settings) -> dict:
    path = _state_path(settings)
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def _save_state(settings: Settings, state: dict) -> None:
    path = _state_path(settings)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2), "utf-8")
    tmp.replace(path)


def run_forever(settings: Settings, interval_minutes: int | None = None, once: bool = False) -> int:
    interval = 60 * (interval_minutes or settings.crawl_interval_minutes)
    stop = _Stop()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    first = True
    while not stop.event.is_set():
        state = _load_state(settings)
        wait = state.get("last_cycle", 0) + interval - time.time()
        if wait > 0 and not once:
            print(f"next cycle in {wait / 60:.1f} min")
            stop.event.wait(wait)
            continue
        started = datetime.now(UTC).isoformat(timespec="seconds")
        # Re-fetching recent articles costs the outlets a request each: not every cycle.
        recheck = time.time() - state.get("last_recheck", 0) >= 3600 * settings.recheck_every_hours
        print(f"cycle at {started}: crawling" + (", re-checking recent articles" if recheck else ""))
        code = crawl_in_subprocess(settings, settings.mirror_url,
                                   recheck_days=settings.recheck_days if recheck else 0)
        # Process even after a failed or interrupted crawl: what was stored is kept.
        summary = process_pending(settings, progress=False, reconcile=first)
        first = False
        print("\n".join(summary.lines()))
        _save_state(settings, {"last_cycle": time.time(), "last_started": started,
                               "last_crawl_exit": code, "last_processed": summary.processed,
                               "last_recheck": time.time() if recheck else state.get("last_recheck", 0)})
        if once:
            break
    print("stopped")
    return 0
