"""The one settings object: `DULUAN_*` environment variables over an optional TOML file."""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


def _config_file() -> Path | None:
    explicit = os.environ.get("DULUAN_CONFIG")
    if explicit:
        return Path(explicit)
    local = Path("duluan.toml")
    return local if local.exists() else None


class _TomlSource(PydanticBaseSettingsSource):
    """Reads `duluan.toml` (or `$DULUAN_CONFIG`); environment variables win over it."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = _config_file()
        if path is None:
            self._data: dict[str, Any] = {}
            return
        if not path.exists():
            raise FileNotFoundError(f"DULUAN_CONFIG names {path}, which does not exist")
        with path.open("rb") as fh:
            self._data = tomllib.load(fh)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DULUAN_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Embedded store, crawl state, spool, caches.")
    shared_data: Path = Field(
        REPO_ROOT.parent / "shared" / "data",
        description="Training and evaluation corpora (read-only).",
        json_schema_extra={"default_text": "`../shared/data` (beside the repository)"},
    )
    search_url: str | None = Field(
        None, description="Elasticsearch 8/9 or OpenSearch 2/3 URL; unset means the embedded store."
    )
    search_user: str | None = Field(None, description="User name for the engine's basic auth.")
    search_password: str | None = Field(None, description="Password for the engine's basic auth.")
    search_verify_certs: bool = Field(True, description="Verify the engine's TLS certificate.")
    index_prefix: str = Field(
        "duluan", description="Prefix of the index template, alias (`duluan-articles`) and monthly indices.")
    search_bulk_requests: int = Field(
        2, ge=1, description="Bulk requests the engine store keeps in flight: a node indexes one "
        "request's documents for one index on one thread, so a month's articles need two to use two cores.")

    user_agent: str = Field(
        "DuLuanBot/0.1 (+{contact})",
        description="The crawler's User-Agent; `{contact}` stands for the contact URL.")
    contact_url: str = Field(
        "https://github.com/duluan/duluan", description="Contact URL in the crawler's User-Agent.")
    allow_loopback: bool = Field(
        False, description="Let the crawler fetch loopback addresses (`--mirror` sets it); private and "
        "link-local addresses are always refused.")
    mirror_url: str | None = Field(
        None, description="Crawl an offline mirror instead of the live sites."
    )
    download_timeout: float = Field(
        20, gt=0, description="Seconds before a fetch is abandoned (a `--mirror` crawl uses at most 5).")
    retry_backoff: float = Field(
        2.0, ge=0, description="Seconds before the first retry of a failed fetch, doubled for each next "
        "one (a `--mirror` crawl uses at most 0.2).")
    extract_workers: int = Field(
        default_factory=lambda: min(os.cpu_count() or 1, 4) if (os.cpu_count() or 1) > 1 else 0, ge=0,
        description="Processes that parse article pages beside the crawl; 0 parses inline.",
        json_schema_extra={"default_text": "cores, at most 4 (0 on one core)"})
    sitemap_max_age_days: int = Field(
        3, ge=1, description="Sitemap entries last modified earlier are archive, not news, and skipped.")
    crawl_interval_minutes: int = Field(15, ge=1, description="`duluan run`: minutes between cycles.")
    recheck_days: int = Field(
        2, ge=0,
        description="`duluan run`: re-check the articles of the last N days for edits and takedowns.")
    recheck_every_hours: float = Field(6, gt=0, description="`duluan run`: hours between those re-checks.")

    models_dir: Path = Field(
        REPO_ROOT / "classifiers" / "models", description="Model files.",
        json_schema_extra={"default_text": "`classifiers/models` (in the repository)"})
    review_confidence: float = Field(
        0.6, ge=0, le=1, description="Predictions scored below this are marked for review."
    )

    host: str = Field("127.0.0.1", description="Review app: the address it listens on.")
    web_workers: int = Field(
        default_factory=lambda: min(os.cpu_count() or 1, 4), ge=1,
        description="Review app: worker processes serving requests (one uses one core).",
        json_schema_extra={"default_text": "the machine's cores, at most 4"})
    port: int = Field(8000, description="Review app: the port it listens on.")

    alert_window_days: int = Field(
        30, ge=1, description="Watchlist matches published this many days back can still alert.")
    cookie_secure: bool = Field(
        False, description="Send the session cookie over HTTPS only (set it behind TLS).")
    public_url: str = Field("http://127.0.0.1:8000", description="The app's address, for links in e-mails.")
    smtp_host: str | None = Field(
        None, description="Mail server for `duluan digest`; unset, no digest is sent.")
    smtp_port: int = Field(25, description="Mail server port.")
    smtp_user: str | None = Field(None, description="Mail server login, if it asks for one.")
    smtp_password: str | None = Field(None, description="Mail server password.")
    smtp_starttls: bool = Field(False, description="Switch the mail connection to TLS with STARTTLS.")
    smtp_from: str = Field("duluan@localhost", description="Sender address of the digest e-mails.")

    issuing_body: str = Field("BAN TUYÊN GIÁO", description="Briefing header: the issuing body.")
    issuing_parent: str = Field("", description="Briefing header: the body above the issuer, if any.")
    issuing_place: str = Field("Hà Nội", description="Briefing date line: the place.")
    issuing_motto: str = Field("ĐẢNG CỘNG SẢN VIỆT NAM", description="Briefing header, right-hand side.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    @property
    def crawl_db(self) -> Path:
        return self.data_dir / "crawl.sqlite"

    @property
    def store_db(self) -> Path:
        return self.data_dir / "articles.sqlite"

    @property
    def stories_db(self) -> Path:
        return self.data_dir / "stories.sqlite"

    @property
    def source_overrides(self) -> Path:
        """Outlets turned on or off by editors, over the shipped registry."""
        return self.data_dir / "sources.json"

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS: asked for, or implied by an https public address."""
        return self.cookie_secure or self.public_url.lower().startswith("https://")

    @property
    def review_db(self) -> Path:
        return self.data_dir / "review.sqlite"

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"

    @property
    def user_agent_header(self) -> str:
        return self.user_agent.format(contact=self.contact_url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
