import pytest

from db.engine import make_engine
from db.lease import SchedulerLease
from newsmon.errors import StoreError


def test_a_second_scheduler_on_the_same_database_is_refused_until_the_first_stops(db_url):
    first, second = make_engine(db_url), make_engine(db_url)
    try:
        with SchedulerLease(first):
            with pytest.raises(StoreError, match="already scheduling"):
                SchedulerLease(second).__enter__()
        with SchedulerLease(second):
            pass
    finally:
        first.dispose()
        second.dispose()
