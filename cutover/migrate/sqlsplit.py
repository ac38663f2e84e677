"""Split a SQL script into statements the way psql does, remembering each one's line.

Executing statement by statement (as psql does) lets an error name the exact line of
the file, and lets the runner insist that a non-transactional file holds exactly one
statement. The lexer knows what can hide a semicolon: quotes, identifiers, comments
(nested block comments too) and dollar-quoted bodies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


@dataclass(frozen=True)
class Statement:
    """One statement's text (without the trailing semicolon) and its first line (1-based)."""

    text: str
    line: int


def _skip_quoted(sql: str, i: int, quote: str) -> int:
    """Index just past the closing quote; doubled quotes are escapes."""
    i += 1
    while i < len(sql):
        if sql[i] == quote:
            if i + 1 < len(sql) and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return i


def _skip_escape_string(sql: str, i: int) -> int:
    """Index past an E'...' string, where backslash escapes the next character."""
    i += 2
    while i < len(sql):
        if sql[i] == "\\":
            i += 2
            continue
        if sql[i] == "'":
            if i + 1 < len(sql) and sql[i + 1] == "'":
                i += 2
                continue
            return i + 1
        i += 1
    return i


def _skip_block_comment(sql: str, i: int) -> int:
    """Index past a /* ... */ comment, honouring nesting as PostgreSQL does."""
    depth, i = 1, i + 2
    while i < len(sql) and depth:
        if sql.startswith("/*", i):
            depth, i = depth + 1, i + 2
        elif sql.startswith("*/", i):
            depth, i = depth - 1, i + 2
        else:
            i += 1
    return i


def _after_word(sql: str, i: int) -> bool:
    """True when sql[i] continues an identifier (so `$` or `E` there starts nothing)."""
    return i > 0 and (sql[i - 1].isalnum() or sql[i - 1] in "_$")


def split_statements(sql: str) -> list[Statement]:
    """Split on top-level semicolons; drop statements that hold only comments."""
    out: list[Statement] = []
    start, i, n = 0, 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch == "-" and sql.startswith("--", i):
            nl = sql.find("\n", i)
            i = n if nl < 0 else nl + 1
        elif ch == "/" and sql.startswith("/*", i):
            i = _skip_block_comment(sql, i)
        elif ch in "eE" and sql.startswith("'", i + 1) and not _after_word(sql, i):
            i = _skip_escape_string(sql, i)
        elif ch in "'\"":
            i = _skip_quoted(sql, i, ch)
        elif ch == "$" and not _after_word(sql, i):
            m = _DOLLAR_TAG.match(sql, i)
            if m:
                end = sql.find(m.group(0), m.end())
                i = n if end < 0 else end + len(m.group(0))
            else:
                i += 1
        elif ch == ";":
            _emit(sql, start, i, out)
            start = i = i + 1
        else:
            i += 1
    _emit(sql, start, n, out)
    return out


def _emit(sql: str, start: int, end: int, out: list[Statement]) -> None:
    """Append sql[start:end] if it holds more than whitespace and comments."""
    chunk = sql[start:end]
    body = _strip_comments(chunk).strip()
    if not body:
        return
    lead = len(chunk) - len(chunk.lstrip())
    # first line of real content: skip leading comment lines too
    offset = start + lead
    while True:
        rest = sql[offset:end]
        if rest.startswith("--"):
            nl = sql.find("\n", offset)
            offset = end if nl < 0 or nl >= end else nl + 1
        elif rest.startswith("/*"):
            offset = _skip_block_comment(sql, offset)
        else:
            break
        while offset < end and sql[offset].isspace():
            offset += 1
    out.append(Statement(text=chunk.strip(), line=sql.count("\n", 0, offset) + 1))


def _strip_comments(chunk: str) -> str:
    """Remove comments (only used to decide whether a chunk is empty)."""
    result, i, n = [], 0, len(chunk)
    while i < n:
        if chunk.startswith("--", i):
            nl = chunk.find("\n", i)
            i = n if nl < 0 else nl + 1
        elif chunk.startswith("/*", i):
            i = _skip_block_comment(chunk, i)
        else:
            result.append(chunk[i])
            i += 1
    return "".join(result)
