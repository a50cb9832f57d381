"""The item the spider yields and the pipelines complete, one per article page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

if TYPE_CHECKING:
    from pipelines.language import Guess
    from pipelines.normalize import Cleaned


@dataclass
class ArticleItem:
    source: str                       # the source's config name
    fetched_url: str                  # the URL asked for (as linked, before redirects)
    final_url: str                    # the URL the page was served from, after redirects
    fetched_at: datetime              # aware, UTC
    title: str | None
    body: str | None
    declared_canonical: str | None = None
    url: str | None = None            # set by the normalize pipeline: the canonical URL it is stored under
    description: str | None = None
    credited_source: str | None = None     # the outlet or agency a closing "المصدر: …" line credits
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None   # naive until the normalize pipeline applies the source timezone
    published_from: str | None = None
    modified_at: datetime | None = None
    modified_from: str | None = None
    site_name: str | None = None
    language: str | None = None
    language_from: str | None = None
    language_hints: dict[str, str] = field(default_factory=dict)  # e.g. {"html": "ar", "feed": "ar", "source": "ar"}
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    stored_id: int | None = None          # set when this is a re-fetch of a stored article
    listed_at: datetime | None = None     # the date the linking feed/sitemap entry gave it (crawler.freshness)
    etag: str | None = None               # the server's validators, for a conditional re-fetch
    last_modified: str | None = None
    run: tuple[str, int, int] | None = None  # (source, source id, run id): the crawl context (crawler.context)
    work: str | None = None               # a cluster worker's in-flight token, settled once the item is stored
    cleaned: Cleaned | None = None        # the texts cleaned ahead, in the extraction pool (pipelines.normalize)
    guess: Guess | None = None            # langdetect's answer on them, made there too (pipelines.language)


class Skip(DropItem):
    """An item left out on purpose; ``reason`` is the short code counted on the crawl run."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}", log_level="INFO")
        self.reason = reason
