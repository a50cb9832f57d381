"""Reading sources.yaml: YAML nodes keep line numbers, and every pydantic error location is mapped back to one."""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from typing import Any

import yaml
from pydantic import ValidationError

from newsmon.config.models import (ConfigIssue, Loc, Section, SelectorConfig, Source, SourcesConfig, config_error,
                                   duplicate_names, source_problems)

_TOP_KEYS = ("defaults", "sources")
_SCHEDULE = ("every", "cron")  # a source giving either takes neither from defaults
_ALIASES = {"interval": "every", "schedule": "every", "tz": "timezone", "lang": "language", "rss": "feeds",
            "content": "body", "text": "body", "pattern": "article_pattern"}


def load_sources(path: str | os.PathLike[str]) -> SourcesConfig:
    """Read and validate a sources file; ConfigError (with `.issues`) if it is missing, unreadable or invalid."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        message = f"no such file ({os.path.abspath(name)}); create it, or point NEWSMON_SOURCES or --sources at yours"
        raise config_error([ConfigIssue(name, None, "", message)]) from None
    except OSError as e:
        raise config_error([ConfigIssue(name, None, "", f"cannot read it: {e.strerror or e}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        message = f"not UTF-8 text (byte {raw[e.start]:#04x}); save the file as UTF-8"
        raise config_error([ConfigIssue(name, line, "", message)]) from None
    return parse_sources(text, name)


def parse_sources(text: str, path: str = "<string>") -> SourcesConfig:
    """Validate the text of a sources file (`path` only names it in messages); ConfigError lists every problem."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            issues = _duplicate_keys(path, root)
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        raise config_error([_yaml_issue(path, e)]) from None
    except yaml.reader.ReaderError as e:  # a control character; it has a position, not a mark
        line = text[: e.position].count("\n") + 1
        char = chr(e.character) if isinstance(e.character, int) else e.character
        raise config_error([ConfigIssue(path, line, "", f"not valid YAML: {e.reason}: {char!r}")]) from None

    def report(loc: Loc, message: str) -> None:
        issues.append(ConfigIssue(path, _line(root, loc), _field(loc), message))

    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        report((), f"expected a mapping with a 'sources:' list at the top, got {got}")
        raise config_error(issues)
    for key in [k for k in data if k not in _TOP_KEYS]:
        report((key,), _unknown_key(key, _TOP_KEYS))
    defaults, sources = data.get("defaults", {}), data.get("sources")
    defaults = {} if defaults is None else defaults  # "defaults:" with nothing under it
    if not isinstance(defaults, dict):
        report(("defaults",), f"expected a mapping of source fields, got {defaults!r}")
        defaults = {}
    if "name" in defaults:
        report(("defaults", "name"), "a name cannot have a default; each source gives its own")
        defaults = {k: v for k, v in defaults.items() if k != "name"}
    if not isinstance(sources, list):
        report(("sources",), "required: a list of sources" if sources is None else f"expected a list, got {sources!r}")
        sources = []

    merged, from_defaults = [], []
    for i, raw in enumerate(sources):
        if not isinstance(raw, dict):
            merged.append(raw)
            from_defaults.append(set())
            continue
        taken = {k: v for k, v in defaults.items()
                 if k not in raw and not (k in _SCHEDULE and any(s in raw for s in _SCHEDULE))}
        merged.append({**taken, **raw})
        from_defaults.append(set(taken))
        for at, message in source_problems(merged[-1]):  # also found by the model, but only once all else is valid
            report(("sources", i, *at), message)
    for loc, message in duplicate_names([s.get("name") if isinstance(s, dict) else None for s in sources]):
        report(loc, message)

    try:
        config = SourcesConfig(path=path, sources=merged)
    except ValidationError as e:
        config = None
        for err in e.errors():
            for at, message in (err.get("ctx") or {}).get("problems") or [((), _message(err))]:
                loc = (*err["loc"], *at)
                if len(loc) > 2 and loc[0] == "sources" and loc[2] in from_defaults[loc[1]]:
                    loc = ("defaults", *loc[2:])  # a bad default is reported once, where it is written
                report(loc, message)
    if issues or config is None:
        unique = list(dict.fromkeys(issues))
        raise config_error(sorted(unique, key=lambda i: (i.line is None, i.line or 0)))
    return config


def _yaml_issue(path: str, e: yaml.MarkedYAMLError) -> ConfigIssue:
    mark, start = e.problem_mark or e.context_mark, e.context_mark
    context = e.context
    if context and start and mark and start.line != mark.line:
        context += f" (from line {start.line + 1})"
    message = ", ".join(str(p) for p in (context, e.problem) if p)
    if "unknown escape character" in message:
        message += r" (inside double quotes a backslash starts an escape; put regexes in single quotes: '/a/\d+')"
    return ConfigIssue(path, mark.line + 1 if mark else None, "", f"YAML syntax: {message}")


def _duplicate_keys(path: str, root: yaml.Node | None) -> list[ConfigIssue]:
    """PyYAML silently keeps the last of two equal keys; a repeated key is almost always a mistake."""
    issues: list[ConfigIssue] = []
    todo: list[tuple[Loc, yaml.Node | None]] = [((), root)]
    seen: set[int] = set()
    while todo:
        loc, node = todo.pop()
        if node is None or id(node) in seen:  # an alias repeats a node
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            lines: dict[str, int] = {}
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else repr(k)
                if key in lines and key != "<<":
                    message = f"repeated key (first on line {lines[key]}); give it once"
                    issues.append(ConfigIssue(path, k.start_mark.line + 1, _field((*loc, key)), message))
                lines.setdefault(key, k.start_mark.line + 1)
                todo.append(((*loc, key), v))
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(((*loc, i), item) for i, item in enumerate(node.value))
    return issues


def _line(node: yaml.Node | None, loc: Loc) -> int | None:
    """The line of the node at `loc` (of its key, in a mapping), else of the nearest parent that exists."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pairs = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)]
            if not pairs:
                break
            key, node = pairs[-1]  # the one PyYAML kept
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _field(loc: Loc) -> str:
    """("sources", 2, "feeds", 0) → "sources[2].feeds[0]"."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" if i else str(p) for i, p in enumerate(loc))


def _unknown_key(key: Any, allowed: Sequence[str]) -> str:
    guess = _ALIASES.get(str(key)) if _ALIASES.get(str(key)) in allowed else None
    guess = guess or next(iter(difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)), None)
    hint = f" (did you mean {guess!r}?)" if guess else f"; allowed: {', '.join(allowed)}"
    return f"unknown field {key!r}{hint}"


def _allowed_keys(parent: Loc) -> list[str]:
    if parent and parent[-1] == "selectors":
        return list(SelectorConfig.model_fields)
    if len(parent) > 1 and parent[-2] == "sections":
        return list(Section.model_fields)
    return list(Source.model_fields)


def _message(err: Any) -> str:
    """A pydantic error in words that a person editing YAML can act on."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx["error"])
    if kind == "extra_forbidden":
        return _unknown_key(err["loc"][-1], _allowed_keys(tuple(err["loc"][:-1])))
    if kind == "missing":
        return "required field is missing"
    if kind == "string_type":
        hint = (" (YAML read it as true/false; put it in quotes)" if isinstance(value, bool)
                else " (put it in quotes)" if isinstance(value, (int, float)) else "")
        return f"expected text, got {value!r}{hint}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, got {value!r} (write [item] for a single item)"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of 'key: value' lines, got {value!r}"
    if kind.startswith("bool"):
        return f"expected true or false, got {value!r}"
    return str(err["msg"])
