"""The project's own exceptions. Library errors are mapped to these at the boundary."""

from __future__ import annotations


class NewsmonError(Exception):
    """Base class of every error newsmon raises on purpose."""


class ConfigError(NewsmonError):
    """The sources file or a setting is invalid; nothing was loaded."""


class FetchError(NewsmonError):
    """A page, feed or sitemap could not be fetched."""


class ExtractError(NewsmonError):
    """A fetched page could not be turned into an article."""


class StoreError(NewsmonError):
    """The database refused or could not be reached."""
