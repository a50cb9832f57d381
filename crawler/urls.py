"""URL identity: the canonical form under which an article is stored, and which URLs a source owns."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import safe_url_string

# Parameters that say how a reader arrived, not which page they read.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid|"
    r"ocid|cmpid|ito|at_medium|at_campaign|at_custom\d*|xtor|ns_\w+|ref|ref_src|smid|spm|__twitter_impression)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def clean_url(url: str) -> str:
    """``url`` without tracking parameters and fragment, percent-encoded, scheme and host lower-cased.

    Feeds write Arabic slugs raw or encoded, in either case of hex digit; one form is needed so that
    an article already stored is recognised however it is linked. Raises ValueError for a URL that
    cannot be parsed (a bad port, an unclosed IPv6 bracket).
    """
    parts = urlsplit(safe_url_string(url.strip()))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    # Filter the raw pairs rather than decode and re-encode them, which would change their spelling.
    pairs = [p for p in parts.query.split("&") if p and not _TRACKING.match(unquote_plus(p.partition("=")[0]))]
    path = _ESCAPE.sub(lambda m: m.group().upper(), parts.path or "/")
    return urlunsplit((scheme, host, path, "&".join(pairs), ""))


_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def canonical_url(final_url: str, declared: str | None) -> str:
    """The URL an article is stored under: the page's declared canonical when it is believable.

    It must be on the same site, and not the home page: some sites declare their home page as
    every article's canonical, which would fold all their articles into one.
    """
    fetched = clean_url(final_url)
    if declared:
        try:
            candidate = clean_url(declared)
        except ValueError:
            return fetched
        believable = (
            urlsplit(candidate).scheme in ("http", "https")
            and same_site(candidate, fetched)
            and (urlsplit(candidate).path not in ("", "/") or urlsplit(fetched).path in ("", "/"))
        )
        if believable:
            return candidate
    return _without_amp(fetched)


# AMP copies of a page: /amp/ or .amp at the end of the path, or an amp / outputType=amp parameter
_AMP_PATH = re.compile(r"(?:/amp/?|\.amp)$", re.IGNORECASE)
_AMP_PARAM = re.compile(r"^(?:amp(?:=1|=true)?|outputType=amp)$", re.IGNORECASE)


def _without_amp(url: str) -> str:
    """The page an AMP variant is a copy of (used when the AMP page does not name its canonical itself)."""
    parts = urlsplit(url)
    path = _AMP_PATH.sub("", parts.path) or "/"
    query = "&".join(p for p in parts.query.split("&") if p and not _AMP_PARAM.match(p))
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def host_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def same_site(a: str, b: str) -> bool:
    """Whether two URLs belong to one site: the same registered host, ignoring ``www.``."""
    return host_of(a) == host_of(b)


def in_domains(url: str, domains: list[str]) -> bool:
    """Whether ``url``'s host is one of ``domains`` or a subdomain of one."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)
