"""The README's `cutover roster validate` lines, run exactly as printed on the shipped
examples (issue 21.6): the legal plan exits 0, the other exits with the code the README
states and names the rule it states."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COMMAND = "cutover roster validate --instance examples/roster/"


def _documented() -> list[tuple[str, int, str | None]]:
    """(command, exit code, rule) for each README line running the examples; the exit code
    and the rule are read from the comment lines under the command."""
    lines = (REPO / "README.md").read_text().splitlines()
    found = []
    for i, line in enumerate(lines):
        if not line.startswith(COMMAND):
            continue
        comment = " ".join(ln.strip().lstrip("#") for ln in lines[i + 1:i + 4]
                           if ln.strip().startswith("#"))
        code = re.search(r"exit (\d)", comment)
        rule = re.search(r"rule (R\d+)", comment)
        assert code, f"README: no 'exit N' stated under: {line}"
        found.append((line.strip(), int(code.group(1)), rule.group(1) if rule else None))
    return found


def test_the_readme_runs_both_examples():
    documented = _documented()
    assert [code for _, code, _ in documented] == [0, 1]
    assert documented[1][2] is not None, "the README names the rule the illegal plan breaks"


def test_each_readme_command_exits_as_documented():
    for command, code, rule in _documented():
        argv = shlex.split(command)
        assert argv[0] == "cutover"
        proc = subprocess.run([sys.executable, "-m", "cutover.cli", *argv[1:]], cwd=REPO,
                              capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == code, f"{command}: exit {proc.returncode}\n{proc.stderr}"
        report = json.loads(proc.stdout)
        assert report["plan_instance_sha256_matches"] is True, command  # made for this week
        assert proc.stderr == ""
        if code == 0:
            assert report["valid"] is True and report["violation_count"] == 0
        else:
            assert report["valid"] is False and report["violation_count"] >= 1
            assert {v["rule"] for v in report["violations"]} == {rule}, report["violations"]
