"""The `duluan` command end to end: demo, search, briefing, help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import duluan

COMMANDS = ["crawl", "process", "search", "serve", "briefing", "demo", "run", "train", "extract", "index"]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("demo")
    result = duluan("demo", "--no-serve", data_dir=data)
    assert "the embedded store holds 6 articles" in result.stdout, result.stdout + result.stderr
    return data


def test_demo_ends_with_a_searchable_store(demo_dir: Path) -> None:
    for query in ("giá vàng", "gia vang"):
        hits = json.loads(duluan("search", query, "--format", "json", data_dir=demo_dir).stdout)
        assert hits[0]["title"] == "Giá vàng giảm sau dấu hiệu khả quan của kinh tế Mỹ"
        assert hits[0]["source"] == "dantri"


def test_process_is_idempotent(demo_dir: Path) -> None:
    out = duluan("process", data_dir=demo_dir).stdout
    assert "processed 0 articles" in out


def test_run_once_survives_restart_and_finds_nothing_new(demo_dir: Path) -> None:
    out = duluan("run", "--once", data_dir=demo_dir).stdout
    assert "processed 0 articles" in out
    state = json.loads((demo_dir / "run-state.json").read_text())
    assert state["last_processed"] == 0


def test_briefing_counts_the_month(demo_dir: Path, tmp_path: Path) -> None:
    out = duluan("briefing", "--month", "2022-12", "--output", str(tmp_path), data_dir=demo_dir)
    html = Path(out.stdout.strip()).read_text("utf-8")
    assert "Tổng số bài viết: <strong>5</strong>" in html
    empty = duluan("briefing", "--month", "2021-01", "--output", str(tmp_path), data_dir=demo_dir)
    assert "Không có bài viết nào" in Path(empty.stdout.strip()).read_text("utf-8")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, tmp_path: Path) -> None:
    out = duluan(command, "--help", data_dir=tmp_path).stdout
    assert "usage: duluan" in out and command in out
