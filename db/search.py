"""Search text: words, "exact phrases", OR, -exclusions, matched on the normalized key of title and body.

The user's text is parsed here into a `Search`; the database only ever sees the query built from it — a MATCH
string of quoted tokens for SQLite FTS5, a tsquery of quoted lexemes for PostgreSQL — never the text itself. Every
term goes through the same normalizer as the stored text (pipelines.textkey.search_key), so أشتياني finds آشتياني
and آشتیاني, and tashkeel or tatweel never hide a match.

Grammar (case-insensitive words; OR in capitals, as in web search engines):
    query  = clause { clause }                       all clauses must match
    clause = ["-"] alternative { "OR" alternative }  "-" excludes
    alternative = WORD | '"' WORD { WORD } '"'       a phrase matches its words in order, next to each other
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsmon.errors import NewsmonError
from pipelines.textkey import search_key

# What the FTS5 unicode61 tokenizer and PostgreSQL's parser both take for one word: letters and digits.
_TOKEN = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s+")
_LEXEME = re.compile(r'-?"[^"]*"?|[^\s"]+')


class SearchError(NewsmonError):
    """A search text that cannot be read; the message says what is wrong and where."""


Phrase = tuple[str, ...]  # normalized tokens; one token for a single word


@dataclass(frozen=True)
class Clause:
    alternatives: tuple[Phrase, ...]  # any of them
    excluded: bool = False


@dataclass(frozen=True)
class Search:
    text: str
    clauses: tuple[Clause, ...]

    @property
    def wanted(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.excluded)

    @property
    def unwanted(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.excluded)

    @property
    def highlight(self) -> tuple[Phrase, ...]:
        """The phrases to mark in a snippet: every wanted alternative."""
        return tuple(p for c in self.wanted for p in c.alternatives)

    def fts5(self) -> str:
        """The SQLite FTS5 MATCH expression; every token quoted, so no FTS5 syntax comes from the user."""
        def clause(c: Clause) -> str:
            alternatives = [_fts5_phrase(p) for p in c.alternatives]
            return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"
        expression = " AND ".join(clause(c) for c in self.wanted)
        for c in self.unwanted:
            expression = f"({expression}) NOT {clause(c)}"
        return expression

    @property
    def has_phrases(self) -> bool:
        return any(len(p) > 1 for c in self.clauses for p in c.alternatives)

    def tsquery(self, loose: bool = False) -> str:
        """The PostgreSQL tsquery text (for ``to_tsquery('simple', …)``); every lexeme quoted.

        ``loose``: each phrase's words anywhere in the text, not next to each other, and excluded phrases left out;
        it matches everything the exact query matches and more. A GIN index answers it alone, where a phrase
        (``<->``) needs every candidate's tsvector read back from the table to check positions.
        """
        def clause(c: Clause) -> str:
            alternatives = [_ts_phrase(p, loose) for p in c.alternatives]
            body = alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")"
            return f"!{body}" if c.excluded else body
        kept = [c for c in self.clauses if not (loose and c.excluded and any(len(p) > 1 for p in c.alternatives))]
        return " & ".join(clause(c) for c in kept)


def _fts5_phrase(phrase: Phrase) -> str:
    return '"' + " ".join(phrase) + '"'


def _ts_phrase(phrase: Phrase, loose: bool = False) -> str:
    quoted = [f"'{token}'" for token in phrase]
    return quoted[0] if len(quoted) == 1 else "(" + (" & " if loose else " <-> ").join(quoted) + ")"


def parse_search(text: str) -> Search:
    """Read a search text; SearchError for one that cannot be searched (an open quote, a dangling OR, only
    exclusions, or nothing that is a word)."""
    if text.count('"') % 2:
        raise SearchError(f'unclosed quote in {text!r}: close the phrase with another "')
    clauses: list[Clause] = []
    pending: list[Phrase] = []
    excluded = False
    expect_alternative = False
    for lexeme in _LEXEME.findall(text):
        if lexeme == "OR":
            if not pending:
                raise SearchError(f"OR needs a word or phrase on its left in {text!r}")
            expect_alternative = True
            continue
        negate = lexeme.startswith("-") and len(lexeme) > 1
        phrase = _phrase(lexeme[1:] if negate else lexeme)
        if not phrase:
            if expect_alternative:
                raise SearchError(f"OR needs a word or phrase on its right in {text!r}")
            continue  # punctuation, a lone "-": nothing to look for
        if expect_alternative:
            if negate:
                raise SearchError(f"-{lexeme[1:]} cannot be an alternative after OR in {text!r}")
            pending.append(phrase)
            expect_alternative = False
            continue
        if pending:
            clauses.append(Clause(tuple(pending), excluded))
        pending, excluded = [phrase], negate
    if expect_alternative:
        raise SearchError(f"OR needs a word or phrase on its right in {text!r}")
    if pending:
        clauses.append(Clause(tuple(pending), excluded))
    if not clauses:
        raise SearchError(f"nothing to search for in {text!r}: give at least one word")
    if all(c.excluded for c in clauses):
        raise SearchError(f"{text!r} only excludes: give at least one word to find")
    return Search(text=text, clauses=tuple(clauses))


def _phrase(lexeme: str) -> Phrase:
    """A word or a quoted phrase as normalized tokens; a word the normalizer splits ("al-Assad") is a phrase."""
    return tuple(_TOKEN.findall(search_key(lexeme.strip('"'))))


def tokens(text: str) -> list[str]:
    """``text`` as the index sees it: normalized tokens, in order (for snippets)."""
    return _TOKEN.findall(search_key(text))


def snippet(text: str, search: Search, words: int = 30) -> list[tuple[str, bool]]:
    """A window of about ``words`` words of ``text`` around its first match, as (segment, is_match) pieces of the
    original text: the match is found on normalized words, but shown as the page wrote it."""
    spans = [(m.start(), m.end(), tuple(tokens(m.group()))) for m in _TOKEN.finditer(text)]
    flat: list[tuple[str, int, int]] = [(t, start, end) for start, end, toks in spans for t in toks]
    marked: list[tuple[int, int]] = []  # (first, last) indexes into flat of each match
    for phrase in search.highlight:
        n = len(phrase)
        for i in range(len(flat) - n + 1):
            if tuple(t for t, _, _ in flat[i : i + n]) == phrase:
                marked.append((i, i + n - 1))
    if not flat:
        return []
    first = min((m[0] for m in marked), default=0)
    lo = max(0, first - words // 3)
    hi = min(len(flat), lo + words)
    pieces: list[tuple[str, bool]] = []
    cursor = flat[lo][1]
    for a, b in sorted(m for m in marked if lo <= m[0] and m[1] < hi):
        start, end = flat[a][1], flat[b][2]
        if start < cursor:
            continue  # overlaps a match already marked
        pieces.append((text[cursor:start], False))
        pieces.append((text[start:end], True))
        cursor = end
    pieces.append((text[cursor:flat[hi - 1][2]], False))
    if lo > 0:
        pieces.insert(0, ("… ", False))
    if hi < len(flat):
        pieces.append((" …", False))
    return [(_SPACE.sub(" ", piece), hit) for piece, hit in pieces if piece]
