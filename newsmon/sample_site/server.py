"""The sample site's HTTP server: a standard-library ThreadingHTTPServer on loopback, in a background thread."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import threading
from collections import Counter
from datetime import datetime, timezone
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .content import VARIANTS
from .render import Ctx, Response, route

log = logging.getLogger(__name__)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: "SampleSite"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "SampleNews/1.0"
    sys_version = ""
    protocol_version = "HTTP/1.0"       # one request per connection: stop() never waits on idle keep-alives

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def log_message(self, format: str, *args) -> None:   # noqa: A002 (the stdlib's name)
        log.debug("%s %s", self.address_string(), format % args)

    def _serve(self, head: bool) -> None:
        site = self.server.site
        path = urlsplit(self.path).path or "/"
        site._record(path, self.path)
        resp = route(path, site._ctx())
        if resp.delay > 0 and site._stopping.wait(resp.delay):
            return                                    # shutting down: drop the connection
        etag = last_modified = None
        if resp.status == 200:
            etag = '"' + hashlib.sha1(resp.body).hexdigest()[:20] + '"'
            last_modified = _last_modified(resp)
            if _not_modified(self.headers, etag, last_modified):
                site._answered(self.path, 304)
                self.send_response(304)
                self.send_header("ETag", etag)
                if last_modified:
                    self.send_header("Last-Modified", last_modified)
                self.end_headers()
                return
        site._answered(self.path, resp.status)
        try:
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.body)))
            if etag:
                self.send_header("ETag", etag)
            if last_modified:
                self.send_header("Last-Modified", last_modified)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.end_headers()
            if not head:
                self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            pass


# the elements of RSS, Atom and sitemaps that date the document or its entries
_DATED = re.compile(rb"<(?:\w+:)?(?:pubDate|lastBuildDate|published|updated|lastmod|publication_date)>([^<]+)<")


def _last_modified(resp: Response) -> str | None:
    """A feed's or sitemap's Last-Modified: the newest date it gives, as a site generating it would say."""
    if "xml" not in resp.content_type:
        return None
    dates = [date for text in _DATED.findall(resp.body) if (date := _date(text.decode("utf-8", "replace")))]
    return format_datetime(max(dates), usegmt=True) if dates else None


def _date(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            value = parsedate_to_datetime(text.strip())
        except (TypeError, ValueError):
            return None
    return value.astimezone(timezone.utc) if value.tzinfo else None


def _not_modified(request_headers: Message, etag: str, last_modified: str | None) -> bool:
    """304 or not, as RFC 9110 says: If-None-Match decides when it is sent, else If-Modified-Since."""
    if (tags := request_headers.get("If-None-Match")) is not None:
        return etag in [tag.strip() for tag in tags.split(",")]
    since = _date(request_headers.get("If-Modified-Since") or "")
    modified = _date(last_modified) if last_modified else None
    return since is not None and modified is not None and since >= modified


class SampleSite:
    """The fixture news site on 127.0.0.1. Use as a context manager or call start()/stop().

    ``hits`` counts requests per path (query string dropped, percent-encoding as sent); ``requests`` lists
    every request target as sent (with its query string), in arrival order; ``answers`` lists (target, status)
    as answered (a 304 to a conditional request shows as such).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, slow_seconds: float = 3.0):
        try:
            ok = ipaddress.ip_address(host).version == 4 and ipaddress.ip_address(host).is_loopback
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"the sample site serves on IPv4 loopback only, not {host!r}")
        self.host = host
        self.port = port
        self.slow_seconds = slow_seconds
        self.variant = "base"
        self.hits: Counter[str] = Counter()
        self.requests: list[str] = []
        self.answers: list[tuple[str, int]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._base = ""
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SampleSite is not started")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> "SampleSite":
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server((self.host, self.port), _Handler)
        server.site = self
        self._server = server
        self._base = f"http://{self.host}:{server.server_address[1]}"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"sample-site-{server.server_address[1]}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "SampleSite":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- state -----------------------------------------------------------------------------------------
    def set_variant(self, name: str) -> None:
        """Switch the site: "base" (default), "updated" (almanar 1007 and wire fed-holds-rates get an added
        paragraph and a newer modified date in their feed/sitemap entries; almanar 1008 appears) or "undated"
        (legacy's pages lose their date line and six new undated articles appear: see content.LEGACY_UNDATED)."""
        if name not in VARIANTS:
            raise ValueError(f"unknown variant {name!r}; known: {', '.join(VARIANTS)}")
        self.variant = name

    def reset_hits(self) -> None:
        with self._lock:
            self.hits.clear()
            self.requests.clear()
            self.answers.clear()

    def url(self, path: str) -> str:
        return self.base_url + path

    def _record(self, path: str, target: str) -> None:
        with self._lock:
            self.hits[path] += 1
            self.requests.append(target)

    def _answered(self, target: str, status: int) -> None:
        with self._lock:
            self.answers.append((target, status))

    def _ctx(self) -> Ctx:
        return Ctx(base=self._base, variant=self.variant, slow_seconds=self.slow_seconds)

    def __repr__(self) -> str:
        state = self.base_url if self._server else "stopped"
        return f"<SampleSite {state} variant={self.variant}>"
