"""Bad input is the documented bad-input code (2; `cutover watch`: 3, since 2 means "roll
back"), one clear error naming the option, never exit 3 "internal error" or a traceback:
every numeric, duration and path option of every command is typed at parse time (issue 20:
`--lock-timeout banana`, `--lock-wait-timeout banana`, `rehearse` into an unwritable folder
and `prod_cutover.sh` with a file as --artifacts-dir all reached exit 3)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "cutover.cli"]
PY = sys.executable

# (command, option, bad value: FILE = an existing regular file, UNDER_FILE = a path below
# it, RO = a read-only folder, DIR = an existing folder, MISSING = no such path), exit code
CASES = [
    (["migrate"], "--lock-timeout", "banana", 2),
    (["migrate"], "--statement-timeout", "5 parsecs", 2),
    (["migrate"], "--lock-wait", "banana", 2),
    (["migrate"], "--lock-wait", "-1", 2),
    (["migrate"], "--lock-retries", "1.5", 2),
    (["migrate"], "--dir", "FILE", 2),
    (["backup"], "--lock-wait-timeout", "banana", 2),
    (["backup"], "--settle", "nan", 2),
    (["backup"], "--workers", "0", 2),
    (["backup", "--format", "directory"], "--jobs", "0", 2),
    (["backup"], "--format", "tar", 2),
    (["backup"], "--compress", "10", 2),
    (["backup"], "--compress", "fast", 2),
    (["rollback", "--backup", "x.dump"], "--jobs", "-2", 2),
    (["backup"], "--out", "FILE", 2),
    (["backup"], "--out", "RO", 2),
    (["backup"], "--artifacts-dir", "UNDER_FILE", 2),
    (["rollback", "--backup", "x.dump"], "--workers", "zero", 2),
    (["rollback", "--backup", "x.dump"], "--artifacts-dir", "FILE", 2),
    (["watch", "--once"], "--interval", "banana", 3),
    (["watch", "--once"], "--window", "-5", 3),
    (["watch", "--once"], "--error-rate", "lots", 3),
    (["watch", "--once"], "--p99", "0", 3),
    (["watch", "--once"], "--max-misses", "x", 3),
    (["watch", "--once"], "--log", "DIR", 3),
    (["rehearse"], "--artifacts-dir", "RO", 2),
    (["rehearse"], "--artifacts-dir", "FILE", 2),
    (["rehearse"], "--data-dir", "UNDER_FILE", 2),
    (["freeze"], "--timeout", "soon", 2),
    (["freeze"], "--artifacts-dir", "FILE", 2),
    (["enable"], "--timeout", "inf", 2),
    (["sandbox", "up"], "--data-dir", "FILE", 2),
    (["sandbox", "up"], "--seed", "-1", 2),
    (["evidence", "keygen"], "--out", "FILE", 2),
    (["approve", "--approver", "x"], "--artifacts-dir", "MISSING", 2),
    (["last-known-good"], "--artifacts-dir", "FILE", 2),
    ([PY, "-m", "cutover.runbook.prod_cutover", "--rc-tag", "x"], "--artifacts-dir", "FILE", 2),
    ([PY, "scripts/prod_preflight_check.py"], "--artifacts-dir", "UNDER_FILE", 2),
    ([PY, "scripts/ci/security_gate.py"], "--artifacts-dir", "FILE", 2),
    ([PY, "scripts/ci/security_gate.py"], "--sarif", "DIR", 2),
    ([PY, "scripts/ci/wien_roster_gate.py"], "--artifacts-dir", "FILE", 2),
    ([PY, "scripts/run_sick_call_drill.py"], "--seed", "banana", 2),
    ([PY, "scripts/run_sick_call_drill.py"], "--max-churn", "-1", 2),
    ([PY, "scripts/run_sick_call_drill.py"], "--artifacts-dir", "FILE", 2),
    ([PY, "-m", "cutover.cli.soak"], "--iterations", "0", 2),
    ([PY, "-m", "cutover.cli.soak"], "--artifacts-dir", "FILE", 2),
]


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> dict[str, str]:
    """The bad paths; RO is a read-only tmpfs (root ignores permission bits), or skipped."""
    base = tmp_path_factory.mktemp("badinput")
    (base / "a_file").write_text("x")
    ro = base / "ro"
    ro.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=4k", "tmpfs", str(ro)],
                             capture_output=True, check=False).returncode == 0
    if not mounted:
        ro.chmod(0o555)
    yield {"FILE": str(base / "a_file"), "UNDER_FILE": str(base / "a_file" / "sub"),
           "RO": str(ro), "DIR": str(base), "MISSING": str(base / "missing")}
    if mounted:
        subprocess.run(["umount", "-l", str(ro)], capture_output=True, check=False)


def _ids() -> list[str]:
    return [f"{' '.join(Path(c).name for c in cmd[:3])} {opt} {val}" for cmd, opt, val, _ in CASES]


@pytest.mark.parametrize(("command", "option", "value", "code"), CASES, ids=_ids())
def test_bad_option_is_bad_input(places, command, option, value, code):
    if value == "RO" and os.geteuid() == 0 and not os.path.ismount(places["RO"]):
        pytest.skip("root writes into a mode-0555 folder; no read-only mount here")
    argv = (command if command[0] == PY else [*CLI, *command]) + [option, places.get(value, value)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    proc = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == code, (proc.returncode, proc.stdout[-500:], proc.stderr[-1500:])
    err = proc.stderr
    assert "Traceback" not in err and "internal error" not in err, err
    assert option in err, err  # names the option
