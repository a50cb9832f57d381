"""Reading the dates users type: ``2024-09-20``, ``2024-09-20T14:00+03:00``, ``2d``, ``12h``, ``today``,
``monday``."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

_RELATIVE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """An aware UTC datetime. Relative spans count back from ``now``; a date alone means its start in UTC."""
    now = now or datetime.now(timezone.utc)
    text = text.strip()
    if match := _RELATIVE.match(text):
        amount, unit = match.groups()
        return now - timedelta(**{_UNITS[unit]: int(amount)})
    if text.lower() == "today":
        return datetime.combine(now.date(), time(), tzinfo=timezone.utc)
    if text.lower() == "yesterday":
        return datetime.combine(now.date() - timedelta(days=1), time(), tzinfo=timezone.utc)
    if text.lower() in _WEEKDAYS:  # the latest such day, today included ("since monday": this week)
        back = (now.weekday() - _WEEKDAYS.index(text.lower())) % 7
        return datetime.combine(now.date() - timedelta(days=back), time(), tzinfo=timezone.utc)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a date: {text!r} (use 2024-09-20, 2024-09-20T14:00+03:00, 2d, 12h, today or a weekday)") from None
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
