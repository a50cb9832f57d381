"""newsmon's own settings, read once from options and the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from db.engine import DEFAULT_DB_URL


@dataclass(frozen=True)
class Settings:
    db_url: str
    sources_path: Path

    @classmethod
    def load(
        cls, db: str | None = None, sources: str | os.PathLike[str] | None = None, env: Mapping[str, str] = os.environ
    ) -> Settings:
        """Options win over ``NEWSMON_DB`` / ``NEWSMON_SOURCES``, which win over the defaults."""
        return cls(
            db_url=db or env.get("NEWSMON_DB") or DEFAULT_DB_URL,
            sources_path=Path(sources or env.get("NEWSMON_SOURCES") or "sources.yaml"),
        )
