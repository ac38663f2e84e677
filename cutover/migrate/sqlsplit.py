"""Split a SQL script into statements the way psql does, remembering each one's line.

Executing statement by statement (as psql does) lets an error name the exact line of
the file, and lets the runner insist that a non-transactional file holds exactly one
statement. The tokens come from PostgreSQL's own scanner (libpg_query through `pglast`),
so dollar quotes, E'' strings, quoted identifiers and nested comments are read exactly as
the server reads them; the runner's refusals (cutover.migrate.escapes) are decided on the
same tokens, never on regular expressions.
"""

from __future__ import annotations

from dataclasses import dataclass

from pglast import parser

from cutover.errors import ConfigError

COMMENTS = frozenset({"SQL_COMMENT", "C_COMMENT"})
SEMICOLON = "ASCII_59"


class SqlLexError(ConfigError):
    """The scanner cannot read the text (an unterminated string or comment): exit 2."""


@dataclass(frozen=True)
class Token:
    """One scanner token: its grammar name (SET, IDENT, ASCII_59, ...), text and line."""

    name: str
    text: str
    line: int


@dataclass(frozen=True)
class Statement:
    """One statement's text (without the trailing semicolon), first line (1-based), tokens."""

    text: str
    line: int
    tokens: tuple[Token, ...] = ()


def tokenize(sql: str, *, source: str = "SQL", first_line: int = 1) -> list[Token]:
    """Every non-comment token of `sql`; SqlLexError naming source:line if it cannot scan."""
    try:
        raw = parser.scan(sql)
    except parser.ParseError as exc:
        at = exc.args[1] if len(exc.args) > 1 else None  # character offset of the error
        line = first_line + (sql.count("\n", 0, at) if isinstance(at, int) else 0)
        raise SqlLexError(f"{source}:{line}: cannot be read as SQL ({exc.args[0]})") from None
    lines = _line_starts(sql)
    return [Token(t.name, sql[t.start:t.end + 1], first_line + _line_of(lines, t.start) - 1)
            for t in raw if t.name not in COMMENTS]


def _line_starts(sql: str) -> list[int]:
    starts = [0]
    starts.extend(i + 1 for i, ch in enumerate(sql) if ch == "\n")
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    """1-based line of a character offset (binary search over line starts)."""
    lo, hi = 0, len(starts)
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid
    return lo + 1


def split_statements(sql: str, *, source: str = "SQL") -> list[Statement]:
    """Split on top-level semicolons; statements holding only comments are dropped."""
    try:
        raw = parser.scan(sql)
    except parser.ParseError:
        tokenize(sql, source=source)  # raises with the line
        raise
    lines = _line_starts(sql)
    out: list[Statement] = []
    current: list = []
    for tok in [*raw, None]:
        if tok is not None and tok.name in COMMENTS:
            continue
        if tok is None or tok.name == SEMICOLON:
            if current:
                start, end = current[0].start, current[-1].end + 1
                out.append(Statement(
                    text=sql[start:end], line=_line_of(lines, start),
                    tokens=tuple(Token(t.name, sql[t.start:t.end + 1], _line_of(lines, t.start))
                                 for t in current)))
            current = []
            continue
        current.append(tok)
    return out
