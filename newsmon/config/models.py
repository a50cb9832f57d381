"""The frozen config models: a `Source` per outlet, `SourcesConfig` for the file, `ConfigIssue` per problem."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from newsmon.config.fields import AutoPace, Cron, Every, Interval, interval_text, Language, Name, Regex, Selector, Text, TimeZone, Url
from newsmon.errors import ConfigError

Loc = tuple[str | int, ...]
_STRICT = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a sources file; `str()` gives "sources.yaml:12: sources[2].feeds[0]: message"."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


def config_error(issues: Sequence[ConfigIssue], message: str | None = None) -> ConfigError:
    """A ConfigError carrying `.issues`; its text is every issue, one per line, unless `message` is given."""
    err = ConfigError(message or "\n".join(map(str, issues)))
    err.issues = list(issues)  # type: ignore[attr-defined]
    return err


# Cross-field rules are plain functions over the given fields, so the loader can also apply them to a source
# whose field values are invalid (pydantic skips model validators then) and report everything in one go.

def source_problems(fields: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """What a source lacks or gives twice, as (location under the source, message)."""
    problems: list[tuple[Loc, str]] = []
    if fields.get("every") is not None and fields.get("cron") is not None:
        problems.append((("cron",), "give either every or cron, not both"))
    elif fields.get("every") is None and fields.get("cron") is None:
        problems.append(((), "no schedule: give every (e.g. 30m) or cron (e.g. '*/15 * * * *'), here or in defaults"))
    if not any(fields.get(k) for k in ("feeds", "sitemaps", "sections")):
        problems.append(((), "no feeds, sitemaps or sections: give at least one, so the crawler can find articles"))
    return problems


def duplicate_names(names: Sequence[Any]) -> list[tuple[Loc, str]]:
    """Every reuse of a source name, located at the later source."""
    first: dict[str, int] = {}
    problems: list[tuple[Loc, str]] = []
    for i, name in enumerate(names):
        if not isinstance(name, str):
            continue
        if name in first:
            problems.append((("sources", i, "name"), f"duplicate name {name!r} (first used by sources[{first[name]}])"))
        first.setdefault(name, i)
    return problems


def _problems_error(problems: list[tuple[Loc, str]]) -> PydanticCustomError:
    """Several problems as one pydantic error; the loader unpacks ctx["problems"] into one issue each."""
    message = "; ".join(m for _, m in problems)
    return PydanticCustomError("newsmon", "{message}", {"message": message, "problems": tuple(problems)})


class Section(BaseModel):
    """A page whose links lead to articles; `article_pattern` is searched in each absolute link."""

    model_config = _STRICT
    url: Url
    article_pattern: Regex | None = None


class SelectorConfig(BaseModel):
    """Per-source overrides of extracted fields: CSS, or XPath when it starts with "/" or "("."""

    model_config = _STRICT
    title: Selector | None = None
    body: Selector | None = None
    date: Selector | None = None
    authors: Selector | None = None


class Source(BaseModel):
    """One configured outlet: where its articles are found, and how often to look."""

    model_config = _STRICT
    name: Name
    title: Text
    url: Url
    language: Language | None = None
    timezone: TimeZone = "UTC"
    every: Every | None = None       # an interval, or AutoPace for `every: auto`
    cron: Cron | None = None
    feeds: tuple[Url, ...] = ()
    sitemaps: tuple[Url, ...] = ()
    sections: tuple[Section, ...] = ()
    selectors: SelectorConfig = SelectorConfig()
    recheck: Interval | None = None   # fetch stored articles younger than this again, to catch later edits
    enabled: bool = True

    @model_validator(mode="after")
    def _complete(self) -> Source:
        if problems := source_problems(self.__dict__):
            raise _problems_error(problems)
        return self

    @property
    def allowed_domains(self) -> list[str]:
        """The home page's host without "www." (so its subdomains are allowed too); an IP address as is."""
        host = urlsplit(self.url).hostname or ""
        return [host[4:] if host.startswith("www.") and "." in host[4:] else host]

    @property
    def schedule(self) -> str:
        """How often the source is crawled, as the config says it: "every 15m", "every auto 10m..6h",
        "cron */20 * * * * Asia/Beirut" (cron is read in the source's time zone)."""
        if self.cron:
            return f"cron {self.cron} {self.timezone}"
        return f"every {self.every if isinstance(self.every, AutoPace) else interval_text(self.every)}"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The zone for dates published without an offset."""
        return zoneinfo.ZoneInfo(self.timezone)


class SourcesConfig(BaseModel):
    """Every configured source, in file order, and the file they came from."""

    model_config = _STRICT
    path: str | None = None
    sources: tuple[Source, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> SourcesConfig:
        if problems := duplicate_names([s.name for s in self.sources]):
            raise _problems_error(problems)
        return self

    def get(self, name: str) -> Source:
        """The source called `name`; ConfigError naming the known ones if there is none."""
        for source in self.sources:
            if source.name == name:
                return source
        where, known = self.path or "<string>", ", ".join(s.name for s in self.sources) or "(none)"
        raise config_error([ConfigIssue(where, None, "", f"no source named {name!r}; known: {known}")],
                           f"no source named {name!r} in {where}; known: {known}")

    @property
    def enabled(self) -> tuple[Source, ...]:
        """The sources to crawl, in file order."""
        return tuple(s for s in self.sources if s.enabled)
