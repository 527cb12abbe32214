"""The engine's indices over time: one template per mapping version, monthly indices
`{prefix}-articles-v{mapping}-{YYYY.MM}` behind the alias `{prefix}-articles`, and migration
to a new mapping version without a gap or a duplicate for readers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from duluan.core.record import Article
from duluan.index.engine_client import EngineClient, EngineError
from duluan.index.mapping import index_settings, mappings, properties

_VERSIONED = re.compile(r"-v(\d+)-\d{4}\.\d{2}$")


class NeedsMigration(EngineError):
    """The alias still holds indices of an older mapping version."""


@dataclass
class MigrationReport:
    indices: dict[str, str]  # old -> new
    documents: int


class IndexLifecycle:
    def __init__(self, client: EngineClient, prefix: str, version: int) -> None:
        self.client, self.version = client, version
        self.alias = f"{prefix}-articles"
        self._created: set[str] = set()
        self._alias_seen = False

    def ensure_template(self) -> None:
        self.client.request("PUT", f"/_index_template/{self.alias}-v{self.version}", body={
            "index_patterns": [f"{self.alias}-v{self.version}-*"],
            "priority": 100 + self.version,
            "version": self.version,
            "template": {"settings": index_settings(), "mappings": mappings(self.version)},
        })
        # Fields added to the record since an index was made join its mapping (adding a field
        # needs no reindex); documents written before read as the record's defaults.
        if self.client.exists(f"/{self.alias}"):
            self.client.request("PUT", f"/{self.alias}/_mapping", body={"properties": properties()},
                                params={"ignore_unavailable": "true"})

    def indices(self) -> dict[str, int]:
        """Index name -> mapping version, for every index behind the alias."""
        try:  # one request, not HEAD then GET: every upsert asks
            names = self.client.request("GET", f"/_alias/{self.alias}")
        except EngineError as exc:
            if exc.status == 404:  # no alias yet
                return {}
            raise
        return {n: int(m.group(1)) if (m := _VERSIONED.search(n)) else 0 for n in names}

    def index_for(self, article: Article) -> str:
        when = article.published_at or article.fetched_at
        return f"{self.alias}-v{self.version}-{when:%Y.%m}"

    def check(self) -> None:
        """Before a write: forget indices deleted since (an old month removed for retention must
        be created again behind the alias, not by a bulk request outside it), and refuse to
        write beside indices of an older mapping."""
        behind = self.indices()
        self._created &= behind.keys()
        stale = sorted(n for n, v in behind.items() if v < self.version)
        if stale:
            raise NeedsMigration(None, f"the index holds mapping version(s) older than {self.version} "
                                 f"({', '.join(stale)}); run `duluan index migrate` first")

    def ensure_indices(self, names: set[str]) -> None:
        for name in sorted(names - self._created):
            if not self.client.exists(f"/{name}"):
                try:
                    self.client.request("PUT", f"/{name}", body={"aliases": {self.alias: {}}})
                except EngineError as exc:  # created meanwhile by another writer
                    if "resource_already_exists" not in str(exc):
                        raise
            self._created.add(name)

    def _reindex(self, source: str, target: str) -> dict[str, Any]:
        return self.client.request("POST", "/_reindex", params={"wait_for_completion": "true",
                                                                "refresh": "true"},
                                   body={"source": {"index": source}, "dest": {"index": target}})

    def migrate(self) -> MigrationReport:
        """Reindex every older-version index into this version and swap the alias atomically."""
        old = {n: v for n, v in self.indices().items() if v < self.version}
        plan = {n: f"{self.alias}-v{self.version}-{n[-7:]}" for n in old}
        copied = 0
        for source, target in plan.items():
            if not self.client.exists(f"/{target}"):
                self.client.request("PUT", f"/{target}", body={})  # mapping from the template
            result = self._reindex(source, target)
            copied += result.get("created", 0) + result.get("updated", 0)
        if plan:
            actions = [{"add": {"index": t, "alias": self.alias}} for t in plan.values()]
            actions += [{"remove": {"index": s, "alias": self.alias}} for s in plan]
            self.client.request("POST", "/_aliases", body={"actions": actions})
            # Catch up with anything written to the old indices during the copy.
            for source, target in plan.items():
                self._reindex(source, target)
                self.client.request("DELETE", f"/{source}")
        self._created.clear()
        return MigrationReport(plan, copied)

    def read(self, endpoint: str, body: dict | None = None) -> Any:
        """A request over the alias that skips closed months (closing old months is how they are
        retired): without ignore_unavailable, one closed index fails every search."""
        return self.client.request("POST", f"/{self.alias}/{endpoint}", body=body,
                                   params={"ignore_unavailable": "true"})

    def has_alias(self) -> bool:
        """Whether the alias exists yet; once it does, it stays, so reads skip asking again."""
        if not self._alias_seen:
            self._alias_seen = self.client.exists(f"/{self.alias}")
        return self._alias_seen

    def refresh(self) -> None:
        if self.client.exists(f"/{self.alias}"):
            self.read("_refresh")

    def drop_all(self) -> None:
        """Delete every index behind the alias (tests and benchmarks)."""
        # Forget the indices created so far too: a bulk request to a deleted one would create it
        # again from the template, outside the alias, where no search finds its articles.
        self._alias_seen = False
        self._created.clear()
        if self.client.exists(f"/{self.alias}"):
            for name in self.client.request("GET", f"/_alias/{self.alias}"):
                self.client.request("DELETE", f"/{name}")
