"""Parse the date strings pages give, and find the dates pages only show as text.

parse_date: one machine-readable or short date string (a <meta> value, JSON-LD, <time>): ISO 8601, RFC 2822 and
epoch by hand (fast, exact), Arabic and Persian dates by the tables below, anything else by dateparser.
find_text_dates: every date written in a piece of visible text, as outlets write them: Levantine, Egyptian/Gulf
and Maghrebi month names, the "تشرين الأول/أكتوبر" double form, weekday prefixes, "- 14:35" and ص/م times,
Arabic-Indic and Persian digits, relative dates ("منذ 3 ساعات", "أمس") against the fetch time, Persian Solar Hijri
dates and Hijri (Islamic) dates, each tagged with its kind.

No silent defaulting: a date that names no day ("2024", "May 2024", "سبتمبر 2023") is not a publication date and
gives None rather than the 1st. Hijri dates are never returned by parse_date, and by find_text_dates only tagged
"text:hijri", so that the caller can prefer any Gregorian date on the page (conversions are off by a day).
Dates without an offset are naive (the pipeline applies the source's timezone); relative dates are aware.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
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
# Arabic-Indic (U+0660–0669) and Persian (U+06F0–06F9) digits.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def parse_date(text: str | None) -> datetime | None:
    """A datetime, aware when the text carries an offset, else naive; None for no day, Hijri or garbage."""
    if not text:
        return None
    text = " ".join(str(text).translate(_DIGITS).split())
    if not text or len(text) > 200 or _PARTIAL_ISO.match(text):
        return None
    parsed = _parse_iso(text)
    if parsed is None:
        parsed = _parse_epoch(text) or _parse_rfc2822(text)
    if parsed is None:
        if _HIJRI.search(text) or _RELATIVE.search(_fold(text)) or _NAMED.match(_fold(text)):
            # Hijri: a Gregorian date elsewhere wins; relative ("منذ 3 ساعات", "أمس 18:30"): only the caller
            # knows the fetch time they count from (dateparser would count from the clock)
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
        # Our own tables first: they know Maghrebi months, ص/م and Persian dates that dateparser does not.
        for found in find_text_dates(text):
            if found.kind in ("text", "text:solar-hijri"):  # Solar Hijri converts exactly
                return found.value
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


# ---------------------------------------------------------------------------------------------------------------
# Dates in visible text.

@dataclass(frozen=True)
class TextDate:
    value: datetime
    kind: str  # "text", "text:relative", "text:solar-hijri" or "text:hijri"
    updated: bool = False  # labelled as an update ("آخر تحديث", "Updated"), not the publication


# Folding for matching only (the value is never shown): digits to ASCII, alef forms to ا, alef maksura and
# Persian yeh to ي, Persian kaf to ك, harakat, tatweel and bidi marks dropped, ZWNJ to a space.
_FOLD = str.maketrans({
    **{c: a for c, a in zip("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")},
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ک": "ك", "ـ": None, "\u200c": " ",
    "\u060c": ",", "\u061b": ",", "\u00a0": " ",
    **{chr(c): None for c in (*range(0x064B, 0x0653), 0x0670, 0x200E, 0x200F, 0x061C, 0x202A, 0x202B, 0x202C,
                               0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200B, 0xFEFF)},
})


def _fold(text: str) -> str:
    return " ".join(text.translate(_FOLD).split())


_GREGORIAN_MONTHS = {
    1: ["كانون الثاني", "يناير", "ينايـر", "جانفي", "ژانويه"],
    2: ["شباط", "فبراير", "فبرایر", "فيفري", "فوريه"],
    3: ["آذار", "اذار", "مارس"],
    4: ["نيسان", "أبريل", "ابريل", "إبريل", "أفريل", "افريل", "آوريل"],
    5: ["أيار", "ايار", "مايو", "ماي", "مه"],
    6: ["حزيران", "يونيو", "يونيه", "جوان", "ژوئن"],
    7: ["تموز", "يوليو", "يوليه", "يوليوز", "جويلية", "جويليه", "ژوئيه"],
    8: ["آب", "أغسطس", "اغسطس", "أغسطوس", "غشت", "أوت", "اوت"],
    9: ["أيلول", "ايلول", "سبتمبر", "شتنبر", "سپتامبر"],
    10: ["تشرين الأول", "تشرين الاول", "أكتوبر", "اكتوبر", "اکتبر", "أكتوبـر"],
    11: ["تشرين الثاني", "نوفمبر", "نونبر", "نوامبر"],
    12: ["كانون الأول", "كانون الاول", "ديسمبر", "دجنبر", "دسامبر"],
}
_SOLAR_MONTHS = {
    1: ["فروردین"], 2: ["اردیبهشت"], 3: ["خرداد"], 4: ["تیر"], 5: ["مرداد", "امرداد"], 6: ["شهریور"],
    7: ["مهر"], 8: ["آبان"], 9: ["آذر"], 10: ["دی"], 11: ["بهمن"], 12: ["اسفند"],
}
_HIJRI_MONTHS = {
    1: ["محرم", "المحرم"], 2: ["صفر"], 3: ["ربيع الأول", "ربيع الاول", "ربيع أول"],
    4: ["ربيع الآخر", "ربيع الثاني", "ربيع الاخر", "ربيع ثاني"],
    5: ["جمادى الأولى", "جمادى الاولى", "جمادى الأول", "جمادي الأولى"],
    6: ["جمادى الآخرة", "جمادى الثانية", "جمادى الاخرة", "جمادي الآخرة", "جمادى الآخر"],
    7: ["رجب"], 8: ["شعبان"], 9: ["رمضان"], 10: ["شوال"],
    11: ["ذو القعدة", "ذي القعدة", "ذو القعده", "ذي القعده"], 12: ["ذو الحجة", "ذي الحجة", "ذو الحجه", "ذي الحجه"],
}


def _month_table(months: dict[int, list[str]]) -> tuple[dict[str, int], str]:
    table = {_fold(name): number for number, names in months.items() for name in names}
    # Longest first, so "تشرين الأول" is not read as something shorter; names end at a word boundary.
    alternation = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(table, key=len, reverse=True))
    return table, rf"(?:ال)?(?:{alternation})(?![\w])"


_G_TABLE, _G_MONTH = _month_table(_GREGORIAN_MONTHS)
_S_TABLE, _S_MONTH = _month_table(_SOLAR_MONTHS)
_H_TABLE, _H_MONTH = _month_table(_HIJRI_MONTHS)

# A time after (or before) the date: "- 14:35", "04:10 م", "الساعة 10:30 صباحا", "at 2:35 pm".
_AMPM = r"(?:ص|م|صباحا|صباحاً|مساء|مساءا|ظهرا|فجرا|ق\.ظ|ب\.ظ|[ap]\.?\s?m\.?)(?![\w])"


def _time(prefix: str) -> str:
    return (rf"(?P<{prefix}h>\d{{1,2}})[:.](?P<{prefix}mi>\d{{2}})(?::(?P<{prefix}s>\d{{2}}))?"
            rf"(?:\s*(?P<{prefix}ap>{_AMPM}))?")


_TIME_AFTER, _TIME_BEFORE = _time("t"), _time("b")
_SEP = r"(?:\s*(?:[-–—|,•/@]|عل[يى] الساعة|الساعة|ساعت|عل[يى]|في|at|um|à|a las|alle|o)\s*)*\s*"
_YEAR_MARK = r"(?:\s?(?:م|ميلادي|ميلادية|مـ)(?![\w])(?!\s*\d{1,2}[:.]\d{2}))?"  # "2023م" (Gregorian), not "م" = pm


def _date_regex(month: str, year: str, marker: str = "") -> re.Pattern[str]:
    day_month = (rf"(?P<d>\d{{1,2}})\s*(?:\.|من)?\s*(?:شهر\s+)?(?P<m>{month})"
                 rf"(?:\s*[/(\-]\s*(?:{month})\s*\)?)?\s*,?\s*(?P<y>{year}){marker}")
    month_day = rf"(?P<m2>{month})\s+(?P<d2>\d{{1,2}})\s*,\s*(?P<y2>{year}){marker}"
    return re.compile(
        rf"(?:{_TIME_BEFORE}{_SEP})?(?<![\d])(?:{day_month}|{month_day})(?:{_SEP}{_TIME_AFTER})?", re.IGNORECASE)


_G_RE = _date_regex(_G_MONTH, r"(?:19|20)\d{2}", _YEAR_MARK)
_S_RE = _date_regex(_S_MONTH, r"1[34]\d{2}", r"(?:\s?(?:ه\.?\s?ش|هجري شمسي|ش)(?![\w]))?")
_H_RE = _date_regex(_H_MONTH, r"1[345]\d{2}", r"(?:\s?(?:هـ|ه|هجري|هجرية)(?![\w]))?")
# Numeric dates: 2023-09-20, 2023/9/20, 20/09/2023, 20.09.2023 (day first, as everywhere but the US);
# a year 1370–1420 written that way is Solar Hijri (1402/06/29), as Persian sites write it.
_NUMERIC = re.compile(
    rf"(?<![\d.:/-])(?:(?P<y>\d{{4}})(?P<s1>[-/.])(?P<m>\d{{1,2}})(?P=s1)(?P<d>\d{{1,2}})"
    rf"|(?P<d2>\d{{1,2}})(?P<s2>[-/.])(?P<m2>\d{{1,2}})(?P=s2)(?P<y2>\d{{4}}))(?![\d])"
    rf"(?:(?:T|{_SEP}){_TIME_AFTER})?"
)
# Words and numbers dateparser gets to read: "20 September 2023", "September 20, 2023", "3. März 2024, 10:15".
_WORDY = re.compile(
    r"(?<![\w])(?:\d{1,2}\.?\s*(?:de\s+)?[^\W\d_]{3,}\.?,?\s*(?:de\s+)?(?:19|20)\d{2}"
    r"|[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}"
    r"|(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d{2}\.\s*\d{1,2}\.\s*\d{1,2}\.?)"
    r"(?:[,\s]+(?:um\s+|at\s+|à\s+|-\s+|\|\s+)?\d{1,2}[:.h]\d{2}(?:\s*[ap]\.?m\.?)?)?",
    re.IGNORECASE,
)
_UPDATED = re.compile(
    r"(?:updated|update|aktualisiert|mis à jour|actualizado|aggiornato|bijgewerkt|güncelleme|обновлено"
    r"|تحديث|محدث|تم التحديث|بروزرسانی|به‌روز)\W{0,4}(?:\w+\W{1,3}){0,3}$", re.IGNORECASE)

_UNITS = {  # folded unit word → seconds, and how many the word alone means (dual forms mean two)
    "ثانيه": (1, 1), "ثانية": (1, 1), "ثوان": (1, 0), "ثواني": (1, 0), "ثانيتين": (1, 2),
    "دقيقه": (60, 1), "دقيقة": (60, 1), "دقائق": (60, 0), "دقيقتين": (60, 2), "دقيقتان": (60, 2),
    "ساعه": (3600, 1), "ساعة": (3600, 1), "ساعات": (3600, 0), "ساعتين": (3600, 2), "ساعتان": (3600, 2),
    "يوم": (86400, 1), "ايام": (86400, 0), "يومين": (86400, 2), "يومان": (86400, 2),
    "اسبوع": (604800, 1), "اسابيع": (604800, 0), "اسبوعين": (604800, 2), "اسبوعان": (604800, 2),
    # Persian (folded: ی → ي)
    "ثانيه پيش": (1, 1), "دقيقه پيش": (60, 1), "ساعت": (3600, 1), "روز": (86400, 1), "هفته": (604800, 1),
    # English
    "second": (1, 1), "seconds": (1, 1), "minute": (60, 1), "minutes": (60, 1), "min": (60, 1), "mins": (60, 1),
    "hour": (3600, 1), "hours": (3600, 1), "hr": (3600, 1), "hrs": (3600, 1), "day": (86400, 1),
    "days": (86400, 1), "week": (604800, 1), "weeks": (604800, 1),
    # French ("il y a 2 heures") and German ("vor 3 Stunden")
    "heure": (3600, 1), "heures": (3600, 1), "jour": (86400, 1), "jours": (86400, 1), "semaine": (604800, 1),
    "semaines": (604800, 1), "minuten": (60, 1), "stunde": (3600, 1), "stunden": (3600, 1), "tag": (86400, 1),
    "tagen": (86400, 1), "woche": (604800, 1), "wochen": (604800, 1),
}
_UNIT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_RELATIVE = re.compile(
    rf"(?:(?:منذ|قبل|il y a|vor)\s+(?:(?P<n>\d+|بضع|عدة)\s+)?(?P<u>{_UNIT})(?![\w])"
    rf"|(?P<n2>\d+|an?|one)\s+(?P<u2>{_UNIT})\s+(?:ago|پيش|قبل)(?![\w]))",
    re.IGNORECASE,
)
# Named days: only when the text is that word (and perhaps a time), never inside a sentence.
_NAMED_DAYS = {"اليوم": 0, "امس": 1, "الامس": 1, "البارحه": 1, "البارحة": 1, "اول امس": 2, "اول من امس": 2,
               "today": 0, "yesterday": 1, "امروز": 0, "ديروز": 1, "heute": 0, "gestern": 1}
_NAMED = re.compile(
    rf"^\W*(?P<w>{'|'.join(sorted(_NAMED_DAYS, key=len, reverse=True))})(?![\w])\W*(?:{_TIME_AFTER})?\W*$",
    re.IGNORECASE)


def find_text_dates(text: str, fetched_at: datetime | None = None) -> list[TextDate]:
    """Every date written in text, in the order found: Gregorian ("text"), Solar Hijri ("text:solar-hijri"),
    relative to fetched_at ("text:relative", aware; only when fetched_at is given) and Hijri ("text:hijri")."""
    folded = _fold(text)
    if not folded:
        return []
    found: list[tuple[int, TextDate]] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], value: datetime | None, kind: str) -> None:
        if value is None or any(s < match.end() and match.start() < e for s, e in taken):
            return
        taken.append(match.span())
        updated = bool(_UPDATED.search(folded[max(0, match.start() - 40):match.start()]))
        found.append((match.start(), TextDate(value, kind, updated)))

    for match in _G_RE.finditer(folded):
        add(match, _from_match(match, _G_TABLE, "gregorian"), "text")
    for match in _S_RE.finditer(folded):
        add(match, _from_match(match, _S_TABLE, "solar"), "text:solar-hijri")
    for match in _H_RE.finditer(folded):
        add(match, _from_match(match, _H_TABLE, "hijri"), "text:hijri")
    for match in _NUMERIC.finditer(folded):
        value, kind = _numeric(match)
        add(match, value, kind)
    if re.search(r"[^\W\d_]", folded):
        for match in _WORDY.finditer(folded):
            if not _ARABIC.search(match.group(0)):
                add(match, _dateparser_day(match.group(0)), "text")
    if fetched_at is not None:
        now = fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=timezone.utc)
        for match in _RELATIVE.finditer(folded):
            add(match, _relative(match, now), "text:relative")
        named = _NAMED.match(folded)
        if named:
            back = timedelta(days=_NAMED_DAYS[named.group("w").lower()])
            # "أمس 18:30": that wall-clock time on that day, naive like any written time (the source's zone applies)
            at = _with_time((now - back).date(), named, "t")
            add(named, at if at is not None else now - back, "text:relative")
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


# The order a page's visible dates are trusted in (see page_dates.text_date).
TEXT_DATE_PREFERENCE = (("text", "text:solar-hijri"), ("text:relative",), ("text:hijri",))


def best_text_date(found: list[TextDate], gregorian_elsewhere: bool = False) -> TextDate | None:
    """The first date of the most trusted kind; a Hijri one only when no Gregorian date is in sight."""
    found = [item for item in found if not item.updated]
    for kinds in TEXT_DATE_PREFERENCE:
        item = next((d for d in found if d.kind in kinds), None)
        if item is not None:
            if item.kind == "text:hijri" and (gregorian_elsewhere or any(d.kind == "text" for d in found)):
                return None
            return item
    return None


def parse_text_date(text: str, fetched_at: datetime | None = None) -> datetime | None:
    """The publication date a line of visible text states ("الأربعاء 20 أيلول 2023 - 14:35", "منذ 3 ساعات"),
    or a machine-readable date string; None when there is none or it is only half stated."""
    best = best_text_date(find_text_dates(text, fetched_at))
    return best.value if best is not None else parse_date(text)


def is_partial_date(text: str | None) -> bool:
    """A date that names a year, or a month of a year, but no day: "2024", "2024-09", "سبتمبر 2023"."""
    if not text:
        return False
    folded = _fold(str(text))
    return bool(_PARTIAL_ISO.match(folded) or re.fullmatch(
        rf"\W*(?:{_G_MONTH}|[^\W\d_]{{3,}}\.?)\W*(?:19|20)\d{{2}}\W*|(?:19|20)\d{{2}}[-/.](?:0?[1-9]|1[0-2])",
        folded, re.IGNORECASE))


def _from_match(match: re.Match[str], table: dict[str, int], calendar: str) -> datetime | None:
    groups = match.groupdict()
    day, month_name, year = (groups["d"], groups["m"], groups["y"]) if groups["d"] else (
        groups["d2"], groups["m2"], groups["y2"])
    month_name = " ".join(month_name.split())
    month = table.get(month_name) or table.get(month_name[2:] if month_name.startswith("ال") else "")
    if not month:
        return None
    try:
        if calendar == "solar":
            day_value = jalali_to_gregorian(int(year), month, int(day))
        elif calendar == "hijri":
            day_value = hijri_to_gregorian(int(year), month, int(day))
        else:
            day_value = date(int(year), month, int(day))
    except ValueError:
        return None
    return _with_time(day_value, match, "t") or _with_time(day_value, match, "b") or datetime(
        day_value.year, day_value.month, day_value.day)


def _with_time(day: date, match: re.Match[str], prefix: str) -> datetime | None:
    groups = match.groupdict()
    if not groups.get(f"{prefix}h"):
        return None
    hour, minute, second = int(groups[f"{prefix}h"]), int(groups[f"{prefix}mi"]), int(groups[f"{prefix}s"] or 0)
    marker = (groups.get(f"{prefix}ap") or "").lower().replace(".", "").replace(" ", "")
    if marker in ("م", "مساء", "مساءا", "pm", "بظ") and hour < 12:
        hour += 12
    elif marker in ("ص", "صباحا", "am", "فجرا", "قظ") and hour == 12:
        hour = 0
    elif marker == "ظهرا" and hour < 6:
        hour += 12
    if hour > 23 or minute > 59 or second > 59:
        return None
    return datetime(day.year, day.month, day.day, hour, minute, second)


def _numeric(match: re.Match[str]) -> tuple[datetime | None, str]:
    groups = match.groupdict()
    if groups["y"]:
        year, month, day = int(groups["y"]), int(groups["m"]), int(groups["d"])
    else:
        year, month, day = int(groups["y2"]), int(groups["m2"]), int(groups["d2"])
    try:
        if 1370 <= year <= 1420:
            return _with_time_or_day(jalali_to_gregorian(year, month, day), match), "text:solar-hijri"
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            return None, "text"
        return _with_time_or_day(date(year, month, day), match), "text"
    except ValueError:
        return None, "text"


def _with_time_or_day(day: date, match: re.Match[str]) -> datetime:
    return _with_time(day, match, "t") or datetime(day.year, day.month, day.day)


def _dateparser_day(text: str) -> datetime | None:
    result = _generic_parser().get_date_data(text)
    if result is None or result.date_obj is None or result.period not in ("day", "time"):
        return None
    value = result.date_obj
    return value.replace(tzinfo=None) if value.tzinfo and not re.search(r"[+-]\d{2}:?\d{2}|UTC|GMT", text) else value


def _relative(match: re.Match[str], now: datetime) -> datetime | None:
    number = match.group("n") or match.group("n2")
    unit = (match.group("u") or match.group("u2")).lower()
    seconds, implied = _UNITS[unit]
    if number and number.isdigit():
        count = int(number)
    elif number in ("بضع", "عدة"):
        return None  # "a few minutes ago": not a time
    else:
        count = implied or 1
    if count > 400 * 86400 // seconds:
        return None
    return now - timedelta(seconds=seconds * count)


# ---------------------------------------------------------------------------------------------------------------
# Calendars.

def jalali_to_gregorian(year: int, month: int, day: int) -> date:
    """Solar Hijri (Persian, Jalali) to Gregorian. The 33-year arithmetic leap rule agrees with Iran's
    astronomical calendar for the years news is dated in. ValueError for a day that does not exist."""
    last_day = 31 if month <= 6 else 30 if month < 12 or _jalali_leap(year) else 29
    if not (1 <= month <= 12 and 1 <= day <= last_day):
        raise ValueError(f"no such Solar Hijri date: {year}-{month}-{day}")
    days_before_month = (month - 1) * 31 if month <= 7 else 186 + (month - 7) * 30
    return date.fromordinal(_jalali_new_year(year) + days_before_month + day - 1)


def _jalali_new_year(year: int) -> int:
    """Gregorian ordinal of 1 Farvardin (Nowruz) of a Solar Hijri year, counted from 1 Farvardin 1400 =
    21 March 2021 with the 33-year leap rule (year y is leap when (25y + 11) mod 33 < 8)."""
    ordinal = _NOWRUZ_1400
    for y in range(1400, year):
        ordinal += 366 if _jalali_leap(y) else 365
    for y in range(year, 1400):
        ordinal -= 366 if _jalali_leap(y) else 365
    return ordinal


def _jalali_leap(year: int) -> bool:
    return (25 * year + 11) % 33 < 8


_NOWRUZ_1400 = date(2021, 3, 21).toordinal()


def hijri_to_gregorian(year: int, month: int, day: int) -> date:
    """Hijri (Islamic) to Gregorian by the tabular civil calendar: may be a day off the sighted or Umm al-Qura
    calendar a page follows — which is why a Hijri date never beats a Gregorian one."""
    if not (1 <= month <= 12 and 1 <= day <= 30):
        raise ValueError(f"no such Hijri date: {year}-{month}-{day}")
    julian_day = day + math.ceil(29.5 * (month - 1)) + (year - 1) * 354 + (3 + 11 * year) // 30 + 1948439
    return date.fromordinal(julian_day - 1721425)
