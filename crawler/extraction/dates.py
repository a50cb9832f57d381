"""Parse the date strings pages give: ISO 8601 and RFC 2822 by hand (fast, exact), anything else by dateparser.

A date that names no day ("2024", "May 2024") is not a publication date: it returns None rather than the 1st.
Hijri dates are refused so that a Gregorian date elsewhere on the page wins (conversions are off by a day).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache

_ISO = re.compile(
    r"^\s*(\d{4})-?(\d{2})-?(\d{2})"                 # date, with or without dashes
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"  # optional time
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)
_PARTIAL_ISO = re.compile(r"^\s*\d{4}(?:-\d{1,2})?\s*$")  # "2024", "2024-05": no day
_EPOCH = re.compile(r"^\s*(\d{10})(\d{3})?\s*$")           # Unix seconds or milliseconds
_HIJRI = re.compile(
    r"هـ|ه\.|\bAH\b|محرم|صفر|ربيع|جمادى|جمادي|رجب|شعبان|رمضان|شوال|ذو القعدة|ذو الحجة|ذي القعدة|ذي الحجة"
)
_ARABIC = re.compile(r"[\u0600-\u06FF]")
# "تشرين الأول/أكتوبر 2023": dateparser only understands it once the "/أكتوبر" gloss is gone.
_ARABIC_GLOSS = re.compile(r"\s*/\s*[\u0600-\u06FF]+")
# Gregorian years a news page can plausibly mean; Hijri years (14xx) and typos fall outside.
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def parse_date(text: str | None) -> datetime | None:
    """A datetime, aware when the text carries an offset, else naive; None for no day, Hijri or garbage."""
    if not text:
        return None
    text = " ".join(str(text).split())
    if not text or len(text) > 200 or _PARTIAL_ISO.match(text):
        return None
    parsed = _parse_iso(text)
    if parsed is None:
        parsed = _parse_epoch(text) or _parse_rfc2822(text)
    if parsed is None:
        if _HIJRI.search(text):
            return None
        parsed = _parse_text(text)
    if parsed is None or not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return None
    return parsed


def _parse_iso(text: str) -> datetime | None:
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, tz = match.groups()
    try:
        value = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
    except ValueError:
        return None
    if tz:
        value = value.replace(tzinfo=_offset(tz))
    return value


def _offset(tz: str) -> timezone:
    if tz.upper() in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _parse_epoch(text: str) -> datetime | None:
    match = _EPOCH.match(text)
    if not match:
        return None
    return datetime.fromtimestamp(int(match.group(1)), tz=timezone.utc)


def _parse_rfc2822(text: str) -> datetime | None:
    if not re.match(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d", text):
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None


def _parse_text(text: str) -> datetime | None:
    if _ARABIC.search(text):
        text = _ARABIC_GLOSS.sub("", text)
        result = _arabic_parser().get_date_data(text)
    else:
        result = _generic_parser().get_date_data(text)
    # period is "day" or "time" when the text names a day; "month"/"year" means dateparser invented one.
    if result is None or result.date_obj is None or result.period not in ("day", "time"):
        return None
    if not re.search(r"\d", text):
        return None  # "today", "yesterday": relative to the crawl, not a stated date
    return result.date_obj


@lru_cache(maxsize=1)
def _generic_parser():
    from dateparser.date import DateDataParser  # slow to import; only needed for dates written as text

    return DateDataParser(settings={"PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "past"})


@lru_cache(maxsize=1)
def _arabic_parser():
    from dateparser.date import DateDataParser

    # ar-LB knows the Levantine month names (أيلول, تشرين الأول) that plain "ar" misses, and the Egyptian ones too.
    return DateDataParser(locales=["ar-LB"], settings={"PREFER_DAY_OF_MONTH": "first"})
