"""Release identity from what a deployment has: flags, SOLVEREIGN_RELEASE_SHA, a release
manifest; git only as an optional last source (docs/exit-codes.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cutover import home, release
from cutover.errors import ConfigError

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_the_flag_wins_then_the_variable_then_the_manifest(tmp_path):
    manifest = tmp_path / "release.json"
    manifest.write_text(json.dumps({"release_sha": "b" * 40, "rc_tag": "v2.0.0-rc3"}))
    env = {release.SHA_VAR: "a" * 40, release.MANIFEST_VAR: str(manifest)}
    assert release.resolve(SHA, "v1", environ=env) == release.Release(SHA, "v1", "flag")
    assert release.resolve(environ=env).sha == "a" * 40
    got = release.resolve(environ={release.MANIFEST_VAR: str(manifest)})
    assert (got.sha, got.rc_tag) == ("b" * 40, "v2.0.0-rc3")
    assert got.source == f"manifest {manifest}"
    assert release.resolve(manifest=manifest, environ={}).sha == "b" * 40


@pytest.mark.parametrize("doc, says", [
    ("not json", "is not valid JSON"),
    (json.dumps({"rc_tag": "v1"}), "has no release_sha"),
    (json.dumps({"release_sha": "main; rm -rf /"}), "is not a commit sha"),
])
def test_a_bad_manifest_is_one_line_naming_the_file(tmp_path, doc, says):
    manifest = tmp_path / "release.json"
    manifest.write_text(doc)
    with pytest.raises(ConfigError, match=says) as info:
        release.resolve(manifest=manifest, environ={})
    assert str(manifest) in str(info.value) and "\n" not in str(info.value)


def test_a_missing_manifest_and_a_bad_sha_are_bad_input(tmp_path):
    with pytest.raises(ConfigError, match=r"release manifest .*nope\.json"):
        release.resolve(manifest=tmp_path / "nope.json", environ={})
    with pytest.raises(ConfigError, match=release.SHA_VAR):
        release.resolve(environ={release.SHA_VAR: "HEAD"})


def test_in_the_checkout_git_head_is_only_the_last_source():
    """(An installed wheel has no checkout: tests/release/test_wheel.py runs one.)"""
    assert home.is_checkout()
    head = release.git_head()
    assert head and release.SHA.fullmatch(head)
    assert release.resolve(environ={}) == release.Release(head, None, "git")
    assert release.resolve(environ={release.TAG_VAR: "v3"}).rc_tag == "v3"


def test_the_package_digest_names_this_build():
    digest = release.package_digest()
    assert release.SHA.fullmatch(digest) and len(digest) == 40
    assert digest == release.package_digest()


@pytest.mark.parametrize("args, says", [
    (["--release-sha", "HEAD"], "--release-sha: 'HEAD' is not a commit sha"),
    (["--release-manifest", "nope.json"], "--release-manifest"),
])
def test_rehearse_refuses_a_bad_release_before_acting(tmp_path, args, says):
    proc = subprocess.run([sys.executable, "-m", "cutover.cli", "rehearse", "--artifacts-dir",
                           str(tmp_path / "a"), *args], cwd=tmp_path, capture_output=True,
                          text=True, check=False, env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2 and says in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 or "usage:" in proc.stderr
    assert not list((tmp_path / "a").glob("prod_cutover_*"))  # nothing started
