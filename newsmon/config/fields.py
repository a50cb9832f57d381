"""The value types of sources.yaml; each check raises ValueError with a message a person can act on."""

from __future__ import annotations

import difflib
import re
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlsplit

from cssselect import SelectorError
from lxml import etree
from parsel.csstranslator import css2xpath
from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, PlainValidator


def _check_name(v: str) -> str:
    if not re.fullmatch(r"[a-z0-9_-]+", v):
        hint = re.sub(r"[^a-z0-9_-]+", "-", v.lower()).strip("-")
        example = f", e.g. {hint!r}" if hint else ""
        raise ValueError(f"{v!r} is not a valid name: use only a-z, 0-9, '_' and '-'{example}")
    return v


def _check_url(v: str) -> str:
    try:
        parts = urlsplit(v)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and not re.search(r"\s", v)
    except ValueError:  # e.g. a non-numeric port
        ok = False
    if not ok:
        raise ValueError(f"{v!r} is not an absolute http(s) URL")
    return v


_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_interval(v: Any) -> timedelta:
    """ "30m", "2h", "5s", "1d" as a timedelta; ValueError saying what is expected otherwise."""
    if isinstance(v, timedelta):
        interval = v
    elif isinstance(v, str) and (m := re.fullmatch(r"\s*([0-9]+)\s*([smhd])\s*", v)):
        try:
            interval = timedelta(**{_UNITS[m[2]]: int(m[1])})
        except OverflowError:
            raise ValueError(f"the interval {v!r} is too long") from None
    else:
        raise ValueError(f"expected an interval like '30m' (a whole number, then s, m, h or d), got {v!r}")
    if interval <= timedelta(0):
        raise ValueError(f"the interval must be longer than zero, got {v!r}")
    return interval


@dataclass(frozen=True)
class AutoPace:
    """``every: auto``: the scheduler polls more often while a source publishes, less while it brings nothing."""

    shortest: timedelta = timedelta(minutes=10)
    longest: timedelta = timedelta(hours=6)

    def __str__(self) -> str:
        return f"auto {interval_text(self.shortest)}..{interval_text(self.longest)}"


def interval_text(interval: timedelta) -> str:
    """An interval as the config writes it: 90 minutes is "90m", two hours "2h"."""
    seconds = int(interval.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _parse_every(v: Any) -> timedelta | AutoPace:
    if isinstance(v, AutoPace):
        return v
    if isinstance(v, str) and (m := re.fullmatch(r"\s*auto(?:\s+(\S+?)\s*\.\.\s*(\S+))?\s*", v)):
        if m[1] is None:
            return AutoPace()
        shortest, longest = parse_interval(m[1]), parse_interval(m[2])
        if shortest > longest:
            raise ValueError(f"{v!r}: the shortest interval comes first, as in 'auto 10m..6h'")
        return AutoPace(shortest, longest)
    try:
        return parse_interval(v)
    except ValueError as exc:
        if not str(exc).startswith("expected"):
            raise
        raise ValueError(f"expected an interval like '30m' (a whole number, then s, m, h or d), "
                         f"or 'auto' / 'auto 10m..6h' to follow the source's pace; got {v!r}") from None


@cache
def _zone_names() -> dict[str, str]:
    return {z.lower(): z for z in zoneinfo.available_timezones()}


def _check_timezone(v: str) -> str:
    try:
        zoneinfo.ZoneInfo(v)
        return v
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    names = _zone_names()
    guess = names.get(v.lower()) or next(iter(difflib.get_close_matches(v, names.values(), n=1)), None)
    hint = f" (did you mean {guess!r}?)" if guess else "; use an IANA name such as 'Asia/Beirut' or 'UTC'"
    raise ValueError(f"unknown time zone {v!r}{hint}")


def _check_language(v: str) -> str:
    if not re.fullmatch(r"[a-z]{2}", v):
        raise ValueError(f"{v!r} is not a two-letter lowercase ISO 639-1 code such as 'ar', 'en' or 'fa'")
    return v


_CRON_FIELDS = (  # label, lowest, highest, names (their index + lowest is the value)
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
    ("day of week", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)


def _cron_item_ok(item: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    m = re.fullmatch(r"(?:\*|([0-9]+|[a-zA-Z]{3})(?:-([0-9]+|[a-zA-Z]{3}))?)(?:/([0-9]+))?", item)
    if not m or (m[3] is not None and int(m[3]) == 0):
        return False
    values = [int(x) if x.isdigit() else (names.index(x.lower()) + low if x.lower() in names else -1)
              for x in (m[1], m[2]) if x is not None]
    return all(low <= x <= high for x in values) and (len(values) < 2 or values[0] <= values[1])


def _check_cron(v: str) -> str:
    fields = v.split()
    if len(fields) != 5:
        raise ValueError(f"{v!r} has {len(fields)} fields; cron needs 5: minute hour day-of-month month day-of-week")
    for text, (label, low, high, names) in zip(fields, _CRON_FIELDS):
        if not all(_cron_item_ok(item, low, high, names) for item in text.split(",")):
            raise ValueError(f"{v!r}: invalid {label} field {text!r} "
                             f"(use *, N, N-M, */S or a list of them; N from {low} to {high})")
    return v


def _check_regex(v: str) -> str:
    try:
        re.compile(v)
    except re.error as e:
        raise ValueError(f"{v!r} is not a valid regular expression: {e}") from None
    return v


def _check_selector(v: str) -> str:
    """Compiled as crawler/extraction/select.py will: XPath if it starts with "/" or "(", else Scrapy-style CSS."""
    is_xpath = v.strip().startswith(("/", "("))
    try:
        etree.XPath(v.strip() if is_xpath else css2xpath(v.strip()))
    except (etree.XPathError, SelectorError) as e:
        raise ValueError(f"{v!r} is not a valid {'XPath' if is_xpath else 'CSS selector'}: {e}") from None
    return v


Name = Annotated[str, AfterValidator(_check_name)]
Text = Annotated[str, Field(min_length=1)]
Url = Annotated[str, AfterValidator(_check_url)]
Interval = Annotated[timedelta, BeforeValidator(parse_interval)]
Every = Annotated[timedelta | AutoPace, PlainValidator(_parse_every), PlainSerializer(str)]
TimeZone = Annotated[str, AfterValidator(_check_timezone)]
Language = Annotated[str, AfterValidator(_check_language)]
Cron = Annotated[str, AfterValidator(_check_cron)]
Regex = Annotated[str, AfterValidator(_check_regex)]
Selector = Annotated[str, AfterValidator(_check_selector)]
