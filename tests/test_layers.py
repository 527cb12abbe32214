"""The layer order, read from the imports: a stage imports only core and earlier stages, never a
later one, and the app layer (CLI, pipeline, scheduler, demo) sits on top. docs/architecture.md
draws the same order."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Bottom to top. Review serves the briefing, so it sits above it; both read annotations.
LAYERS = ["core", "crawlers", "nlp", "link", "classifiers", "index", "annotations", "briefing", "review",
          "app"]
APP_MODULES = {"cli", "crawl", "demo", "pipeline", "reference", "scheduler", "__init__"}


def layer_of_module(module: str) -> str | None:
    """duluan.<stage>... -> the stage; duluan.<app module> -> app; anything else is not ours."""
    parts = module.split(".")
    if parts[0] != "duluan":
        return None
    if len(parts) == 1 or parts[1] in APP_MODULES:
        return "app"
    return parts[1] if parts[1] in LAYERS else None


def layer_of_file(path: Path, root: Path) -> str:
    top = path.relative_to(root).parts[0]
    return "app" if top == "duluan" else top


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module an import statement names, anywhere in the file (deferred imports too)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
    return out


def sources() -> list[Path]:
    folders = [f for f in LAYERS if f != "app"] + ["duluan"]
    return sorted(p for f in folders for p in (REPO / f).rglob("*.py"))


def violations(files: list[Path], root: Path = REPO) -> list[str]:
    found = []
    for path in files:
        here = layer_of_file(path, root)
        for line, module in imported(ast.parse(path.read_text("utf-8"))):
            there = layer_of_module(module)
            if there is not None and LAYERS.index(there) > LAYERS.index(here):
                found.append(f"{path.relative_to(root)}:{line}: {here} imports {module} ({there})")
    return found


def test_no_import_runs_against_the_layer_order() -> None:
    files = sources()
    assert len(files) > 50  # the walk found the package
    assert violations(files) == []


def test_every_stage_folder_is_installed_under_duluan() -> None:
    import tomllib

    mapped = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-dir"]
    assert {k.split(".")[-1] if k != "duluan" else "app" for k in mapped} == set(LAYERS)
    packages = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"]
    # Nothing is installed at the top level of site-packages but duluan itself.
    assert {p.split(".")[0] for p in packages} == {"duluan"}


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    # The rule itself: core importing a stage is caught, even deferred inside a function; a stage
    # importing core or an earlier stage is not.
    (tmp_path / "core").mkdir()
    (tmp_path / "index").mkdir()
    core, index = tmp_path / "core" / "probe.py", tmp_path / "index" / "probe.py"
    core.write_text("from duluan.core.record import Article\n\ndef f():\n    import duluan.index.query\n")
    index.write_text("from duluan.nlp.segment import segment\nfrom duluan.review.app import create_app\n")
    assert violations([core, index], tmp_path) == [
        "core/probe.py:4: core imports duluan.index.query (index)",
        "index/probe.py:2: index imports duluan.review.app (review)"]


def test_stages_are_imported_only_under_duluan() -> None:
    """From the repository root a bare `import index` would also work, and load a second copy of
    the module beside duluan.index; nothing of ours may do that, tests and benchmarks included."""
    bare = {f for f in LAYERS if f != "app"}
    files = sources() + sorted((REPO / "tests").rglob("*.py")) + sorted((REPO / "benchmarks").rglob("*.py"))
    found = [f"{path.relative_to(REPO)}:{line}: {module}" for path in files
             for line, module in imported(ast.parse(path.read_text("utf-8")))
             if module.split(".")[0] in bare]
    assert found == []
