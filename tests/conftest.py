"""Shared fixtures: databases (SQLite always; PostgreSQL when NEWSMON_TEST_POSTGRES_URL is set), and the cluster's
Redis (when NEWSMON_TEST_REDIS_URL is set) with a key prefix of its own per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.cluster.keys import ClusterKeys
from db.scratch import scratch_schema
from newsmon.sample_site import sources_yaml

POSTGRES_URL = os.environ.get("NEWSMON_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("NEWSMON_TEST_REDIS_URL")


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


@pytest.fixture
def server():
    """A client of the test Redis; the test is skipped without one."""
    if not REDIS_URL:
        pytest.skip("NEWSMON_TEST_REDIS_URL is not set")
    import redis

    return redis.Redis.from_url(REDIS_URL)


@pytest.fixture
def keys(server):
    """Cluster keys under a prefix of this test's own, deleted after it."""
    keys = ClusterKeys(f"newsmon_test_{uuid.uuid4().hex[:10]}")
    yield keys
    for key in server.scan_iter(f"{keys.prefix}:*"):
        server.delete(key)


@pytest.fixture
def sources_file(tmp_path, site) -> Path:
    """A sources.yaml for the sample site the test module serves (its ``site`` fixture)."""
    path = tmp_path / "sources.yaml"
    path.write_text(sources_yaml(site.base_url), encoding="utf-8")
    return path
