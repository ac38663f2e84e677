"""What a migration file may not do: reach outside its transaction or its session
(docs/operations.md).

The runner applies each file in one transaction with its ledger row, on a session of its
own, while another session holds the runner's advisory lock. A statement that ends or
splits that transaction (BEGIN/COMMIT/ROLLBACK/SAVEPOINT/PREPARE TRANSACTION...), changes
the session for whatever runs after it (SET without LOCAL, RESET, DISCARD, LISTEN, LOAD,
PREPARE, session advisory locks, set_config(..., false)), acts on another session
(pg_terminate_backend, dblink) or cannot run in a transaction at all (CREATE DATABASE,
VACUUM, CREATE INDEX CONCURRENTLY outside a declared no-transaction file) is refused by
name with file:line before anything of the run is applied. Every decision is made on
PostgreSQL's own scanner tokens (cutover.migrate.sqlsplit), never on regular expressions.

What tokens cannot see (dynamic SQL in EXECUTE, a function body run later) is contained
by the runner itself: each file gets a fresh session, the lock lives on another session,
and the lock is re-checked inside the file's transaction before it commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from cutover.migrate.sqlsplit import Statement, Token, split_statements, tokenize

TRANSACTION_CONTROL = {
    "BEGIN_P": "BEGIN", "START": "START TRANSACTION", "COMMIT": "COMMIT", "END_P": "END",
    "ROLLBACK": "ROLLBACK", "ABORT_P": "ABORT", "SAVEPOINT": "SAVEPOINT",
    "RELEASE": "RELEASE SAVEPOINT",
}
SESSION_STATEMENTS = {
    "DISCARD": "DISCARD", "LISTEN": "LISTEN", "UNLISTEN": "UNLISTEN", "LOAD": "LOAD",
    "DEALLOCATE": "DEALLOCATE",
}
# SET forms that end with the transaction (SET LOCAL, SET TRANSACTION, SET CONSTRAINTS)
TRANSACTION_SCOPED_SET = {"LOCAL", "TRANSACTION", "CONSTRAINTS"}
# The runner's own bounds: not even SET LOCAL may lift them for a file
RUNNER_SETTINGS = {"statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"}
# Functions that act on the session, on other sessions or outside the database.
REFUSED_FUNCTIONS = {
    "pg_advisory_unlock": "releases a session advisory lock (the runner's own)",
    "pg_advisory_unlock_all": "releases every session advisory lock (the runner's own)",
    "pg_advisory_unlock_shared": "releases a session advisory lock",
    "pg_advisory_lock": "takes a session advisory lock that outlives the file",
    "pg_advisory_lock_shared": "takes a session advisory lock that outlives the file",
    "pg_try_advisory_lock": "takes a session advisory lock that outlives the file",
    "pg_try_advisory_lock_shared": "takes a session advisory lock that outlives the file",
    "pg_terminate_backend": "ends another session (the lock holder's too)",
    "pg_cancel_backend": "cancels another session's statement",
}
REFUSED_PREFIXES = {"dblink": "runs SQL in another session that commits on its own"}
# Statements that cannot run inside a transaction: only as a declared no-transaction file.
NO_TRANSACTION_ONLY = "declare the file `-- cutover: no-transaction` (one idempotent statement)"


def _ident(tok: Token) -> str:
    """An identifier as the catalog spells it: quoted text exactly, unquoted lower-cased."""
    if tok.text.startswith('"') and tok.text.endswith('"') and len(tok.text) >= 2:
        return tok.text[1:-1].replace('""', '"')
    return tok.text.lower()


def _args(tokens: Sequence[Token], open_at: int) -> list[list[Token]]:
    """The top-level comma-separated arguments of the call whose '(' is tokens[open_at]."""
    args: list[list[Token]] = [[]]
    depth = 0
    for tok in tokens[open_at:]:
        if tok.name == "ASCII_40":
            depth += 1
            if depth == 1:
                continue
        elif tok.name == "ASCII_41":
            depth -= 1
            if depth == 0:
                break
        elif tok.name == "ASCII_44" and depth == 1:
            args.append([])
            continue
        args[-1].append(tok)
    return args


def _calls(tokens: Sequence[Token]) -> Iterable[tuple[Token, str]]:
    """(token, reason) for every refused function called in `tokens`."""
    for i, tok in enumerate(tokens[:-1]):
        if tok.name != "IDENT" or tokens[i + 1].name != "ASCII_40":
            continue
        name = _ident(tok)
        if name in REFUSED_FUNCTIONS:
            yield tok, f"{name}() {REFUSED_FUNCTIONS[name]}"
        elif any(name.startswith(p) for p in REFUSED_PREFIXES):
            prefix = next(p for p in REFUSED_PREFIXES if name.startswith(p))
            yield tok, f"{name}() {REFUSED_PREFIXES[prefix]}"
        elif name == "set_config":
            args = _args(tokens, i + 1)
            local = len(args) == 3 and [t.name for t in args[2]] == ["TRUE_P"]
            setting = args[0][0].text.strip("'").lower() if args and args[0] else ""
            if setting in RUNNER_SETTINGS:
                yield tok, f"set_config('{setting}', ...) lifts the runner's bound for the file"
            elif not local:
                yield tok, ("set_config(..., false) changes the session beyond the file "
                            "(use set_config(name, value, true) or SET LOCAL)")


def _set(tokens: Sequence[Token], at: int) -> str | None:
    """Why the SET/RESET at tokens[at] outlives the file, or None when it does not."""
    nxt = tokens[at + 1] if at + 1 < len(tokens) else None
    if tokens[at].name == "RESET":
        if nxt is not None and nxt.name == "ROLE":
            return None  # back to the login role, where every file starts anyway
        what = "RESET ALL" if nxt is not None and nxt.name == "ALL" else "RESET"
        return f"{what} changes the session for every later file (and the runner's timeouts)"
    named = tokens[at + 2] if nxt is not None and nxt.name == "LOCAL" and at + 2 < len(tokens) \
        else nxt
    if named is not None and _ident(named) in RUNNER_SETTINGS:
        return f"SET {named.text} lifts the runner's bound (even SET LOCAL)"
    if nxt is not None and nxt.name in TRANSACTION_SCOPED_SET:
        return None
    shown = " ".join(t.text for t in tokens[at:at + 3])
    return f"{shown} ... is a session setting that outlives the file (use SET LOCAL)"


def _statement(stmt: Statement, transactional: bool) -> Iterable[tuple[int, str]]:
    """(line, reason) for each way this top-level statement escapes the file."""
    toks = stmt.tokens
    names = [t.name for t in toks]
    first = names[0]
    for tok in toks:
        if tok.name == "ASCII_92":
            yield tok.line, "a psql meta-command (\\...) is not SQL; the runner is not psql"
            return
    if first in TRANSACTION_CONTROL:
        yield stmt.line, (f"{TRANSACTION_CONTROL[first]} is transaction control: the runner "
                          "owns the file's transaction (one per file, with its ledger row)")
    elif first == "PREPARE":
        what = "PREPARE TRANSACTION" if names[1:2] == ["TRANSACTION"] else "PREPARE"
        yield stmt.line, f"{what} outlives the file's transaction or session"
    elif first in ("SET", "RESET"):
        reason = _set(toks, 0)
        if reason:
            yield stmt.line, reason
    elif first in SESSION_STATEMENTS:
        yield stmt.line, f"{SESSION_STATEMENTS[first]} acts on the session, not the file"
    elif first in ("CREATE", "DROP", "ALTER") and len(names) > 1 and names[1] in (
            "DATABASE", "TABLESPACE", "SYSTEM_P") and not (
            first == "ALTER" and names[1] == "DATABASE"):
        shown = " ".join(t.text.upper() for t in toks[:2])
        yield stmt.line, f"{shown} reaches outside this database and cannot be rolled back"
    elif first == "COPY" and "PROGRAM" in names:
        yield stmt.line, "COPY ... PROGRAM runs a command outside the transaction"
    elif transactional and (first == "VACUUM" or (
            first in ("CREATE", "DROP", "REINDEX") and "CONCURRENTLY" in names[:6])):
        shown = "VACUUM" if first == "VACUUM" else " ".join(t.text for t in toks[:3])
        yield stmt.line, f"{shown} cannot run inside the file's transaction: {NO_TRANSACTION_ONLY}"
    elif first == "DO":
        yield from _do_body(stmt)
    for tok, reason in _calls(toks):
        yield tok.line, reason


_BODY_STARTS = {None, "ASCII_59", "BEGIN_P", "THEN", "ELSE", "LOOP", "EXCEPTION"}


def _do_body(stmt: Statement) -> Iterable[tuple[int, str]]:
    """A DO block's PL/pgSQL: COMMIT/ROLLBACK and session SETs inside it are refused too."""
    body = next((t for t in stmt.tokens[1:] if t.name == "SCONST"), None)
    if body is None:
        return
    text = body.text
    if text.startswith("$"):
        tag_end = text.index("$", 1) + 1
        inner = text[tag_end:len(text) - tag_end]
        offset = 0
    else:  # '...' or E'...': the scanner already proved it is one literal
        inner, offset = text[text.index("'") + 1:-1].replace("''", "'"), 0
    first_line = body.line + offset
    toks = tokenize(inner, source="DO block", first_line=first_line)
    previous = None
    for i, tok in enumerate(toks):
        if tok.name in ("COMMIT", "ROLLBACK") and previous in _BODY_STARTS:
            yield tok.line, (f"{tok.text.upper()} inside a DO block is transaction control: "
                             "the runner owns the file's transaction")
        elif tok.name in ("SET", "RESET") and previous in _BODY_STARTS:
            reason = _set(toks, i)
            if reason:
                yield tok.line, reason + " (inside a DO block)"
        previous = tok.name
    for tok, reason in _calls(toks):
        yield tok.line, reason + " (inside a DO block)"


def refusals(path: Path, text: str, transactional: bool) -> list[str]:
    """Every refused statement of one file, as 'file:line: reason' (empty: the file is fine)."""
    out = []
    for stmt in split_statements(text, source=path.name):
        for line, reason in _statement(stmt, transactional):
            out.append(f"{path.name}:{line}: {reason}")
    return out
