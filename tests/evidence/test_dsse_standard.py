"""Any standard DSSE verifier accepts the bundle's envelope: PAE written here from the DSSE
spec (not cutover.evidence.bundle.pae), Ed25519 from the public key's PEM, the in-toto Statement v1
read as plain JSON with one subject per file and the predicate the design names."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from cutover.evidence import bundle as evidence
from cutover.evidence import keys

SHA = "c0ffee00" * 5


def _pae(payload_type: str, body: bytes) -> bytes:
    """DSSE v1: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN as ASCII decimal."""
    kind = payload_type.encode("utf-8")
    return b" ".join([b"DSSEv1", str(len(kind)).encode(), kind, str(len(body)).encode(), body])


def _verify(envelope: dict, pub_pem: bytes) -> dict:
    body = base64.standard_b64decode(envelope["payload"])
    key = load_pem_public_key(pub_pem)
    key.verify(base64.standard_b64decode(envelope["signatures"][0]["sig"]),
               _pae(envelope["payloadType"], body))  # raises InvalidSignature
    return json.loads(body)


@pytest.fixture
def sealed(tmp_path, monkeypatch):
    monkeypatch.setenv("SOLVEREIGN_RELEASE_SHA", SHA)
    key_path, pub_path = keys.generate(tmp_path / "keys")
    bundle = tmp_path / "prod_cutover_20261207T000000Z"
    bundle.mkdir()
    (bundle / "preflight_result.json").write_text('{"verdict": "PASS"}')
    (bundle / "migration_log.txt").write_text("applied 025_tenants_rls_fix\n")
    evidence.seal(bundle, keys.load_private(key_path), verdict="SUCCESS",
                  rc_tag="v1.0.0-rc1", phases={"migrate": {"seconds": 1.5}},
                  writes_disabled={"from": "2026-12-07T00:00:00+00:00", "seconds": 90})
    return bundle, pub_path.read_bytes()


def test_an_independent_dsse_verifier_accepts_the_envelope(sealed):
    bundle, pub = sealed
    line = (bundle / evidence.ENVELOPE).read_text().splitlines()[0]
    envelope = json.loads(line)
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    statement = _verify(envelope, pub)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    subjects = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    files = {p.name for p in bundle.iterdir()} - {evidence.ENVELOPE}
    assert set(subjects) == files  # every artifact and the summary
    for name, digest in subjects.items():
        assert hashlib.sha256((bundle / name).read_bytes()).hexdigest() == digest
    predicate = statement["predicate"]
    assert predicate["run_id"] == bundle.name and predicate["rc_tag"] == "v1.0.0-rc1"
    assert predicate["release_sha"] == SHA and predicate["verdict"] == "SUCCESS"
    assert predicate["phases"] == {"migrate": {"seconds": 1.5}}
    assert predicate["writes_disabled"]["seconds"] == 90


def test_the_independent_verifier_refuses_an_altered_statement_or_another_key(sealed,
                                                                             tmp_path):
    bundle, pub = sealed
    envelope = json.loads((bundle / evidence.ENVELOPE).read_text().splitlines()[0])
    body = json.loads(base64.standard_b64decode(envelope["payload"]))
    body["predicate"]["verdict"] = "PASS (edited)"
    forged = {**envelope, "payload": base64.standard_b64encode(
        json.dumps(body).encode()).decode()}
    with pytest.raises(InvalidSignature):
        _verify(forged, pub)
    _, other_pub = keys.generate(tmp_path / "other")
    with pytest.raises(InvalidSignature):
        _verify(envelope, Path(other_pub).read_bytes())
