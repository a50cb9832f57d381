from datetime import datetime, timezone

import pytest

from newsmon.timespec import parse_when

NOW = datetime(2024, 9, 20, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2d", datetime(2024, 9, 18, 12, 0, tzinfo=timezone.utc)),
        ("12h", datetime(2024, 9, 20, 0, 0, tzinfo=timezone.utc)),
        ("today", datetime(2024, 9, 20, tzinfo=timezone.utc)),
        ("2024-09-01", datetime(2024, 9, 1, tzinfo=timezone.utc)),
        ("2024-09-01T14:00+03:00", datetime(2024, 9, 1, 11, 0, tzinfo=timezone.utc)),
        ("2024-09-01T14:00:00Z", datetime(2024, 9, 1, 14, 0, tzinfo=timezone.utc)),
    ],
)
def test_parse_when(text, expected):
    assert parse_when(text, now=NOW) == expected


def test_parse_when_rejects_nonsense_with_the_accepted_forms():
    with pytest.raises(ValueError, match="2d"):
        parse_when("last tuesday", now=NOW)


def test_a_weekday_means_its_latest_start_today_included():
    sunday = datetime(2026, 11, 29, 13, 0, tzinfo=timezone.utc)
    assert parse_when("monday", now=sunday) == datetime(2026, 11, 23, tzinfo=timezone.utc)
    assert parse_when("Sunday", now=sunday) == datetime(2026, 11, 29, tzinfo=timezone.utc)
    assert parse_when("saturday", now=sunday) == datetime(2026, 11, 28, tzinfo=timezone.utc)
