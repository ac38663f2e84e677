"""Every bench's figures are machine-readable (issue 17.5): one bench run at a tiny scale
writes the documented records. The figures' values are never judged here: speed is not a
test assertion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KEYS = {"name", "value", "unit", "baseline", "ratio", "pg_version", "cpu_count"}


def test_bench_backup_writes_its_figures_as_records(tmp_path):
    out = tmp_path / "figures.json"
    proc = subprocess.run([sys.executable, "bench/bench_backup.py", "--size-mb", "0",
                           "--rounds", "1", "--json", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    records = json.loads(out.read_text())
    assert isinstance(records, list) and records
    for r in records:
        assert set(r) == KEYS, r
        assert isinstance(r["name"], str) and r["name"].endswith(" pilot"), r
        assert isinstance(r["value"], float | int) and r["unit"] in ("s", "MB/s"), r
        assert r["cpu_count"] == os.cpu_count() and r["pg_version"][0].isdigit(), r
        if r["baseline"] is None:
            assert r["ratio"] is None, r
        else:
            assert abs(r["ratio"] - r["value"] / r["baseline"]) < 0.01 * r["ratio"] + 0.002, r
    names = {r["name"] for r in records}
    assert {"backup ours/bare pilot", "restore ours/bare pilot"} <= names, names


def test_dev_bench_refuses_an_unknown_bench_in_one_line():
    proc = subprocess.run([sys.executable, "dev.py", "bench", "--only", "nope"], cwd=REPO,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()  # checked before the venv is built: nothing else
    assert lines == ["dev.py bench: error: --only: unknown bench nope (one of backup, "
                     "security_gate, roster, migrate, api)"], proc.stderr
