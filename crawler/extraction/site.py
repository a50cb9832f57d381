"""Does a piece of text name this site? Used to strip " | Site" from titles and to drop the publisher from
the author list. A site is known by its og:site_name / publisher name, its section and its host name."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_DATE_SEGMENT = re.compile(r"^[\d\s./-]{6,12}$")  # the "28.04.2023" in "Headline | DW | 28.04.2023"
_HOST_NOISE = frozenset({"www", "m", "amp", "mobile", "news", "en", "ar", "de", "fr", "es"})


def _key(text: str) -> str:
    return _NON_WORD.sub("", text).casefold()


def _ascii_key(text: str) -> str:
    """Letters without accents, to match a name against a host: "Börsen-Zeitung" ~ boersen-zeitung.de."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_GERMAN))
    return _NON_WORD.sub("", "".join(ch for ch in text if not unicodedata.combining(ch)))


class SiteNames:
    """The names one page's site goes by."""

    def __init__(self, names: Iterable[str | None] = (), url: str | None = None) -> None:
        keys: set[str] = set()
        for name in names:
            if name:
                keys.update({_key(name), _ascii_key(name)})
                words = _NON_WORD.split(name)
                if len([w for w in words if w]) >= 3:  # "Legal Tribune Online" also signs as "LTO"
                    keys.add("".join(w[0] for w in words if w).casefold())
        if url:
            host = (urlsplit(url).hostname or "").lower()
            labels = [label for label in host.split(".") if label]
            if labels:
                keys.add(_key(host.removeprefix("www.")))
                # example.co.uk → example; news.example.com → example
                short_suffix = len(labels) >= 3 and len(labels[-2]) <= 3 and len(labels[-1]) == 2
                main = labels[-3] if short_suffix else labels[-2] if len(labels) >= 2 else labels[0]
                keys.add(_key(main))
                keys.update(_key(label) for label in labels[:-1] if label not in _HOST_NOISE and len(label) > 3)
        self.keys = {k for k in keys if len(k) >= 2}

    def named_by(self, segment: str, *, dates: bool = False) -> bool:
        """True when segment is one of the site's names, or nearly ("Spiegel" for spiegel.de, "Ilanga D" for
        ilanganews.co.za). With dates=True a bare date counts too (titles end with one on some sites)."""
        if dates and _DATE_SEGMENT.match(segment):
            return True
        for key in {_key(segment), _ascii_key(segment)}:
            if not key:
                continue
            if key in self.keys:
                return True
            if len(key) >= 4 and len(segment.split()) <= 4 and any(
                key in k or k in key for k in self.keys if len(k) >= 4
            ):
                return True
        return False
