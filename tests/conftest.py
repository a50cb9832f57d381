"""Shared fixtures: databases (SQLite always; PostgreSQL when NEWSMON_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from db.scratch import scratch_schema

POSTGRES_URL = os.environ.get("NEWSMON_TEST_POSTGRES_URL")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'newsmon.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("NEWSMON_TEST_POSTGRES_URL is not set")
    with scratch_schema(POSTGRES_URL, prefix="newsmon_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request) -> str:
    """Each test using this runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")
