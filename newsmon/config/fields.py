"""The value types of sources.yaml; each check raises ValueError with a message a person can act on."""

from __future__ import annotations

import difflib
import re
import zoneinfo
from datetime import timedelta
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlsplit

from cssselect import SelectorError
from lxml import etree
from parsel.csstranslator import css2xpath
from pydantic import AfterValidator, BeforeValidator, Field


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


def _parse_interval(v: Any) -> timedelta:
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
Interval = Annotated[timedelta, BeforeValidator(_parse_interval)]
TimeZone = Annotated[str, AfterValidator(_check_timezone)]
Language = Annotated[str, AfterValidator(_check_language)]
Cron = Annotated[str, AfterValidator(_check_cron)]
Regex = Annotated[str, AfterValidator(_check_regex)]
Selector = Annotated[str, AfterValidator(_check_selector)]
