"""The evidence bundle names every edited, added, removed, swapped or non-regular file and
any signature that is not the evidence key's; verifying needs only the public key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover.evidence import bundle as evidence
from cutover.evidence import keys
from tests.evidence.keys import key, key_env, public_key

HMAC_SECRET = "s" * 40


@pytest.fixture
def bundle(tmp_path):
    d = tmp_path / "prod_cutover_20261128T020000Z"
    d.mkdir()
    (d / "preflight_result.json").write_text('{"verdict": "PASS"}')
    (d / "migration_log.json").write_text('{"applied": ["025"]}')
    (d / "sub").mkdir()
    (d / "sub" / "roster_dry_run.json").write_text("{}")
    evidence.seal(d, key(), verdict="PASS", phases={"freeze": {"seconds": 12}})
    return d


def _cli(*args, env=None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("SOLVEREIGN_")}
    base["SOLVEREIGN_HMAC_SECRET"] = HMAC_SECRET  # present everywhere, never used to sign
    return subprocess.run([sys.executable, "-m", "cutover.cli", "evidence", *args],
                          capture_output=True, text=True, env={**base, **(env or {})},
                          check=False, timeout=60)


def _verify(folder, *extra):
    """Verify as an approver would: the public key file only, no secret of any kind."""
    return _cli("verify", str(folder), "--public-key", key_env()[keys.PUBLIC_KEY_VAR],
                *extra)


def test_intact_bundle_verifies_with_the_public_key_only(bundle):
    proc = _verify(bundle)
    assert proc.returncode == 0 and "evidence intact" in proc.stdout, proc.stdout + proc.stderr
    envelope = json.loads((bundle / evidence.ENVELOPE).read_text())
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert {s["name"] for s in statement["subject"]} == {
        "preflight_result.json", "migration_log.json", "sub/roster_dry_run.json", evidence.SUMMARY}


def test_the_public_key_can_come_from_the_environment(bundle):
    env = {keys.PUBLIC_KEY_VAR: key_env()[keys.PUBLIC_KEY_VAR]}
    assert _cli("verify", str(bundle), env=env).returncode == 0


def test_edited_added_removed_swapped_files_are_named(bundle):
    (bundle / "preflight_result.json").write_text('{"verdict": "FAIL"}')
    (bundle / "extra.txt").write_text("slipped in")
    (bundle / "sub" / "roster_dry_run.json").unlink()
    proc = _verify(bundle)
    assert proc.returncode == 1 and "EVIDENCE TAMPERED" in proc.stdout
    assert "changed: preflight_result.json" in proc.stdout
    assert "added:   extra.txt" in proc.stdout
    assert "removed: sub/roster_dry_run.json" in proc.stdout
    assert "signature does not verify" not in proc.stdout


def test_swapped_files_are_both_named(bundle):
    a, b = bundle / "preflight_result.json", bundle / "migration_log.json"
    text_a, text_b = a.read_text(), b.read_text()
    a.write_text(text_b)
    b.write_text(text_a)
    result = evidence.verify(bundle, public_key())
    assert result.changed == ["migration_log.json", "preflight_result.json"]


def test_forged_summary_is_a_changed_subject(bundle):
    path = bundle / evidence.SUMMARY
    doc = json.loads(path.read_text())
    doc["verdict"] = "PASS-FORGED"
    path.write_text(json.dumps(doc))
    proc = _verify(bundle)
    assert proc.returncode == 1 and f"changed: {evidence.SUMMARY}" in proc.stdout


def test_rewritten_statement_without_the_key_fails_the_signature(bundle):
    """Edit an artifact, put its new hash into the statement: the signature no longer holds."""
    (bundle / "preflight_result.json").write_text('{"verdict": "FAIL"}')
    path = bundle / evidence.ENVELOPE
    envelope = json.loads(path.read_text())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    for s in statement["subject"]:
        if s["name"] == "preflight_result.json":
            s["digest"]["sha256"] = evidence.sha256_file(bundle / "preflight_result.json")
    envelope["payload"] = base64.b64encode(evidence.canonical_json(statement)).decode()
    path.write_text(json.dumps(envelope) + "\n")
    proc = _verify(bundle)
    assert proc.returncode == 1
    assert "signature does not verify (the statement was altered" in proc.stdout


def test_a_bundle_resealed_with_another_key_is_a_foreign_signature(bundle, tmp_path):
    (bundle / "preflight_result.json").write_text('{"verdict": "FAIL"}')
    other, _ = keys.generate(tmp_path / "attacker")
    evidence.seal(bundle, keys.load_private(other))
    proc = _verify(bundle)
    assert proc.returncode == 1 and "signed by a foreign key" in proc.stdout


def test_the_hmac_secret_alone_cannot_seal_or_forge(bundle):
    """Whoever runs the API holds SOLVEREIGN_HMAC_SECRET: it seals nothing, and a bundle
    re-signed the old way (HMAC over the summary) does not verify."""
    sealed = _cli("seal", str(bundle))  # only the HMAC secret in the environment
    assert sealed.returncode == 2 and "SOLVEREIGN_EVIDENCE_SIGNING_KEY is not set" in sealed.stderr
    (bundle / "preflight_result.json").write_text('{"verdict": "FAIL"}')
    path = bundle / evidence.SUMMARY
    doc = json.loads(path.read_text())
    doc["artifacts"]["preflight_result.json"] = evidence.sha256_file(
        bundle / "preflight_result.json")
    doc.pop("signature")
    doc["signature"] = {"algorithm": "HMAC-SHA256", "value": hmac.new(
        HMAC_SECRET.encode(), evidence.canonical_json(doc), hashlib.sha256).hexdigest()}
    path.write_text(json.dumps(doc))
    (bundle / evidence.ENVELOPE).unlink()
    proc = _verify(bundle)
    assert proc.returncode == 1
    assert "signature does not verify (missing: the bundle is not signed)" in proc.stdout


def test_a_file_replaced_by_a_symlink_to_an_identical_copy_is_named(bundle, tmp_path):
    copy = tmp_path / "outside.json"
    copy.write_bytes((bundle / "preflight_result.json").read_bytes())
    (bundle / "preflight_result.json").unlink()
    (bundle / "preflight_result.json").symlink_to(copy)
    proc = _verify(bundle)
    assert proc.returncode == 1
    assert "not a regular file: preflight_result.json (symlink)" in proc.stdout
    assert "removed:" not in proc.stdout


def test_a_symlinked_directory_holding_a_forged_file_is_named(bundle, tmp_path):
    forged = tmp_path / "forged"
    forged.mkdir()
    (forged / "roster_dry_run.json").write_text("{}")  # same content as sealed
    (bundle / "sub" / "roster_dry_run.json").unlink()
    (bundle / "sub").rmdir()
    (bundle / "sub").symlink_to(forged, target_is_directory=True)
    proc = _verify(bundle)
    assert proc.returncode == 1 and "not a regular file: sub (symlink)" in proc.stdout


def test_a_fifo_is_named_without_blocking(bundle):
    os.mkfifo(bundle / "pipe")
    proc = _verify(bundle)
    assert proc.returncode == 1 and "not a regular file: pipe (FIFO)" in proc.stdout


def test_a_socket_is_named(bundle):
    os.mknod(bundle / "sub" / "listener", 0o600 | stat.S_IFSOCK)  # no path-length limit
    proc = _verify(bundle)
    assert proc.returncode == 1 and "not a regular file: sub/listener (socket)" in proc.stdout


def test_a_symlinked_summary_is_named(bundle, tmp_path):
    outside = tmp_path / "summary.json"
    outside.write_bytes((bundle / evidence.SUMMARY).read_bytes())
    (bundle / evidence.SUMMARY).unlink()
    (bundle / evidence.SUMMARY).symlink_to(outside)
    proc = _verify(bundle)
    assert proc.returncode == 1 and f"not a regular file: {evidence.SUMMARY} (symlink)" in \
        proc.stdout


def test_sealing_refuses_to_hash_through_a_symlink(bundle, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    (bundle / "linked.json").symlink_to(outside)
    before = (bundle / evidence.SUMMARY).read_bytes()
    proc = _cli("seal", str(bundle), env=key_env())
    assert proc.returncode == 2 and "not regular files: linked.json (symlink)" in proc.stderr
    assert (bundle / evidence.SUMMARY).read_bytes() == before  # nothing half-done


def test_keygen_writes_a_private_0600_and_a_public_pem(tmp_path):
    proc = _cli("keygen", "--out", str(tmp_path / "k"))
    assert proc.returncode == 0, proc.stderr
    private = tmp_path / "k" / keys.KEY_FILE
    public = tmp_path / "k" / keys.PUB_FILE
    assert private.stat().st_mode & 0o777 == 0o600
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE KEY" not in proc.stdout + proc.stderr
    again = _cli("keygen", "--out", str(tmp_path / "k"))
    assert again.returncode == 2 and "refusing to overwrite a key" in again.stderr


def test_seal_and_verify_through_the_cli(tmp_path):
    d = tmp_path / "b"
    d.mkdir()
    (d / "health_check.json").write_text("{}")
    env = key_env()
    sealed = _cli("seal", str(d), env=env)
    assert sealed.returncode == 0 and "signed" in sealed.stdout
    assert _verify(d).returncode == 0


@pytest.mark.parametrize("args, env, expected", [
    ((), {}, "no public key to verify with"),
    (("--public-key", "/nonexistent.pub"), {}, "--public-key: /nonexistent.pub does not exist"),
])
def test_bad_public_key_is_one_line_exit_2(bundle, args, env, expected):
    proc = _cli("verify", str(bundle), *args, env=env)
    assert proc.returncode == 2 and expected in proc.stderr and "Traceback" not in proc.stderr


def test_a_public_key_inside_the_bundle_is_refused(bundle):
    inside = bundle / "evidence_signing.pub"
    inside.write_bytes(Path(key_env()[keys.PUBLIC_KEY_VAR]).read_bytes())
    proc = _cli("verify", str(bundle), "--public-key", str(inside))
    assert proc.returncode == 2 and "is inside the bundle" in proc.stderr


def test_a_private_key_file_readable_by_others_is_refused(bundle, tmp_path):
    private, _ = keys.generate(tmp_path / "loose")
    private.chmod(0o644)
    proc = _cli("seal", str(bundle), env={keys.SIGNING_KEY_VAR: str(private)})
    assert proc.returncode == 2 and "is readable by others (chmod 600 it)" in proc.stderr


def test_not_a_bundle(tmp_path):
    proc = _verify(tmp_path)
    assert proc.returncode == 2 and "does not exist (not an evidence bundle?)" in proc.stderr


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=200))
def test_malformed_summary_is_a_clear_error(tmp_path_factory, junk):
    d = tmp_path_factory.mktemp("junk")
    (d / evidence.SUMMARY).write_bytes(junk)
    try:
        result = evidence.verify(d, public_key())
    except evidence.ConfigError as exc:
        assert str(d) in str(exc)
    else:
        assert not result.ok


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=300))
def test_malformed_envelope_never_verifies(tmp_path_factory, junk):
    d = tmp_path_factory.mktemp("env")
    (d / "a.json").write_text("{}")
    evidence.seal(d, key())
    (d / evidence.ENVELOPE).write_bytes(junk)
    result = evidence.verify(d, public_key())
    assert not result.ok and not result.signature_ok


def test_adding_our_own_artifact_reseals(bundle):
    (bundle / "roster_dry_run.json").write_text('{"verdict": "PASS"}')
    assert evidence.add_to_bundle(bundle, key(), ["roster_dry_run.json"], note="drill") == []
    assert evidence.verify(bundle, public_key()).ok
    assert evidence.load_summary(bundle)["note"] == "drill"


def test_adding_never_launders_someone_elses_edit(bundle):
    """A bundle edited by someone else is not re-sealed along with our new artifact."""
    name = "preflight_result.json"
    (bundle / name).write_text('{"verdict": "PASS", "edited": true}')
    (bundle / "roster_dry_run.json").write_text('{"verdict": "PASS"}')
    problems = evidence.add_to_bundle(bundle, key(), ["roster_dry_run.json"])
    assert problems == [f"changed: {name}"]
    result = evidence.verify(bundle, public_key())
    assert result.changed == [name] and result.added == ["roster_dry_run.json"]


def test_adding_to_a_forged_summary_is_refused(bundle):
    doc = json.loads((bundle / evidence.SUMMARY).read_text())
    doc["verdict"] = "PASS (forged)"
    (bundle / evidence.SUMMARY).write_text(json.dumps(doc))
    (bundle / "x.json").write_text("{}")
    assert evidence.add_to_bundle(bundle, key(), ["x.json"]) == [f"changed: {evidence.SUMMARY}"]


def test_adding_never_launders_a_symlink(bundle, tmp_path):
    outside = tmp_path / "o.json"
    outside.write_text("{}")
    (bundle / "x.json").symlink_to(outside)
    assert evidence.add_to_bundle(bundle, key(), ["x.json"]) == [
        "not a regular file: x.json (symlink)"]


def test_the_old_hmac_secret_string_is_refused_as_a_key(bundle):
    with pytest.raises(TypeError, match="EvidenceKey"):
        evidence.verify(bundle, HMAC_SECRET)  # type: ignore[arg-type]
