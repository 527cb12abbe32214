"""A write-ahead spool: what a store's target does not confirm is kept on disk, one article a
line, and written again, oldest first, before anything newer. Nothing is acknowledged that is
neither confirmed nor on disk.

The spool knows nothing of the engine: it drives any `SpoolTarget`, which writes documents and
says which failed for now (retried) and which were refused as they stand (set aside in
`refused/` until `duluan index replay --refused`, so they do not hold up every later write)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from duluan.index.base import WriteReport

UNREADABLE = "unreadable"  # sub-folder for files that no longer parse as articles
REFUSED = "refused"  # sub-folder for articles the target refuses as they stand


_ID = re.compile(rb'"id":"([^"]+)"')  # the record's first field: no need to parse the line


def _fsync_dir(folder: Path) -> None:
    """The rename that publishes a spool file survives a power loss only once its folder is synced."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Doc:
    """An article ready to send, serialised once, to UTF-8 JSON bytes: the line sent is the
    line spooled. `index` is where it goes, worked out again when it is read back."""

    id: str
    index: str
    source: bytes


@dataclass
class Outcome:
    written: int = 0
    failed: list[Doc] = field(default_factory=list)  # worth another try
    refused: list[Doc] = field(default_factory=list)  # refused for what they are
    errors: list[str] = field(default_factory=list)


class SpoolTarget(Protocol):
    unreachable: tuple[type[Exception], ...]  # errors that mean "not reached", not "refused"

    def write_docs(self, docs: list[Doc]) -> Outcome: ...

    def doc_from_json(self, line: bytes) -> Doc:
        """A spooled line back as a document; ValueError if it no longer reads as an article."""

    def superseded(self, docs: list[Doc]) -> set[str]:
        """Ids among `docs` of which the target already holds a later version."""


class Spool:
    def __init__(self, folder: Path, target: SpoolTarget) -> None:
        self.folder, self.target = folder, target

    def put(self, docs: Sequence[Doc], refused: bool = False) -> None:
        """One article per line; written to a temporary name and renamed, so a file is whole."""
        if not docs:
            return
        target = self.folder / REFUSED if refused else self.folder
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{time.time_ns()}.jsonl"
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            for doc in docs:
                fh.write(doc.source + b"\n")
            fh.flush()
            os.fsync(fh.fileno())  # acknowledged as written only once it is on disk
        tmp.replace(path)
        _fsync_dir(target)

    def ids(self) -> set[str]:
        """Ids of every article the spool holds, set aside ones included."""
        out: set[str] = set()
        for path in self.files() + self.files(refused=True):
            for line in path.read_bytes().split(b"\n"):
                if match := _ID.search(line):
                    out.add(match.group(1).decode())
        return out

    def files(self, refused: bool = False) -> list[Path]:
        """Files waiting for replay, oldest first; with `refused`, those set aside instead."""
        folder = self.folder / REFUSED if refused else self.folder
        return sorted(folder.glob("*.jsonl")) if folder.exists() else []

    def write(self, docs: list[Doc]) -> WriteReport:
        """Replay what waits, then write `docs`, spooling whatever is not confirmed."""
        report = self.replay()
        if not docs:
            return report
        if report.spooled:  # the target is still down: do not even try, keep the order
            self.put(docs)
            return report + WriteReport(spooled=len(docs))
        outcome = self.target.write_docs(docs)
        self.put(outcome.failed)
        self.put(outcome.refused, refused=True)
        return report + WriteReport(written=outcome.written, spooled=len(outcome.failed),
                                    errors=outcome.errors, refused=len(outcome.refused))

    def _read(self, path: Path, report: WriteReport) -> list[Doc] | None:
        try:
            # Lines end at "\n" alone: JSON leaves U+2028 or U+0085 in text unescaped, and
            # str.splitlines would break an article there.
            return [self.target.doc_from_json(line) for line in path.read_bytes().split(b"\n") if line]
        except ValueError as exc:  # not JSON, or no longer a valid article (pydantic's error)
            # Kept aside, not deleted, and reported; it must not block every later write.
            aside = self.folder / UNREADABLE / path.name
            aside.parent.mkdir(exist_ok=True)
            path.replace(aside)
            report.errors.append(f"spool file {path.name} cannot be replayed, moved to {aside}: "
                                 f"{str(exc)[:200]}")
            return None

    def _drop_superseded(self, docs: list[Doc], report: WriteReport) -> list[Doc] | None:
        """Refused articles are replayed out of order, after what was written since: they must
        not overwrite a newer version. None when the target cannot be asked."""
        try:
            stale = self.target.superseded(docs)
        except self.target.unreachable as exc:
            report.errors.append(f"engine unreachable: {exc}")
            report.spooled += len(docs)
            return None
        if stale:
            report.errors.append(f"{len(stale)} refused article(s) left out: the index holds a "
                                 f"later fetch of them ({', '.join(sorted(stale)[:5])})")
        return [d for d in docs if d.id not in stale]

    def replay(self, refused: bool = False) -> WriteReport:
        """Write what the spool holds, oldest first; with `refused`, then the articles set aside
        as refused too (after the cause, such as a closed index, has been dealt with)."""
        report = WriteReport()
        for path in self.files() + (self.files(refused=True) if refused else []):
            set_aside = path.parent.name == REFUSED
            docs = self._read(path, report)
            if docs is None:
                continue
            kept = self._drop_superseded(docs, report) if set_aside else docs
            if kept is None:
                break
            outcome = self.target.write_docs(kept)
            report.replayed += outcome.written
            report.errors += outcome.errors
            self.put(outcome.refused, refused=True)
            report.refused += len(outcome.refused)
            if outcome.failed:
                if len(outcome.failed) != len(docs):  # some written, set aside or left out
                    self.put(outcome.failed, refused=set_aside)
                    path.unlink()
                report.spooled += len(outcome.failed)
                break  # the target is still refusing: keep the rest for later
            path.unlink()
        return report
