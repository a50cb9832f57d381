"""`newsmon watch add|list|remove|run` through typer's CliRunner (and once as a process, for its exit code)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from typer.testing import CliRunner

from db.engine import open_database, session_factory
from db.store import insert_articles, upsert_source
from db.watches import Destination, get_watch
from newsmon.cli import app
from newsmon.errors import ConfigError
from pipelines.textkey import search_key
from tests.test_crawl_e2e import newsmon


@pytest.fixture
def env(tmp_path):
    db = f"sqlite:///{tmp_path / 'newsmon.db'}"
    sources = tmp_path / "sources.yaml"  # none configured: the database's sources are the known ones
    runner = CliRunner()

    def cli(*args: str):
        return runner.invoke(app, ["--db", db, "--sources", str(sources), "watch", *args])

    return cli, db


def store(db: str, key: str, title: str, source: str = "almanar") -> None:
    engine = open_database(db)
    with session_factory(engine).begin() as session:
        source_id = upsert_source(session, source, source, f"https://{source}.example/")
        insert_articles(session, [dict(
            source_id=source_id, url=f"https://{source}.example/{key}", fetched_url=f"https://{source}.example/{key}",
            title=title, body=title, search_text=search_key(title), authors=[], tags=[], provenance={}, word_count=2,
            language="ar", fetched_at=datetime.now(timezone.utc))])
    engine.dispose()


def test_add_list_run_and_remove(env):
    cli, db = env
    store(db, "old", "إيران قبل")
    added = cli("add", "iran", "إيران -رياضة", "--source", "almanar", "--lang", "ar")
    assert added.exit_code == 0, added.output
    assert "Added watch iran: 'إيران -رياضة' --source almanar --lang ar, delivered to stdout" in added.output

    listed = cli("list")
    assert listed.exit_code == 0, listed.output
    assert "iran" in listed.output and "never" in listed.output and "1 watch" in listed.output

    store(db, "new", "محادثات إيران")
    store(db, "sport", "إيران رياضة")
    first = cli("run")
    assert first.exit_code == 0, first.output
    assert first.output.startswith("iran: 1 new match\n")
    assert "محادثات إيران" in first.output and "إيران قبل" not in first.output and "رياضة" not in first.output
    again = cli("run", "iran")
    assert again.exit_code == 0 and again.output == "iran: no new matches\n"

    assert "iran" in cli("list").output and "never" not in cli("list").output
    removed = cli("remove", "iran")
    assert removed.exit_code == 0 and removed.output == "Removed watch iran\n"
    assert "0 watches" in cli("list").output


def test_add_refuses_a_bad_search_text_an_unknown_source_and_a_taken_name(env):
    cli, db = env
    store(db, "a", "إيران")
    bad_text = cli("add", "w", '"peace talks')
    assert bad_text.exit_code == 2 and "unclosed quote" in bad_text.output
    unknown = cli("add", "w", "iran", "--source", "almanr")
    assert isinstance(unknown.exception, ConfigError)
    assert str(unknown.exception) == "unknown source 'almanr'; known: almanar"
    assert cli("add", "w", "iran").exit_code == 0
    taken = cli("add", "w", "iran")
    assert isinstance(taken.exception, ConfigError) and "already a watch named 'w'" in str(taken.exception)
    both = cli("add", "v", "iran", "--output", "x.jsonl", "--webhook", "http://127.0.0.1:9/")
    assert both.exit_code == 2 and "not both" in both.output
    lone_format = cli("add", "v", "iran", "--format", "atom")
    assert lone_format.exit_code == 2 and "--output" in lone_format.output


def test_add_takes_a_file_or_a_webhook_and_the_format_from_the_suffix(env, tmp_path):
    cli, db = env
    assert cli("add", "feed", "iran", "--output", str(tmp_path / "iran.atom")).exit_code == 0
    assert cli("add", "lines", "iran", "-o", str(tmp_path / "iran.out")).exit_code == 0
    assert cli("add", "forced", "iran", "-o", str(tmp_path / "iran.xml"), "--format", "jsonl").exit_code == 0
    assert cli("add", "hook", "iran", "--webhook", "https://hooks.example.org/T000/secret").exit_code == 0
    with session_factory(open_database(db, create=False))() as session:
        got = {name: get_watch(session, name).spec for name in ("feed", "lines", "forced", "hook")}
    assert {name: (spec.destination, spec.target) for name, spec in got.items()} == {
        "feed": (Destination.ATOM, str(tmp_path / "iran.atom")),
        "lines": (Destination.JSONL, str(tmp_path / "iran.out")),
        "forced": (Destination.JSONL, str(tmp_path / "iran.xml")),
        "hook": (Destination.WEBHOOK, "https://hooks.example.org/T000/secret"),
    }
    listed = cli("list").output
    assert "webhook https://hooks.example.org/…" in listed and "secret" not in listed


def test_run_writes_a_file_watch_and_says_so(env, tmp_path):
    cli, db = env
    path = tmp_path / "new.jsonl"
    assert cli("add", "iran", "إيران", "-o", str(path)).exit_code == 0
    store(db, "a", "إيران")
    result = cli("run")
    assert result.exit_code == 0, result.output
    assert result.output == f"iran: 1 new match delivered to jsonl {path}\n"
    assert [json.loads(line)["url"] for line in path.read_text(encoding="utf-8").splitlines()] == [
        "https://almanar.example/a"]


def test_run_exits_1_when_a_watch_could_not_be_delivered(env):
    cli, db = env
    assert cli("add", "hook", "--webhook", "http://127.0.0.1:9/hook").exit_code == 0  # no QUERY: every article
    store(db, "a", "إيران")
    result = cli("run")
    assert result.exit_code == 1
    assert "Failed: hook" in result.output and "come again next run" in result.output


def test_reading_commands_never_create_a_database(env, tmp_path):
    cli, _ = env
    for args in (("list",), ("run",), ("remove", "x")):
        result = cli(*args)
        assert result.exit_code != 0 and "no newsmon database" in str(result.exception)
    assert not (tmp_path / "newsmon.db").exists()


def test_unknown_names_are_refused_with_exit_code_2(env, tmp_path):
    cli, db = env
    assert cli("add", "iran", "iran").exit_code == 0
    result = newsmon("watch", "run", "iran", "irn", db=db, sources=tmp_path / "sources.yaml")
    assert result.returncode == 2
    assert result.stderr.strip() == "ConfigError: no watch named 'irn'; watches: iran"
