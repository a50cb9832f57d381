"""The schedule's arithmetic: triggers from config, backoff of failing sources, the pace of `every: auto`."""

from datetime import datetime, timedelta, timezone

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from newsmon.config import parse_sources
from newsmon.config.fields import AutoPace
from scheduler import backoff_delay, next_pace, schedule_key, trigger_for

SOURCE = """
sources:
  - name: a
    title: A
    url: https://a.example/
    timezone: Asia/Beirut
    feeds: [https://a.example/rss]
    {schedule}
"""


def source(schedule: str):
    return parse_sources(SOURCE.format(schedule=schedule), "sources.yaml").sources[0]


def test_an_interval_source_runs_on_its_interval():
    trigger = trigger_for(source("every: 5s"))
    assert isinstance(trigger, IntervalTrigger) and trigger.interval == timedelta(seconds=5)


def test_cron_is_read_in_the_sources_time_zone():
    trigger = trigger_for(source("cron: '0 7 * * *'"))
    assert isinstance(trigger, CronTrigger)
    after = datetime(2024, 9, 20, 12, 0, tzinfo=timezone.utc)
    # seven in the morning in Beirut (UTC+3 in September) is four in UTC
    assert trigger.get_next_fire_time(None, after).astimezone(timezone.utc) == datetime(2024, 9, 21, 4, 0, tzinfo=timezone.utc)


def test_an_auto_source_starts_at_its_shortest_interval():
    trigger = trigger_for(source("every: auto 2m..1h"))
    assert trigger.interval == timedelta(minutes=2)


def test_the_job_name_changes_exactly_when_the_schedule_does():
    assert schedule_key(source("every: 15m")) == "a, every 15m"
    assert schedule_key(source("every: 90m")) != schedule_key(source("every: 15m"))
    assert schedule_key(source("every: auto")) == "a, every auto 10m..6h"
    assert schedule_key(source("cron: '*/20 * * * *'")) == "a, cron */20 * * * * Asia/Beirut"


def test_failing_sources_back_off_exponentially_up_to_the_cap():
    cap = timedelta(hours=6)
    every = timedelta(minutes=15)
    waits = [backoff_delay(every, failures, cap) for failures in range(1, 8)]
    assert waits[:4] == [timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2), timedelta(hours=4)]
    assert waits[4:] == [cap, cap, cap]
    assert backoff_delay(every, 10_000, cap) == cap  # months of failures do not overflow


def test_auto_pace_speeds_up_while_a_source_publishes_and_slows_down_while_it_does_not():
    pace = AutoPace(timedelta(minutes=10), timedelta(hours=6))
    interval = pace.shortest
    for _ in range(20):
        interval = next_pace(pace, interval, new_articles=0)
    assert interval == pace.longest
    interval = next_pace(pace, interval, new_articles=3)
    assert interval == pace.longest / 2
    for _ in range(20):
        interval = next_pace(pace, interval, new_articles=1)
    assert interval == pace.shortest
