"""Hostile input: every text path is linear in its input, and every bad input to the command line
is one clear line on stderr with a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from duluan.core.normalize import fold, normalize_text
from duluan.index.query import MAX_QUERY_CHARS, QueryTooLong, parse_text
from duluan.nlp.segment import segment
from tests.conftest import duluan

N = 50_000  # the old tone pattern took about a minute on this many letters
HOSTILE = {
    "letters": "x" * N,  # one word without a vowel pair: the old tone pattern was quadratic here
    "vowel pairs": "oa" * (N // 2),
    "syllables": "hoà " * (N // 4),
    "operators": '"a" OR -b NOT c ' * (N // 16),
    "nesting": "(" * N + ")" * N,
    "quotes": '"' * N,
    "marks": "\u0300" * N,  # combining marks with nothing to combine with
}


def _seconds(step, text: str) -> float:  # noqa: ANN001
    started = time.perf_counter()
    step(text)
    return time.perf_counter() - started


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_text_paths_are_linear(name: str) -> None:
    text = HOSTILE[name]
    for step in (normalize_text, fold, lambda raw: parse_text(raw[:MAX_QUERY_CHARS])):
        assert _seconds(step, text) < 2.0, (step, name)
    # Segmentation tags every token: its cost is linear but real, 0.1 ms a character at most.
    assert _seconds(lambda raw: segment(normalize_text(raw)), text) < 1e-4 * len(text), name


def test_a_query_over_the_limit_is_refused_with_its_length() -> None:
    with pytest.raises(QueryTooLong, match="4,001 characters"):
        parse_text("x" * (MAX_QUERY_CHARS + 1))


def _one_clear_line(result) -> str:  # noqa: ANN001 - a CompletedProcess
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, "no message"
    return lines[-1]


def test_bad_files_for_classify_and_extract(tmp_path: Path) -> None:
    missing = tmp_path / "khong-co.jsonl"
    assert "no such file" in _one_clear_line(duluan("classify", str(missing), data_dir=tmp_path, check=False))
    line = _one_clear_line(duluan("classify", str(tmp_path), data_dir=tmp_path, check=False))
    assert "is a directory" in line
    line = _one_clear_line(duluan("extract", str(tmp_path / "khong-co.html"), "--url",
                                  "https://dantri.com.vn/a-1.htm", data_dir=tmp_path, check=False))
    assert "no such file" in line


def test_classify_writes_every_good_line_and_names_each_bad_one(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    good = {"id": "a", "title": "Giá vàng tăng mạnh", "text": "Giá vàng hôm nay tăng."}
    path.write_bytes(b"\n".join([
        json.dumps(good, ensure_ascii=False).encode(), b"{not json", b"\xff\xfe binary",
        json.dumps([1, 2]).encode(), json.dumps({**good, "id": "b"}, ensure_ascii=False).encode()]) + b"\n")
    result = duluan("classify", str(path), data_dir=tmp_path, check=False)
    assert result.returncode == 1
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a", "b"]
    for number in (2, 3, 4):
        assert f"{path}:{number}:" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_arguments_and_places(tmp_path: Path) -> None:
    a_file = tmp_path / "tep"
    a_file.write_text("x")
    assert "not a directory" in _one_clear_line(duluan("index", "status", data_dir=a_file, check=False))
    line = _one_clear_line(duluan("briefing", "--month", "2026-10", "--output", str(a_file),
                                  data_dir=tmp_path / "d", check=False))
    assert "not a directory" in line
    assert "between 0 and 1000" in _one_clear_line(duluan("search", "gia", "--size", "-5",
                                                          data_dir=tmp_path / "d", check=False))
    empty = duluan("search", "", data_dir=tmp_path / "d")
    assert "no words given" in empty.stderr
