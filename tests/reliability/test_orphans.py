"""kill -9 of a command leaves none of its worker processes running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

SCRIPT = """
import sys, time
from duluan.nlp.analyze import BatchAnalyzer
from duluan.crawlers.workers import Extractor
analyzer = BatchAnalyzer(workers=2)
extractor = Extractor(2)
extractor.pool.submit(int, 1).result()  # the pool starts its workers on first use
pids = [p.pid for p in analyzer.pool._pool] + list(extractor.pool._processes)
print(" ".join(map(str, pids)), flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie waits for its reaper; it runs nothing
        return fh.read().split()[2] != "Z"


def test_workers_die_with_a_killed_parent() -> None:
    parent = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 4 and all(_alive(p) for p in pids)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 15
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in pids if _alive(p)]
    finally:
        parent.kill()
