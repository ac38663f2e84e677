"""From an installed wheel in an empty directory, with no checkout and no git, the
rehearsal runs the whole runbook: the wheel carries checks, fixtures, conftest.py,
pytest.ini, migrations and scripts, and the release identity comes from a manifest.

The fresh venv gets the wheel with --no-deps; its dependencies come from the project's
venv through a .pth line (appended after the venv's own site-packages, so the wheel's
`cutover` is the one imported, and no network is needed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from cutover.evidence import bundle as evidence
from cutover.evidence import keys
from cutover.runbook.artifacts import RUNBOOK_ARTIFACTS

REPO = Path(__file__).resolve().parents[2]
SHA = "feedc0de" * 5

pytestmark = pytest.mark.slow


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    assert proc.returncode == 0, (cmd, proc.stdout[-4000:], proc.stderr[-4000:])
    return proc


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory) -> Path:
    """A fresh venv outside the tree with the project's wheel installed (no deps)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # a clean copy: no .git, no stale build/ of an earlier build
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "reports", "artifacts", "backups", ".sandbox",
        "__pycache__", ".hypothesis", ".ruff_cache", ".claude"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp / "dist"),
          str(src)])
    (wheel,) = (tmp / "dist").glob("solvereign_cutover-*.whl")
    venv = tmp / "venv"
    _run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip",
          str(venv)])
    python = venv / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
                ).stdout.strip()
    (Path(site) / "solvereign-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
          "--quiet", str(wheel)])
    return venv


def _env(venv: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SOLVEREIGN_") and k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return {**env, "PATH": f"{venv / 'bin'}:/usr/bin:/bin", **extra}


def test_the_wheel_finds_its_tree_without_a_checkout(wheel_venv, tmp_path):
    code = ("import cutover.home as h, cutover.release as r, cutover.migrate.files as f;"
            "print(h.is_checkout(), h.root(), f.default_directory(), r.resolve(environ={}))")
    out = _run([str(wheel_venv / "bin" / "python"), "-c", code], cwd=tmp_path,
               env=_env(wheel_venv)).stdout
    assert out.startswith("False ") and str(REPO) not in out
    assert "_tree/migrations" in out and "source='none'" in out  # no git, no release named
    scripts = Path(out.split()[1]) / "scripts"
    for name in ("prod_cutover.sh", "prod_preflight_check.py", "w02_staging_soak.sh",
                 "run_sick_call_drill.py", "ci/security_gate.sh", "ci/wien_roster_gate.sh"):
        assert (scripts / name).is_file(), name
    soak = _run([str(scripts / "w02_staging_soak.sh"), "--help"], cwd=tmp_path,
                env=_env(wheel_venv, PYTHON=str(wheel_venv / "bin" / "python")))
    assert "--iterations" in soak.stdout


def test_rehearse_from_the_wheel_in_an_empty_directory(wheel_venv, tmp_path):
    work = tmp_path / "x"
    work.mkdir()
    manifest = tmp_path / "release.json"
    manifest.write_text(json.dumps({"release_sha": SHA, "rc_tag": "v1.0.0-rc1"}))
    proc = subprocess.run([str(wheel_venv / "bin" / "cutover"), "rehearse"], cwd=work,
                          env=_env(wheel_venv, SOLVEREIGN_RELEASE_MANIFEST=str(manifest)),
                          capture_output=True, text=True, timeout=1800, check=False)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    assert "REHEARSAL: PASS" in proc.stdout
    (bundle,) = (work / "artifacts").glob("prod_cutover_*")
    missing = [name for name in RUNBOOK_ARTIFACTS if not (bundle / name).is_file()]
    assert not missing, f"runbook §10 names missing from the bundle: {missing}"
    assert "ledger head after:  025" in (bundle / "migration_log.txt").read_text()
    approval = json.loads((bundle / "approval_record.json").read_text())
    assert (approval["commit"], approval["rc_tag"]) == (SHA, "v1.0.0-rc1")
    assert json.loads((bundle / "last_known_good.json").read_text())["rollback_sha"] == SHA
    (pub,) = (work / "artifacts").glob("evidence_keys_*/evidence_signing.pub")
    verify = _run([str(wheel_venv / "bin" / "cutover"), "evidence", "verify", str(bundle),
                   "--public-key", str(pub)], cwd=work, env=_env(wheel_venv))
    assert "evidence intact" in verify.stdout and "not signed" not in verify.stdout
    signed, problem = evidence._signed_subjects(bundle, keys.load_public(pub))
    assert problem == "" and "report.html" in signed  # the page is covered by the seal


@pytest.mark.parametrize("manifest_tag, status, says", [
    ("v1.0.0-rc1", "PASS", ""),
    ("v0.9.0-rc7", "FAIL", "RC tag v1.0.0-rc1 is not the deployed release: its manifest "
                           "names v0.9.0-rc7"),
    (None, "FAIL", "RC tag v1.0.0-rc1 cannot be proven: no git checkout and no release "
                   "manifest"),
])
def test_pf011_from_the_wheel_proves_the_rc_tag_by_the_release_manifest(
        wheel_venv, make_platform, tmp_path, manifest_tag, status, says):
    """No checkout to resolve the tag in: the deployment's manifest must name it."""
    db = make_platform("pre")
    extra = {k: v for k, v in db.env().items() if k.startswith("SOLVEREIGN_")}
    if manifest_tag:
        manifest = tmp_path / "release.json"
        manifest.write_text(json.dumps({"release_sha": SHA, "rc_tag": manifest_tag}))
        extra["SOLVEREIGN_RELEASE_MANIFEST"] = str(manifest)
    python = wheel_venv / "bin" / "python"
    tree = _run([str(python), "-c", "import cutover.home as h; print(h.root())"],
                cwd=tmp_path, env=_env(wheel_venv)).stdout.strip()
    proc = subprocess.run([str(python), f"{tree}/scripts/prod_preflight_check.py", "--db-url",
                           db.url(), "--env", "development", "--rc-tag", "v1.0.0-rc1",
                           "--artifacts-dir", str(tmp_path / "a")], cwd=tmp_path,
                          env=_env(wheel_venv, **extra), capture_output=True, text=True,
                          timeout=600, check=False)
    result = json.loads((tmp_path / "a" / "preflight_result.json").read_text())
    (pf011,) = [c for c in result["checks"] if c["check_id"] == "PF-011"]
    assert pf011["status"] == status, (pf011, proc.stdout[-2000:], proc.stderr[-2000:])
    assert says in pf011["message"]
