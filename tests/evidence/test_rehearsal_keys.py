"""The rehearsal signs with the configured evidence key, else a throwaway pair beside the
bundle: never inside it, never the API's HMAC secret, and never a prod_cutover_* folder."""

from __future__ import annotations

from cutover.approval import record
from cutover.evidence import bundle as evidence
from cutover.evidence import keys
from cutover.runbook.rehearse import _signing_keys


def test_without_a_key_a_throwaway_pair_is_made_beside_the_bundle(tmp_path, monkeypatch,
                                                                   capsys):
    monkeypatch.delenv(keys.SIGNING_KEY_VAR, raising=False)
    monkeypatch.setenv("SOLVEREIGN_HMAC_SECRET", "h" * 40)
    bundle = tmp_path / "prod_cutover_20261207T010203Z"
    bundle.mkdir()
    env = _signing_keys(bundle)
    key_path = env[keys.SIGNING_KEY_VAR]
    assert key_path.startswith(str(tmp_path / "evidence_keys_20261207T010203Z"))
    assert not key_path.startswith(str(bundle))
    assert record.latest_bundle(tmp_path) == bundle  # the key folder is not a bundle
    (bundle / "a.json").write_text("{}")
    evidence.seal(bundle, keys.signing_key(env))
    assert evidence.verify(bundle, keys.verifying_key(env=env)).ok
    assert f"--public-key {env[keys.PUBLIC_KEY_VAR]}" in capsys.readouterr().out


def test_a_configured_key_wins_over_the_sandbox_pair(tmp_path, monkeypatch):
    private, _ = keys.generate(tmp_path / "mine")
    monkeypatch.setenv(keys.SIGNING_KEY_VAR, str(private))
    monkeypatch.delenv(keys.PUBLIC_KEY_VAR, raising=False)
    env = _signing_keys(tmp_path / "prod_cutover_x")
    assert env == {keys.SIGNING_KEY_VAR: str(private),
                   keys.PUBLIC_KEY_VAR: ""}  # blanks a sandbox's public key
    assert keys.verifying_key(env=env).keyid == \
        keys.load_private(private).keyid


def test_the_sandbox_exports_its_own_pair_made_once(tmp_path):
    from sandbox.manage import SandboxState, ensure_evidence_keys

    state = SandboxState(root=str(tmp_path), admin_url="postgresql://postgres:pw@127.0.0.1:1/x",
                         dbname="x", at="latest", session_secret="s" * 40,
                         passwords={r: "pw" for r in ("solvereign_migrator", "solvereign_api",
                                                      "solvereign_platform", "solvereign_backup")},
                         hmac_secret="h" * 40)
    assert keys.SIGNING_KEY_VAR not in state.environment()  # none made yet
    folder = ensure_evidence_keys(tmp_path)
    first = (folder / keys.KEY_FILE).read_bytes()
    ensure_evidence_keys(tmp_path)  # reused, never regenerated
    assert (folder / keys.KEY_FILE).read_bytes() == first
    env = state.environment()
    assert env[keys.SIGNING_KEY_VAR] == str(folder / keys.KEY_FILE)
    assert env[keys.PUBLIC_KEY_VAR] == str(folder / keys.PUB_FILE)
    assert (folder / keys.KEY_FILE).stat().st_mode & 0o777 == 0o600
