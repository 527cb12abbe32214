"""Crash test: the engine dies in the middle of a bulk load; after a restart and a replay
every article is there exactly once. Runs its own OpenSearch node (data kept across the
restart), so the shared test node is not disturbed."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from duluan.core.record import Article
from duluan.core.settings import REPO_ROOT, Settings
from duluan.index.engine_store import EngineStore
from duluan.index.query import Query

SCRIPT = REPO_ROOT / "scripts" / "opensearch.sh"


def _node(command: str, engine_dir: Path) -> str:
    env = {**os.environ, "DULUAN_ENGINE_DIR": str(engine_dir), "DULUAN_ENGINE_KEEP_DATA": "1",
           "DULUAN_ENGINE_BASE_PORT": "9270"}
    result = subprocess.run([str(SCRIPT), command], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def own_node(tmp_path: Path):  # noqa: ANN201
    if not os.environ.get("DULUAN_TEST_SEARCH_URL") and not os.environ.get("CI"):
        pytest.skip("no engine for this run: start the suite with `make test`")
    engine_dir = tmp_path / "engine"
    url = _node("start", engine_dir)
    yield url, engine_dir
    _node("stop", engine_dir)


def test_kill_mid_bulk_then_replay_loses_and_duplicates_nothing(own_node, processed, tmp_path) -> None:  # noqa: ANN001
    url, engine_dir = own_node
    settings = Settings(data_dir=tmp_path / "data", search_url=url, index_prefix="crash")
    base: list[Article] = processed
    docs = [
        base[i % len(base)].model_copy(update={
            "id": f"crash-{i:05d}",
            "published_at": base[i % len(base)].published_at + timedelta(days=i % 90),
        })
        for i in range(3000)
    ]
    store = EngineStore(settings)
    reports = []

    def load() -> None:
        # 250 at a time: two bulk requests in flight (bulk_parts), as the pipeline sends them.
        for start in range(0, len(docs), 250):
            reports.append(store.upsert(docs[start:start + 250]))

    loader = threading.Thread(target=load)
    loader.start()
    while sum(r.written for r in reports) < 500:  # the load is well under way
        time.sleep(0.05)
    os.kill(int((engine_dir / "pid").read_text()), signal.SIGKILL)
    loader.join(timeout=600)
    written = sum(r.written for r in reports)
    spooled = sum(r.spooled for r in reports)
    assert spooled > 0, "the engine died mid-load, so some writes must have been spooled"
    assert written + spooled >= len(docs)

    url = _node("start", engine_dir)  # same data directory: acknowledged writes survive
    store = EngineStore(settings.model_copy(update={"search_url": url}))
    replay = store.replay_spool()
    assert replay.spooled == 0, replay.errors
    store.refresh()
    assert store.count() == len(docs)
    ids: set[str] = set()
    after = None
    while True:
        page = store.search(Query(size=1000, search_after=after, highlight=False))
        ids.update(h.article.id for h in page.hits)
        after = page.next_after
        if not after:
            break
    assert ids == {d.id for d in docs}
    assert not list(settings.spool_dir.glob("*.jsonl"))
    store.drop_all()
    store.close()
