"""sources.yaml → Source models: every error found at once, each with its file, line and field."""

from __future__ import annotations

import textwrap
import zoneinfo
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from newsmon.config import ConfigIssue, Section, SelectorConfig, Source, SourcesConfig, load_sources, parse_sources
from newsmon.errors import ConfigError

REPO_SOURCES = Path(__file__).resolve().parents[1] / "sources.yaml"

GOOD = """\
defaults: {every: 30m, timezone: UTC}
sources:
  - name: almanar
    title: Al-Manar
    url: https://www.almanar.com.lb/
    language: ar
    timezone: Asia/Beirut
    every: 15m
    feeds: [https://www.almanar.com.lb/rss]
    sections:
      - url: https://www.almanar.com.lb/
        article_pattern: '/article/\\d+'
    selectors: {title: "h1::text", date: "//time/@datetime"}
  - name: plain
    title: Plain
    url: http://127.0.0.1:8080/plain/
    sitemaps: [http://127.0.0.1:8080/plain/sitemap.xml]
    enabled: false
"""

def issues_of(text: str) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as info:
        parse_sources(textwrap.dedent(text), "sources.yaml")
    issues = info.value.issues
    assert str(info.value) == "\n".join(map(str, issues))
    return issues


def only_issue(text: str) -> ConfigIssue:
    issues = issues_of(text)
    assert len(issues) == 1, issues
    return issues[0]


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line of `text` containing `needle`."""
    lines = [i for i, line in enumerate(textwrap.dedent(text).splitlines(), 1) if needle in line]
    return lines[nth - 1]


BASE = {"name": "one", "title": "One", "url": "https://one.example/", "every": "1h", "feeds": "[https://one.example/rss]"}


def with_source(**changes: str | None) -> str:
    """A file with one source: BASE's fields, changed (None drops one) or extended by `changes`, in order."""
    fields = {**BASE, **changes}
    return "sources:\n  - " + "\n    ".join(f"{k}: {v}" for k, v in fields.items() if v is not None) + "\n"


MINIMAL = with_source()


# --- valid files ---

def test_valid_file_with_defaults_applied():
    config = parse_sources(GOOD, "sources.yaml")
    assert config.path == "sources.yaml"
    almanar, plain = config.sources
    assert almanar.every == timedelta(minutes=15) and almanar.timezone == "Asia/Beirut"
    assert almanar.feeds == ("https://www.almanar.com.lb/rss",)
    assert almanar.sections == (Section(url="https://www.almanar.com.lb/", article_pattern=r"/article/\d+"),)
    assert almanar.selectors == SelectorConfig(title="h1::text", date="//time/@datetime")
    assert plain.every == timedelta(minutes=30) and plain.timezone == "UTC"  # from defaults
    assert plain.language is None and plain.cron is None and plain.feeds == () and plain.selectors == SelectorConfig()
    assert config.enabled == (almanar,)
    assert config.get("plain") is plain


def test_models_are_frozen():
    source = parse_sources(MINIMAL).sources[0]
    with pytest.raises(ValidationError):
        source.name = "other"  # type: ignore[misc]
    assert {source: 1}[source] == 1  # hashable: usable as a key


def test_cron_instead_of_every_does_not_take_the_default_every():
    text = GOOD.replace("    every: 15m\n", '    cron: "*/15 * * * *"\n')
    almanar = parse_sources(text).sources[0]
    assert almanar.cron == "*/15 * * * *" and almanar.every is None


def test_every_instead_of_a_default_cron():
    text = 'defaults: {cron: "0 * * * *"}\n' + MINIMAL
    assert parse_sources(text).sources[0].every == timedelta(hours=1)
    assert parse_sources(text.replace("every: 1h", "language: en")).sources[0].cron == "0 * * * *"


@pytest.mark.parametrize("every, expected", [
    ("5s", timedelta(seconds=5)), ("15m", timedelta(minutes=15)), ("2h", timedelta(hours=2)),
    ("1d", timedelta(days=1)), ("90m", timedelta(minutes=90)),
])
def test_every_units(every, expected):
    assert parse_sources(with_source(every=every)).sources[0].every == expected


@pytest.mark.parametrize("every", ["15", "30", "15 min", "1w", "0m", "1.5h", "-5m", "PT15M", "true"])
def test_every_rejects(every):
    text = with_source(every=every)
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, "every:"), "sources[0].every")
    assert "interval" in issue.message


@pytest.mark.parametrize("cron", ["*/15 * * * *", "0 6,18 * * mon-fri", "30 2 1 jan-jun/2 0", "0 0 * * 7", "5/10 * * * *"])
def test_cron_accepts(cron):
    assert parse_sources(with_source(every=None, cron=f'"{cron}"')).sources[0].cron == cron


@pytest.mark.parametrize("cron, problem", [
    ("*/15 * * *", "has 4 fields"), ("@hourly", "has 1 fields"), ("60 * * * *", "invalid minute"),
    ("* 24 * * *", "invalid hour"), ("* * 0 * *", "invalid day of month"), ("* * * 13 *", "invalid month"),
    ("* * * * 8", "invalid day of week"), ("*/0 * * * *", "invalid minute"), ("5-1 * * * *", "invalid minute"),
    ("* * * * fry", "invalid day of week"), ("a * * * *", "invalid minute"),
])
def test_cron_rejects(cron, problem):
    text = with_source(every=None, cron=f'"{cron}"')
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, "cron:"), "sources[0].cron")
    assert problem in issue.message


def test_every_and_cron_together_is_an_error_at_cron():
    text = with_source(cron='"0 * * * *"')
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, "cron:"), "sources[0].cron")
    assert "either every or cron" in issue.message


def test_no_schedule_at_all():
    text = with_source(every=None)
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, "- name:"), "sources[0]")
    assert issue.message.startswith("no schedule")


def test_no_feeds_sitemaps_or_sections():
    text = with_source(feeds="[]")
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, "- name:"), "sources[0]")
    assert "no feeds, sitemaps or sections" in issue.message


# --- one error each, at the right line and field ---

@pytest.mark.parametrize("name", ["Al Manar", "almanar!", "المنار", '""'])
def test_bad_name(name):
    text = with_source(name=name)
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, "name:"), "sources[0].name")
    assert "not a valid name" in issue.message


def test_bad_name_suggests_one():
    assert "e.g. 'al-manar'" in only_issue(with_source(name="Al Manar")).message


def test_duplicate_name_is_reported_at_the_second():
    text = MINIMAL + MINIMAL.split("\n", 1)[1]
    issue = only_issue(text)
    assert (issue.file, issue.line, issue.field) == ("sources.yaml", line_of(text, "name: one", 2), "sources[1].name")
    assert "duplicate name 'one'" in issue.message and "sources[0]" in issue.message


def test_unknown_key_typo_is_named():
    text = with_source(feeds=None, feed="[https://one.example/rss]")
    issues = issues_of(text)
    typo = next(i for i in issues if i.field == "sources[0].feed")
    assert typo.line == line_of(text, "feed:")
    assert typo.message == "unknown field 'feed' (did you mean 'feeds'?)"
    assert str(typo) == f"sources.yaml:{typo.line}: sources[0].feed: unknown field 'feed' (did you mean 'feeds'?)"


def test_unknown_key_without_a_close_match_lists_the_allowed_ones():
    issue = only_issue(with_source(colour="red"))
    assert issue.message.startswith("unknown field 'colour'; allowed: name, title, url,")


def test_unknown_top_level_key():
    text = "source:\n" + MINIMAL.split("\n", 1)[1]
    fields = {i.field: i for i in issues_of(text)}
    assert fields["source"].line == 1 and "did you mean 'sources'" in fields["source"].message
    assert fields["sources"].message == "required: a list of sources"


@pytest.mark.parametrize("url", ["ftp://one.example/rss", "/rss", "one.example/rss", "https://", "http://a b/",
                                 "https://one.example:port/"])
def test_bad_url(url):
    text = with_source(feeds=f"\n      - https://one.example/ok\n      - '{url}'")
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, f"- '{url}'"), "sources[0].feeds[1]")
    assert issue.message == f"{url!r} is not an absolute http(s) URL"


def test_bad_home_page_url():
    text = with_source(url="www.one.example")
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, "url:"), "sources[0].url")


def test_feeds_must_be_a_list():
    issue = only_issue(with_source(feeds="https://one.example/rss"))
    assert issue.field == "sources[0].feeds" and "expected a list" in issue.message


def test_bad_regex():
    text = with_source(sections="\n      - url: https://one.example/\n        article_pattern: '/article/(\\d+'")
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, "article_pattern"), "sources[0].sections[0].article_pattern")
    assert "not a valid regular expression" in issue.message and "missing )" in issue.message


def test_section_needs_a_url():
    text = with_source(sections="\n      - article_pattern: '/a/'")
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, "article_pattern"), "sources[0].sections[0].url")
    assert issue.message == "required field is missing"


@pytest.mark.parametrize("zone, hint", [("Asia/Beyrouth", "did you mean 'Asia/Beirut'"),
                                        ("asia/beirut", "did you mean 'Asia/Beirut'"),
                                        ("Mars/Olympus", "use an IANA name"), ("../etc/passwd", "")])
def test_bad_timezone(zone, hint):
    text = with_source(timezone=zone)
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, "timezone:"), "sources[0].timezone")
    assert issue.message.startswith(f"unknown time zone {zone!r}") and hint in issue.message


def test_bad_selector_key():
    text = with_source(selectors="\n      title: h1\n      headline: h1.big")
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, "headline"), "sources[0].selectors.headline")
    assert issue.message == "unknown field 'headline'; allowed: title, body, date, authors"


@pytest.mark.parametrize("selector, kind", [("'div >'", "CSS selector"), ("'//div['", "XPath"), ("'(//h1'", "XPath")])
def test_bad_selector_syntax(selector, kind):
    text = with_source(selectors=f"{{body: {selector}}}")
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, "selectors"), "sources[0].selectors.body")
    assert f"is not a valid {kind}" in issue.message


@pytest.mark.parametrize("language, hint", [("no", "true/false; put it in quotes"), ("AR", "lowercase"),
                                            ("ara", "two-letter"), ("'no'", None)])
def test_language(language, hint):
    text = with_source(language=language)
    if hint is None:
        assert parse_sources(text).sources[0].language == "no"
    else:
        issue = only_issue(text)
        assert issue.field == "sources[0].language" and hint in issue.message


def test_title_given_as_a_number_or_empty():
    assert "put it in quotes" in only_issue(with_source(title="1984")).message
    assert only_issue(with_source(title='""')).message == "must not be empty"


def test_missing_title_points_at_the_source():
    text = with_source(title=None)
    issue = only_issue(text)
    assert (issue.line, issue.field, issue.message) == (2, "sources[0].title", "required field is missing")


def test_bad_default_is_reported_once_where_it_is_written():
    text = "defaults:\n  timezone: Asia/Beyrout\n  feedz: []\n" + MINIMAL + MINIMAL.split("\n", 1)[1].replace("one", "two")
    issues = issues_of(text)
    assert [(i.line, i.field) for i in issues] == [(2, "defaults.timezone"), (3, "defaults.feedz")]


def test_name_cannot_have_a_default():
    issue = only_issue("defaults: {name: x}\n" + MINIMAL)
    assert (issue.line, issue.field) == (1, "defaults.name")


def test_repeated_yaml_key_is_not_silently_overwritten():
    text = MINIMAL + "    every: 2h\n"
    issue = only_issue(text)
    assert (issue.line, issue.field) == (line_of(text, "every:", 2), "sources[0].every")
    assert f"first on line {line_of(text, 'every:')}" in issue.message


# --- whole-file behaviour ---

def test_several_errors_are_all_reported_in_line_order():
    text = """\
    sources:
      - name: Bad Name
        title: x
        url: ftp://x
        feed: [http://a]
        every: 5x
        sections: [{url: "http://x/", article_pattern: "(["}]
      - name: ok
        title: Ok
        url: https://ok.example/
        timezone: Nowhere/City
        cron: "* * * *"
        every: 15m
        selectors: {body: p, author: .byline}
      - name: ok
        title: Ok again
        url: https://ok.example/
    """
    issues = issues_of(text)
    got = [(i.line, i.field) for i in issues]
    assert got == [
        (2, "sources[0].name"), (4, "sources[0].url"), (5, "sources[0].feed"), (6, "sources[0].every"),
        (7, "sources[0].sections[0].article_pattern"),
        (8, "sources[1]"),  # no feeds, sitemaps or sections
        (11, "sources[1].timezone"), (12, "sources[1].cron"), (12, "sources[1].cron"),  # both given; 4 fields
        (14, "sources[1].selectors.author"),
        (15, "sources[2]"), (15, "sources[2]"), (15, "sources[2].name"),  # no schedule; no feeds; duplicate
    ]
    messages = {(i.field, i.message) for i in issues}
    assert ("sources[1].cron", "give either every or cron, not both") in messages
    assert ("sources[1].selectors.author", "unknown field 'author' (did you mean 'authors'?)") in messages
    assert all(i.file == "sources.yaml" for i in issues)


def test_yaml_syntax_error_has_a_line():
    text = MINIMAL.replace("    title: One", "    title: [One")
    issue = only_issue(text)
    assert issue.line is not None and issue.line >= 3 and issue.field == ""
    assert issue.message.startswith("YAML syntax:")


def test_double_quoted_regex_gets_a_hint():
    text = with_source(sections='\n      - url: https://one.example/\n        article_pattern: "/a/\\d+"')
    issue = only_issue(text)
    assert issue.line == line_of(text, "article_pattern") and "single quotes" in issue.message


@pytest.mark.parametrize("text, message", [
    ("", "got an empty file"), ("# only a comment\n", "got an empty file"), ("- a\n- b\n", "got a list"),
    ("sources: 3\n", "expected a list, got 3"), ("sources:\n", "required: a list of sources"),
    ("---\nsources: []\n---\nsources: []\n", "expected a single document"),
])
def test_wrong_shape(text, message):
    assert message in only_issue(text).message


def test_empty_sources_list_is_valid():
    assert parse_sources("sources: []\n").sources == ()


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    (issue,) = info.value.issues
    assert (issue.file, issue.line) == (str(path), None)
    assert "no such file" in str(info.value) and "NEWSMON_SOURCES" in str(info.value)


def test_a_directory_or_non_utf8_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read it"):
        load_sources(tmp_path)
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINIMAL.replace("One", "Caf\xe9").encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin1.yaml:3: not UTF-8"):
        load_sources(path)


def test_load_sources_names_the_file_in_each_issue(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(with_source(timezone="Nowhere"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    assert str(info.value).startswith(f"{path}:")
    path.write_text("\ufeff" + MINIMAL, encoding="utf-8")  # a BOM, as some Windows editors write
    assert load_sources(path).path == str(path)


def test_the_repository_sources_file_loads():
    config = load_sources(REPO_SOURCES)
    names = [s.name for s in config.sources]
    assert {"almanar", "aljazeera_ar", "bbc_arabic", "bbc_news", "aljazeera_en", "reuters"} <= set(names)
    assert config.get("almanar").tz == zoneinfo.ZoneInfo("Asia/Beirut")
    assert config.get("bbc_arabic").feeds == ("https://feeds.bbci.co.uk/arabic/rss.xml",)
    assert all(s.language in ("ar", "en") and (s.every or s.cron) for s in config.sources)
    assert "NOT CHECKED LIVE" in REPO_SOURCES.read_text(encoding="utf-8")


def test_get_an_unknown_source():
    config = parse_sources(GOOD, "sources.yaml")
    with pytest.raises(ConfigError) as info:
        config.get("bbc")
    assert str(info.value) == "no source named 'bbc' in sources.yaml; known: almanar, plain"


# --- the model on its own ---

@pytest.mark.parametrize("url, domains", [
    ("https://www.almanar.com.lb/", ["almanar.com.lb"]), ("https://english.almanar.com.lb/x", ["english.almanar.com.lb"]),
    ("http://127.0.0.1:8765/site/", ["127.0.0.1"]), ("https://WWW.BBC.com/arabic", ["bbc.com"]),
    ("http://localhost:8000/", ["localhost"]),
])
def test_allowed_domains(url, domains):
    source = Source(name="x", title="X", url=url, every="1h", feeds=[url])
    assert source.allowed_domains == domains


def test_source_built_in_code_is_validated_too():
    source = Source(name="x", title="X", url="http://127.0.0.1/", every=timedelta(seconds=5),
                    sections=[{"url": "http://127.0.0.1/news/"}], timezone="Asia/Beirut")
    assert source.every == timedelta(seconds=5) and source.tz.key == "Asia/Beirut"
    with pytest.raises(ValidationError):
        Source(name="x", title="X", url="http://127.0.0.1/", every="1h")  # nowhere to find articles
    with pytest.raises(ValidationError):
        SourcesConfig(sources=[source, source])  # duplicate names
