"""The analysts' notebooks run top to bottom against the real test engine, so they cannot rot."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from duluan.core.record import Article
from duluan.core.settings import REPO_ROOT
from duluan.index.engine_store import EngineStore
from tests.conftest import MIRROR_ARTICLES, _engine_settings

NOTEBOOKS = REPO_ROOT / "notebooks"


@pytest.fixture(scope="module")
def engine_with_months(processed: list[Article], tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    settings = _engine_settings(tmp_path_factory.mktemp("nb"))
    store = EngineStore(settings)
    tones = ["negative", "neutral", "positive"]
    docs = list(processed) + [
        a.model_copy(update={"id": f"m{i}-{a.id}", "published_at": a.published_at + timedelta(days=31 * i),
                             "tone": tones[(i + k) % 3]})
        for i in range(1, 4) for k, a in enumerate(processed)
    ]
    store.upsert(docs)
    store.refresh()
    yield settings
    store.drop_all()
    store.close()


def _run(name: str, settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> nbformat.NotebookNode:  # noqa: ANN001
    monkeypatch.setenv("DULUAN_SEARCH_URL", settings.search_url)
    monkeypatch.setenv("DULUAN_INDEX_PREFIX", settings.index_prefix)
    monkeypatch.setenv("DULUAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO_ROOT)}}).execute()
    return notebook


def _outputs(notebook: nbformat.NotebookNode) -> str:
    return json.dumps([c.get("outputs", []) for c in notebook.cells], ensure_ascii=False)


def test_monthly_trends_notebook(engine_with_months, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    notebook = _run("monthly_trends.ipynb", engine_with_months, monkeypatch, tmp_path)
    text = _outputs(notebook)
    assert f"{4 * MIRROR_ARTICLES} bài viết" in text  # the mirror and three shifted copies
    assert text.count("image/png") >= 2  # the topic and tone charts
    assert "Tiêu cực" in text


def test_query_cookbook_notebook(engine_with_months, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    notebook = _run("query_cookbook.ipynb", engine_with_months, monkeypatch, tmp_path)
    text = _outputs(notebook)
    assert "Giá vàng giảm sau dấu hiệu" in text  # pandas shortens long cells
    assert "bài đã duyệt qua" in text
