"""Text for report.html: escaped, in human words, and breakable where a reader expects.

The approver reads the page, not the JSON: `None`, `True` and `False` are Python's words,
never shown; a long path or artifact name may only break after `/`, `_`, `.` or `-` (a
<wbr> there), never in the middle of a word, and a hash in fixed groups of characters.
"""

from __future__ import annotations

import html
import re

#: a run of characters this long without a space is given break points (shorter: as is)
LONG = 14
_AFTER = re.compile(r"([/_.\-=,:@?&])")
_TOKEN = re.compile(r"\S+")
HASH_GROUP = 16


def esc(value: object) -> str:
    """HTML-escaped text of a value already in words."""
    return html.escape(str(value), quote=True)


def breakable(value: object) -> str:
    """Escaped text with a <wbr> after each separator of every long token, so a path,
    an artifact or an identifier wraps at its parts and a sentence wraps at its spaces."""
    def one(match: re.Match) -> str:
        token = match.group(0)
        if len(token) < LONG:
            return esc(token)
        return "".join(esc(part) + ("<wbr>" if _AFTER.fullmatch(part) else "")
                       for part in _AFTER.split(token) if part)
    return _TOKEN.sub(one, str(value))


def digest(value: object) -> str:
    """A hex digest in groups of HASH_GROUP with a break point between them (a digest has
    no words; copying it still yields the unbroken string)."""
    text = str(value)
    return "<wbr>".join(esc(text[i:i + HASH_GROUP]) for i in range(0, len(text), HASH_GROUP))


def human(value: object) -> str:
    """A JSON value in the words an approver reads: yes/no, none, —, numbers trimmed."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        if not value:
            return "none"
        if all(not isinstance(v, dict | list) for v in value):
            shown = ", ".join(human(v) for v in value[:10])
            return shown + (f" and {len(value) - 10} more" if len(value) > 10 else "")
        return f"{len(value)} entries"
    if isinstance(value, dict):
        if not value:
            return "none"
        return "; ".join(f"{words(k)} {human(v)}" for k, v in value.items())
    return str(value)


def words(key: object) -> str:
    """A JSON key as words: `event_to_restored_s` → `event to restored s`."""
    return str(key).replace("_", " ")


def status_of(value: object) -> str:
    """A check's verdict as the page shows it: PASS/FAIL/WARN/N/A..., or `ok` booleans."""
    if isinstance(value, bool):
        return "PASS" if value else "FAIL"
    if value is None or value == "":
        return "UNKNOWN"
    return str(value).upper()
