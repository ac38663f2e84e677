#!/usr/bin/env python3
"""Bootstrap and run: `python3 dev.py rehearse`, `python3 dev.py test` or `python3 dev.py bench`.

Needs only Python 3.11+: creates .venv, installs the project with its test
dependencies from PyPI (again only when pyproject.toml changed), then runs the job.
`bench [--full] [--only NAME,...] [--json FILE]` runs every bench/bench_*.py at a small
scale (a few minutes; --full: the scales the figures in README.md were measured at), each
writing its figures as JSON records, and prints one table of them.
`matrix [--quick] [--majors 14,15,...] [--no-rehearse]` runs the gate's tests and a
rehearsal on every PostgreSQL major it can get (scripts/pg_matrix.py) and prints one table.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-pyproject-sha256"
# bench script: (small-scale arguments, full-scale arguments)
BENCHES = {
    "backup": (["--size-mb", "64", "--rounds", "1"], ["--size-mb", "1024", "--rounds", "3"]),
    "security_gate": (["--tenants", "20", "--multiplier", "2", "--rounds", "1"],
                      ["--tenants", "200", "--multiplier", "10", "--rounds", "3"]),
    "roster": (["--scales", "50x200", "--runs", "2"], ["--scales", "50x200,100x450,150x1000"]),
    "migrate": (["--rounds", "1"], ["--rounds", "5"]),
    "api": (["--requests", "300", "--max-seconds", "20"], []),
}


def _python() -> Path:
    return VENV / "bin" / "python"


def ensure_env() -> None:
    """Create the virtualenv and install the project if pyproject.toml changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under any system python
        sys.exit(f"dev.py: Python 3.11+ is required (this is {sys.version.split()[0]})")
    if not _python().exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    print("dev.py: installing the project and its dependencies", file=sys.stderr)
    pip = [str(_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(want)


def _test_paths(args: list[str]) -> list[str]:
    """The project's tests unless paths are named: pytest.ini's testpaths is the gate."""
    named = any((ROOT / a.split("::")[0]).exists() for a in args if not a.startswith("-"))
    return args if named else ["tests", *args]


def _workers(args: list[str]) -> list[str]:
    """One pytest-xdist worker per core unless the caller chose (-n, or -p no:xdist): each
    worker has its own PostgreSQL cluster, and most tests wait on servers, not the CPU."""
    chosen = any(a == "-n" or a.startswith(("-n", "--numprocesses")) or a == "no:xdist"
                 for a in args)
    return [] if chosen else ["-n", "auto"]


def _bench_args(argv: list[str]):
    """The bench's options, checked before the environment is built: a typo costs one line,
    not a venv install."""
    import argparse

    parser = argparse.ArgumentParser(prog="dev.py bench")
    parser.add_argument("--full", action="store_true", help="the full scales (hours, not minutes)")
    parser.add_argument("--only", help=f"comma-separated subset of {', '.join(BENCHES)}")
    parser.add_argument("--json", metavar="FILE", help="also write every record into FILE")

    def one_line(message: str) -> None:  # bad input is one line, without the usage block
        print(f"dev.py bench: error: {message}", file=sys.stderr)
        sys.exit(2)

    parser.error = one_line  # type: ignore[method-assign]
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(BENCHES)
    if unknown := [n for n in names if n not in BENCHES]:
        parser.error(f"--only: unknown bench {', '.join(unknown)} (one of {', '.join(BENCHES)})")
    args.names = names
    return args


def _bench(args, env: dict[str, str]) -> int:
    """Run the benches, each with --json into a temporary folder; print one table."""
    import tempfile

    names = args.names
    records, failed = [], []
    with tempfile.TemporaryDirectory(prefix="dev-bench-") as tmp:
        for name in names:
            out = Path(tmp) / f"{name}.json"
            cmd = [str(_python()), str(ROOT / "bench" / f"bench_{name}.py"),
                   *BENCHES[name][1 if args.full else 0], "--json", str(out)]
            print(f"dev.py bench: {' '.join(cmd[1:])}", file=sys.stderr, flush=True)
            if subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode or not out.exists():
                failed.append(name)
                continue
            records += json.loads(out.read_text())
    width = max([len("name"), *(len(r["name"]) for r in records)])
    print(f"\n{'name':<{width}} {'value':>10} {'unit':<5} {'baseline':>10} {'ratio':>7}")
    for r in records:
        base = "" if r["baseline"] is None else f"{r['baseline']:.3f}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        print(f"{r['name']:<{width}} {r['value']:>10.3f} {r['unit']:<5} {base:>10} {ratio:>7}")
    versions = sorted({str(r["pg_version"]) for r in records if r["pg_version"]})
    print(f"PostgreSQL {', '.join(versions) or '-'}; {os.cpu_count()} CPUs; "
          f"load {os.getloadavg()[0]:.2f}" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=2) + "\n")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    """Dispatch `rehearse` (the main job against the sandbox), `test` or `bench`."""
    if not argv or argv[0] not in ("rehearse", "test", "bench", "matrix"):
        print(__doc__, file=sys.stderr)
        return 2
    bench_args = _bench_args(argv[1:]) if argv[0] == "bench" else None
    ensure_env()
    env = dict(os.environ, VIRTUAL_ENV=str(VENV), PATH=f"{VENV / 'bin'}:{os.environ['PATH']}")
    if bench_args is not None:
        return _bench(bench_args, env)
    if argv[0] == "matrix":
        cmd = [str(_python()), str(ROOT / "scripts" / "pg_matrix.py"), *argv[1:]]
        return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode
    if argv[0] == "test":
        cmd = [str(_python()), "-m", "pytest", *_workers(argv[1:]), *_test_paths(argv[1:])]
    else:
        cmd = [str(VENV / "bin" / "cutover"), "rehearse", *argv[1:]]
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
