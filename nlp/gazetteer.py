"""Places and central bodies by their canonical names, from `data/gazetteer.toml`.

Former provinces (the 63 before the 2025 merger) map to the unit they are part of now,
so coverage of "Bắc Kạn" counts for Thái Nguyên. Aliases (TP.HCM, Sài Gòn, Bộ GD&ĐT)
map to one name.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from duluan.core.normalize import normalize_text

ADMIN_PREFIX = re.compile(
    r"^(?:tỉnh|thành phố|tp\.?|thủ đô|ubnd tỉnh|ubnd thành phố|ubnd tp\.?)\s+", re.IGNORECASE
)


@dataclass(frozen=True)
class Place:
    name: str  # canonical
    type: str  # LOC or ORG


class Gazetteer:
    def __init__(self, data: dict) -> None:
        self.names: dict[str, Place] = {}  # any written form -> canonical entry
        self.current_provinces: list[str] = []
        self.former_to_current: dict[str, str] = {}
        for name, entry in data["provinces"].items():
            current = normalize_text(name)
            self.current_provinces.append(current)
            self._add(current, current, "LOC")
            for alias in entry.get("aliases", []):
                self._add(alias, current, "LOC")
            for former in entry["former"]:
                self.former_to_current[normalize_text(former)] = current
                self._add(former, current, "LOC")
        for former, aliases in data.get("former_aliases", {}).items():
            for alias in aliases:
                self._add(alias, self.former_to_current[normalize_text(former)], "LOC")
        for city, province in data.get("cities", {}).items():
            self._add(city, normalize_text(city), "LOC")
            self.former_to_current.setdefault(normalize_text(city), normalize_text(province))
        successors = {
            normalize_text(k): normalize_text(v) for k, v in data.get("body_successors", {}).items()
        }
        for body, aliases in data.get("bodies", {}).items():
            canonical = normalize_text(body)
            for form in [body, *aliases]:
                self._add(form, canonical, "ORG")
        self.body_successors = successors
        forms = sorted(self.names, key=len, reverse=True)  # longest first: "Bà Rịa - Vũng Tàu"
        self._pattern = re.compile(
            r"(?<![\w])(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w])"
        )

    def _add(self, form: str, canonical: str, kind: str) -> None:
        self.names[normalize_text(form)] = Place(canonical, kind)

    def lookup(self, text: str) -> Place | None:
        """The canonical entry for a name as written, with or without "tỉnh" / "TP"."""
        text = normalize_text(text).strip()
        return self.names.get(text) or self.names.get(ADMIN_PREFIX.sub("", text))

    def current_unit(self, name: str) -> str | None:
        """The provincial unit a place belongs to now ("Bắc Kạn" -> "Thái Nguyên")."""
        place = self.lookup(name)
        if place is None or place.type != "LOC":
            return None
        if place.name in self.current_provinces:
            return place.name
        return self.former_to_current.get(place.name)

    def find(self, text: str) -> list[Place]:
        """Every gazetteer name in the text, canonicalised, in order of first mention."""
        seen: dict[Place, None] = {}
        for match in self._pattern.finditer(text):
            seen.setdefault(self.names[match.group()], None)
        return list(seen)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    raw = resources.files("nlp").joinpath("data/gazetteer.toml").read_text("utf-8")
    return Gazetteer(tomllib.loads(raw))
