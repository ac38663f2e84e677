"""The dump as a file: its name, the partials a killed backup leaves, the check that the
archive lists every table, and its placement under a final name (cutover.backup.dump)."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from cutover import atomicfile
from cutover.backup import facts as dbfacts
from cutover.backup.manifest import DUMP_SUFFIX
from cutover.errors import EXIT_FAIL, CutoverError
from cutover.pg import run as pgrun

DUMP_PREFIX = "solvereign_pre_cutover_"
Log = Callable[[str], None]


class BackupRefused(CutoverError):
    """The dump cannot be trusted (writes moved, a table is missing, pg_dump failed): exit 1."""

    exit_code = EXIT_FAIL


def disk_error(path: Path, exc: OSError) -> BackupRefused:
    """One line naming the path and the errno: a full disk is not a crash of the tool."""
    code = errno.errorcode.get(exc.errno or 0, str(exc.errno))
    return BackupRefused(f"cannot write {path}: {exc.strerror or exc} ({code}); "
                         "nothing was left behind under a final name")


PARTIAL_GLOB = f".{DUMP_PREFIX}*{DUMP_SUFFIX}.partial"
_PARTIAL_PID = re.compile(rf"^\.{DUMP_PREFIX}(\d+)_\d+{re.escape(DUMP_SUFFIX)}\.partial$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dump_format_args(dump_format: str, jobs: int, compress: int = 1) -> list[str]:
    """pg_dump's format flags: a custom archive is written by one process; a directory
    archive may be written by `jobs` parallel workers (each importing our snapshot).
    `compress` is the gzip level (BackupOptions.compress says why 1)."""
    level = f"--compress={compress}"
    if dump_format == "directory":
        return ["--format=directory", f"--jobs={jobs}", level]
    return ["--format=custom", level]


def remove_path(path: Path) -> None:
    """Remove a dump: a custom archive's file or a directory archive's folder."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def remove_stale_partials(out_dir: Path, log: Log | None) -> list[Path]:
    """Remove the hidden partial dumps of killed backups (their process is gone), naming
    each; a partial of a backup still running on this host is left alone."""
    removed = []
    for path in sorted(out_dir.glob(PARTIAL_GLOB)):
        m = _PARTIAL_PID.match(path.name)
        if not m or int(m.group(1)) == os.getpid() or _alive(int(m.group(1))):
            continue
        with contextlib.suppress(FileNotFoundError):
            remove_path(path)
            removed.append(path)
            _say(log, f"  removed {path} ({path.name}: left by a killed backup, "
                      f"pid {m.group(1)} is gone)")
    return removed


def _say(log: Log | None, line: str) -> None:
    if log:
        log(line)


_TOC_LINE = re.compile(r"^\d+; \d+ \d+ (?P<rest>.+)$")
_TOC_COUNT = re.compile(r"TOC Entries:\s*(\d+)")
_DESCS = ("MATERIALIZED VIEW DATA", "MATERIALIZED VIEW", "TABLE DATA", "TABLE")


def parse_toc(text: str) -> tuple[set[tuple[str, str]], int]:
    """(desc, 'schema name') pairs of the table entries of `pg_restore --list`, and the
    archive's TOC entry count."""
    found = set()
    for line in text.splitlines():
        m = _TOC_LINE.match(line.strip())
        if not m:
            continue
        rest = m.group("rest")
        for desc in _DESCS:
            if rest.startswith(desc + " "):
                found.add((desc, rest[len(desc) + 1:].rsplit(" ", 1)[0]))
                break
    count = _TOC_COUNT.search(text)
    return found, int(count.group(1)) if count else len(found)


def expected_entries(tables: list[dbfacts.Table]) -> dict[tuple[str, str], str]:
    """Every TOC entry the catalog says a complete dump has, → the table it proves."""
    out = {}
    for t in tables:
        key = f"{t.schema} {t.relname}"
        if t.kind == "m":
            out[("MATERIALIZED VIEW", key)] = t.name
            if t.populated:
                out[("MATERIALIZED VIEW DATA", key)] = t.name
        else:
            out[("TABLE", key)] = t.name
            if t.kind == "r":
                out[("TABLE DATA", key)] = t.name
    return out


def verify_archive(pg_restore: str, dump: Path, tables: list[dbfacts.Table]) -> int:
    """`pg_restore --list` reads the archive and lists every table; returns its TOC size."""
    proc = pgrun.run(pg_restore, ["--list", str(dump)], timeout=600)
    if proc.returncode != 0:
        raise BackupRefused("pg_restore --list cannot read the dump: "
                            + pgrun.last_error(proc.stderr))
    found, count = parse_toc(proc.stdout)
    missing = sorted({f"{name} ({desc})" for (desc, key), name in expected_entries(tables).items()
                      if (desc, key) not in found})
    if missing:
        raise BackupRefused("the dump lacks " + ", ".join(missing))
    return count


def place(tmp: Path, out_dir: Path, stamp: str) -> Path:
    """Give the verified dump its final name without ever overwriting another backup: a
    file is hard-linked (fails if the name exists); a directory archive first claims the
    name with an exclusive mkdir, then is renamed onto that empty folder of its own."""
    for n in range(100):
        final = out_dir / f"{DUMP_PREFIX}{stamp}{'' if n == 0 else f'_{n}'}{DUMP_SUFFIX}"
        try:
            if tmp.is_dir():
                final.mkdir()
                os.rename(tmp, final)
            else:
                os.link(tmp, final)
                tmp.unlink()
        except FileExistsError:
            continue
        atomicfile.fsync_dir(out_dir)
        return final
    raise BackupRefused(f"cannot name the dump in {out_dir}: too many backups at {stamp}")
