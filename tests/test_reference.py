"""The generated reference docs match the code: docs/configuration.md from the settings,
docs/outlets.md from the outlet registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from duluan.core.settings import REPO_ROOT, Settings
from duluan.crawlers.registry import default_registry
from duluan.reference import (
    DOCS,
    configuration_markdown,
    default_text,
    env_name,
    outlets_markdown,
    write_all,
)

STALE = "{name} is out of date: run `python -m duluan.reference` and commit the result"


@pytest.mark.parametrize(("name", "generate"), [("configuration.md", configuration_markdown),
                                                ("outlets.md", outlets_markdown)])
def test_committed_reference_docs_are_what_the_code_generates(name: str, generate) -> None:  # noqa: ANN001
    path = DOCS / name
    assert path.exists(), STALE.format(name=f"docs/{name}")
    assert path.read_text("utf-8") == generate(), STALE.format(name=f"docs/{name}")


def test_every_setting_has_a_description_and_a_row() -> None:
    doc = configuration_markdown()
    for name, info in Settings.model_fields.items():
        assert info.description and info.description.strip(), f"Settings.{name} has no description"
        assert f"| `{env_name(name)}` |" in doc, name
    assert doc.count("\n| `DULUAN_") == len(Settings.model_fields)


def test_env_names_are_the_ones_pydantic_settings_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(env_name("review_confidence"), "0.75")
    monkeypatch.setenv(env_name("data_dir"), "/srv/duluan")
    settings = Settings()
    assert settings.review_confidence == 0.75 and settings.data_dir == Path("/srv/duluan")


def test_defaults_read_the_same_on_every_machine() -> None:
    # Machine-dependent defaults (absolute paths, CPU counts) carry a readable text instead.
    for name, info in Settings.model_fields.items():
        text = default_text(name, info)
        assert text and str(REPO_ROOT.parent) not in text, name


def test_every_outlet_has_a_row() -> None:
    doc = outlets_markdown()
    registry = default_registry()
    for source in registry.sources.values():
        assert f"| `{source.id}` | {source.name} | {source.tier} |" in doc, source.id
    assert doc.count("\n| `") == len(registry.sources)


def test_write_all_rewrites_only_what_changed(tmp_path: Path) -> None:
    assert {p.name for p in write_all(tmp_path)} == {"configuration.md", "outlets.md"}
    assert write_all(tmp_path) == []
