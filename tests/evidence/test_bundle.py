"""The evidence bundle names every edited, added and removed file and a forged signature."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover import evidence

SECRET = "s" * 40


@pytest.fixture
def bundle(tmp_path):
    d = tmp_path / "prod_cutover_20261128T020000Z"
    d.mkdir()
    (d / "preflight_result.json").write_text('{"verdict": "PASS"}')
    (d / "migration_log.json").write_text('{"applied": ["025"]}')
    (d / "sub").mkdir()
    (d / "sub" / "roster_dry_run.json").write_text("{}")
    evidence.seal(d, SECRET, verdict="PASS", phases={"freeze": {"seconds": 12}})
    return d


def _cli(*args, secret=SECRET):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    if secret is not None:
        env["SOLVEREIGN_HMAC_SECRET"] = secret
    return subprocess.run([sys.executable, "-m", "cutover.cli", "evidence", *args],
                          capture_output=True, text=True, env=env, check=False)


def test_intact_bundle_verifies(bundle):
    proc = _cli("verify", str(bundle))
    assert proc.returncode == 0 and "evidence intact" in proc.stdout


def test_edited_added_removed_files_are_named(bundle):
    (bundle / "preflight_result.json").write_text('{"verdict": "FAIL"}')
    (bundle / "extra.txt").write_text("slipped in")
    (bundle / "sub" / "roster_dry_run.json").unlink()
    proc = _cli("verify", str(bundle))
    assert proc.returncode == 1
    assert "changed: preflight_result.json" in proc.stdout
    assert "added:   extra.txt" in proc.stdout
    assert "removed: sub/roster_dry_run.json" in proc.stdout
    assert "signature does not verify" not in proc.stdout


def test_forged_summary_fails_the_signature(bundle):
    path = bundle / evidence.SUMMARY
    doc = json.loads(path.read_text())
    doc["verdict"] = "PASS-FORGED"
    path.write_text(json.dumps(doc))
    proc = _cli("verify", str(bundle))
    assert proc.returncode == 1 and "signature does not verify" in proc.stdout


def test_rehashed_artifact_without_the_secret_is_caught(bundle):
    (bundle / "preflight_result.json").write_text('{"verdict": "FAIL"}')
    path = bundle / evidence.SUMMARY
    doc = json.loads(path.read_text())
    doc["artifacts"]["preflight_result.json"] = evidence.sha256_file(
        bundle / "preflight_result.json")
    path.write_text(json.dumps(doc))
    assert "signature does not verify" in _cli("verify", str(bundle)).stdout


def test_wrong_secret_fails(bundle):
    assert _cli("verify", str(bundle), secret="t" * 40).returncode == 1


@pytest.mark.parametrize("secret, expected", [
    (None, "SOLVEREIGN_HMAC_SECRET is not set"),
    ("short", "SOLVEREIGN_HMAC_SECRET is too short"),
])
def test_bad_secret_is_one_line_exit_2(bundle, secret, expected):
    proc = _cli("verify", str(bundle), secret=secret)
    assert proc.returncode == 2 and expected in proc.stderr and "Traceback" not in proc.stderr


def test_not_a_bundle(tmp_path):
    proc = _cli("verify", str(tmp_path))
    assert proc.returncode == 2 and "does not exist (not an evidence bundle?)" in proc.stderr


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=200))
def test_malformed_summary_is_a_clear_error(tmp_path_factory, junk):
    d = tmp_path_factory.mktemp("junk")
    (d / evidence.SUMMARY).write_bytes(junk)
    try:
        result = evidence.verify(d, SECRET)
    except evidence.ConfigError as exc:
        assert str(d) in str(exc)
    else:
        assert not result.ok


def test_adding_our_own_artifact_reseals(bundle):
    (bundle / "roster_dry_run.json").write_text('{"verdict": "PASS"}')
    assert evidence.add_to_bundle(bundle, SECRET, ["roster_dry_run.json"], note="drill") == []
    assert evidence.verify(bundle, SECRET).ok
    assert evidence.load_summary(bundle)["note"] == "drill"


def test_adding_never_launders_someone_elses_edit(bundle):
    """A bundle edited by someone else is not re-sealed along with our new artifact."""
    name = "preflight_result.json"
    (bundle / name).write_text('{"verdict": "PASS", "edited": true}')
    (bundle / "roster_dry_run.json").write_text('{"verdict": "PASS"}')
    problems = evidence.add_to_bundle(bundle, SECRET, ["roster_dry_run.json"])
    assert problems == [f"changed: {name}"]
    result = evidence.verify(bundle, SECRET)
    assert result.changed == [name] and result.added == ["roster_dry_run.json"]


def test_adding_to_a_forged_summary_is_refused(bundle):
    doc = json.loads((bundle / evidence.SUMMARY).read_text())
    doc["verdict"] = "PASS (forged)"
    (bundle / evidence.SUMMARY).write_text(json.dumps(doc))
    (bundle / "x.json").write_text("{}")
    assert evidence.add_to_bundle(bundle, SECRET, ["x.json"]) == [
        f"{evidence.SUMMARY}: signature does not verify"]
