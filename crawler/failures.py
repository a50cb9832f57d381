"""Naming why a request failed, for the per-run error counts."""

from __future__ import annotations

from scrapy import exceptions as scrapy_errors
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.python.failure import Failure

# Scrapy ≥ 2.14 raises its own download exceptions; older code paths may still raise Twisted's.
_KINDS: list[tuple[str, tuple[type[BaseException], ...]]] = [
    ("dns", (scrapy_errors.CannotResolveHostError, net.DNSLookupError)),
    ("timeout", (scrapy_errors.DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError)),
    ("refused", (scrapy_errors.DownloadConnectionRefusedError, net.ConnectionRefusedError)),
    ("data_loss", (scrapy_errors.ResponseDataLossError,)),
    ("connection", (scrapy_errors.DownloadFailedError, net.ConnectError, net.ConnectionLost, net.ConnectionDone)),
]
# The kinds of failure where the server did not answer, or not in full (as opposed to answering with an error).
NO_ANSWER = frozenset(kind for kind, _ in _KINDS)


class RobotsUnreachable(scrapy_errors.IgnoreRequest):
    """A request crawler.robots refused because its site's robots.txt could not be read: unlike a disallow, that
    passes."""


def error_kind(failure: Failure) -> str:
    """A short, stable name for a failed request: ``http_404``, ``timeout``, ``dns``, ``refused``…"""
    if failure.check(HttpError):
        return f"http_{failure.value.response.status}"
    for kind, types in _KINDS:
        if failure.check(*types):
            return kind
    if failure.check(RobotsUnreachable):
        return "robots_unreachable"
    if failure.check(scrapy_errors.IgnoreRequest):
        return "robots_disallowed" if "robots.txt" in str(failure.value).lower() else "ignored"
    return type(failure.value).__name__.lower()
