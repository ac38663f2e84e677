"""A full disk (a real, tiny tmpfs: CI and these machines run as root; skipped where mount
is not allowed): every write is atomic, cleans up after itself, and the failure is one line
naming the path and ENOSPC with the command's documented code."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.backup.conftest import REPO, cli


@pytest.fixture
def tiny_fs(tmp_path) -> Iterator[Callable[[int], Path]]:
    """Factory: a tmpfs of `size` bytes mounted under tmp_path (unmounted afterwards)."""
    mounted: list[Path] = []

    def mount(size: int) -> Path:
        point = tmp_path / f"tiny{len(mounted)}"
        point.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                               str(point)], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)


def _fill(folder: Path) -> None:
    """Fill the file system to the last byte."""
    with (folder / "filler").open("wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError:
            pass


def test_backup_with_room_for_the_dump_but_not_the_manifest(pre_db, tiny_fs):
    probe = cli(pre_db, "backup", "--out", str(pre_db.workdir / "probe"), "--settle", "0")
    assert probe.returncode == 0, probe.stderr
    dump = next((pre_db.workdir / "probe").glob("*.dump"))
    manifest = dump.with_name(dump.name.replace(".dump", ".manifest.json"))
    room = dump.stat().st_size + manifest.stat().st_size // 3
    out = tiny_fs((room // 4096 + 1) * 4096)
    proc = cli(pre_db, "backup", "--out", str(out), "--settle", "0")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "BACKUP STATUS: FAILED"
    err = proc.stderr.strip()
    assert "\n" not in err and "ENOSPC" in err and ".manifest.json" in err, err
    assert "Traceback" not in proc.stdout + proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [], "no dump without its manifest"


def test_sealing_evidence_on_a_full_disk_leaves_no_stray_file(tiny_fs):
    from cutover.evidence import bundle as evidence

    bundle = tiny_fs(64 * 1024)
    evidence.write_json(bundle / "small.json", {"ok": True})
    _fill(bundle)
    with pytest.raises(OSError):
        evidence.write_json(bundle / "big.json", {"x": "y" * 200_000})
    assert sorted(p.name for p in bundle.iterdir()) == ["filler", "small.json"]


def test_preflight_on_a_full_disk_is_one_line_and_exit_3(pre_db, tiny_fs):
    artifacts = tiny_fs(64 * 1024)
    _fill(artifacts)
    proc = subprocess.run([sys.executable, "scripts/prod_preflight_check.py", "--db-url",
                           pre_db.url(), "--env", "development", "--artifacts-dir",
                           str(artifacts)], cwd=REPO, env=pre_db.env(), capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 3, proc.stdout[-2000:] + proc.stderr[-2000:]
    err = proc.stderr.strip()
    assert "\n" not in err and "ENOSPC" in err and str(artifacts) in err, err
    assert "Traceback" not in proc.stdout + proc.stderr
    assert sorted(p.name for p in artifacts.iterdir()) == ["filler"]
