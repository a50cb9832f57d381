"""End to end: a source whose pages lose their dates (the sample site's "undated" variant) is flagged by
`newsmon stats --unhealthy`, which exits 1; before that, the same command exits 0."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from urllib.request import urlopen

from typer.testing import CliRunner

from db.engine import open_database, session_factory
from db.health import Flag, log_health
from newsmon.cli import app
from newsmon.sample_site import SampleSite, expected, sources_yaml
from tests.test_crawl_e2e import FAST, newsmon, stored


def test_stats_flags_the_source_whose_pages_lost_their_dates(tmp_path, caplog):
    db = f"sqlite:///{tmp_path / 'newsmon.db'}"
    runner = CliRunner()
    with SampleSite(slow_seconds=0) as site:
        base = site.base_url
        sources = tmp_path / "sources.yaml"
        sources.write_text(sources_yaml(base), encoding="utf-8")

        def stats(*args: str):
            return runner.invoke(app, ["--db", db, "--sources", str(sources), "stats", *args])

        for _ in range(2):
            result = newsmon("crawl", "legacy", *FAST, db=db, sources=sources)
            assert result.returncode == 0, result.stderr[-3000:]
        healthy = stats("--unhealthy")
        assert healthy.exit_code == 0, healthy.output
        assert "legacy" not in healthy.output
        table = stats()
        assert table.exit_code == 0, table.output
        rows = {line.split("│")[1].strip(): line for line in table.output.splitlines() if line.count("│") > 2}
        assert " ok " in rows["legacy"] and " new " in rows["almanar"]  # crawled and fine; never crawled

        dated_page = urlopen(base + "/legacy/news/4001.htm").read().decode("cp1256")
        site.set_variant("undated")
        undated_page = urlopen(base + "/legacy/news/4001.htm").read().decode("cp1256")
        assert "أيلول" in dated_page and "أيلول" not in undated_page  # the redesign dropped the date line
        result = newsmon("crawl", "legacy", *FAST, db=db, sources=sources)
        assert result.returncode == 0, result.stderr[-3000:]

    # the variant did what it says: six new articles, stored without a date
    articles = {url.removeprefix(base): a for url, a in stored(db).items()}
    want = {a["path"]: a["published"] for a in expected("undated")["legacy"]}
    assert set(articles) == set(want) and sum(published is None for published in want.values()) == 6
    for path, published in want.items():
        assert articles[path].published_at == (datetime.fromisoformat(published) if published else None), path

    flagged = stats("--unhealthy", "--format", "json")
    assert flagged.exit_code == 1, flagged.output
    [record] = json.loads(flagged.output)
    assert (record["source"], record["verdict"], record["flags"]) == ("legacy", "unhealthy", ["dates dropped"])
    assert record["reasons"] == [
        "dates dropped: 0 of the last 6 new articles have a date (0%), against 4 of 4 before (100%)"]
    assert record["last_run"]["new"] == 6 and record["last_run"]["date_share"] == 0.0
    assert (record["new_24h"], record["new_7d"], record["articles"]) == (10, 10, 10)
    table = stats("--unhealthy")
    assert table.exit_code == 1 and "dates dropped" in table.output and "almanar" not in table.output

    with session_factory(open_database(db, create=False))() as session, caplog.at_level(logging.WARNING):
        assert log_health(session, "legacy").flags == (Flag.DATES_DROPPED,)
    assert [r.name for r in caplog.records] == ["newsmon.health"]


def test_stats_never_creates_a_database(tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(sources_yaml("http://127.0.0.1:9"), encoding="utf-8")
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'none.db'}", "--sources", str(sources), "stats"])
    assert result.exit_code != 0 and "no newsmon database" in str(result.exception)
    assert not (tmp_path / "none.db").exists()
