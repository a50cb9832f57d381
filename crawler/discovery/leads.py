"""A lead: a URL that may be an article, with what the page that linked to it said about it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True)
class Lead:
    url: str
    via: str                          # "feed", "sitemap" or "section": where the link was found
    title: str | None = None
    published: datetime | None = None  # aware when the listing gave an offset
    modified: datetime | None = None
    language: str | None = None

    def language_hints(self, page_language: str | None, source_language: str | None) -> dict[str, str]:
        """What the page, this listing and the source's config say the article's language is (the language
        pipeline's hints), by where each was said: html, feed/sitemap/section, source."""
        hints = {"html": page_language, self.via: self.language, "source": source_language}
        return {where: language for where, language in hints.items() if language}


def newest_first(leads: Iterable[Lead]) -> list[Lead]:
    """Leads ordered newest first; undated ones keep their listing order after the dated ones.

    Listings are usually newest first already, so an undated lead's position is still a fair guess.
    """
    leads = list(leads)
    dated = [lead for lead in leads if lead.published or lead.modified]
    undated = [lead for lead in leads if not (lead.published or lead.modified)]
    dated.sort(key=lambda lead: _sortable(lead.published or lead.modified), reverse=True)  # type: ignore[arg-type]
    return dated + undated


def _sortable(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def parse_iso(text: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as found in sitemaps and feeds; None when it is not one."""
    if not text:
        return None
    text = text.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
