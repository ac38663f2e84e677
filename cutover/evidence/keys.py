"""The evidence signing key: an Ed25519 pair of its own (docs/artifacts.md).

Sealing needs the private key (SOLVEREIGN_EVIDENCE_SIGNING_KEY, a path to a PKCS#8 PEM
file readable by its owner only); verifying needs only the public key
(`--public-key FILE` or SOLVEREIGN_EVIDENCE_PUBLIC_KEY, SPKI PEM), so an approver can
check a bundle without any secret. Nothing here reads SOLVEREIGN_HMAC_SECRET: whoever runs
the API holds that one, and must not be able to forge evidence.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cutover.errors import ConfigError

SIGNING_KEY_VAR = "SOLVEREIGN_EVIDENCE_SIGNING_KEY"
PUBLIC_KEY_VAR = "SOLVEREIGN_EVIDENCE_PUBLIC_KEY"
KEY_FILE = "evidence_signing.key"
PUB_FILE = "evidence_signing.pub"


@dataclass(frozen=True)
class EvidenceKey:
    """A verifying key, and the signing half when this process may seal."""

    public: Ed25519PublicKey
    private: Ed25519PrivateKey | None = None

    @property
    def keyid(self) -> str:
        """sha256 of the public key (SPKI DER): names the key in an envelope."""
        der = self.public.public_bytes(serialization.Encoding.DER,
                                       serialization.PublicFormat.SubjectPublicKeyInfo)
        return hashlib.sha256(der).hexdigest()

    def sign(self, message: bytes) -> bytes:
        if self.private is None:
            raise ConfigError(f"no signing key: set {SIGNING_KEY_VAR} to the private key file "
                              "to seal a bundle")
        return self.private.sign(message)

    def verifies(self, signature: bytes, message: bytes) -> bool:
        try:
            self.public.verify(signature, message)
        except InvalidSignature:
            return False
        return True


def generate(out: Path) -> tuple[Path, Path]:
    """Write a new pair into `out` (private 0600, public 0644); never overwrite a key."""
    out = Path(out)
    key_path, pub_path = out / KEY_FILE, out / PUB_FILE
    for path in (key_path, pub_path):
        if path.exists() or path.is_symlink():
            raise ConfigError(f"{path} already exists: refusing to overwrite a key")
    out.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    pub = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    _write_new(key_path, pem, 0o600)
    _write_new(pub_path, pub, 0o644)
    return key_path, pub_path


def _write_new(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _read(path: Path, what: str) -> bytes:
    if not path.is_file():
        raise ConfigError(f"{what} {path} does not exist or is not a file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{what} {path} cannot be read ({exc.strerror})") from None


def load_private(path: Path, name: str = SIGNING_KEY_VAR) -> EvidenceKey:
    """The signing pair from a PKCS#8 PEM file only its owner can read."""
    path = Path(path)
    data = _read(path, f"{name}:")
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{name}: {path} is readable by others (chmod 600 it)")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ConfigError(f"{name}: {path} is not an unencrypted PKCS#8 PEM private key"
                          ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{name}: {path} is not an Ed25519 key")
    return EvidenceKey(public=key.public_key(), private=key)


def load_public(path: Path, name: str = PUBLIC_KEY_VAR) -> EvidenceKey:
    """A verifying key from an SPKI PEM file."""
    path = Path(path)
    data = _read(path, f"{name}:")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise ConfigError(f"{name}: {path} is not an SPKI PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"{name}: {path} is not an Ed25519 key")
    return EvidenceKey(public=key)


def signing_key(env: Mapping[str, str] | None = None, *,
                required: bool = True) -> EvidenceKey | None:
    """The signing key named by SOLVEREIGN_EVIDENCE_SIGNING_KEY (None if unset and optional)."""
    value = (os.environ if env is None else env).get(SIGNING_KEY_VAR)
    if not value:
        if required:
            raise ConfigError(f"{SIGNING_KEY_VAR} is not set: it names the private key file "
                              "that seals evidence (`cutover evidence keygen --out DIR`)")
        return None
    return load_private(Path(value))


def verifying_key(path: Path | None = None, env: Mapping[str, str] | None = None, *,
                  required: bool = True) -> EvidenceKey | None:
    """--public-key, else SOLVEREIGN_EVIDENCE_PUBLIC_KEY, else the public half of the
    signing key this process holds."""
    env = os.environ if env is None else env
    if path is not None:
        return load_public(Path(path), "--public-key")
    if env.get(PUBLIC_KEY_VAR):
        return load_public(Path(env[PUBLIC_KEY_VAR]))
    if env.get(SIGNING_KEY_VAR):
        return signing_key(env)
    if required:
        raise ConfigError(f"no public key to verify with: give --public-key FILE or set "
                          f"{PUBLIC_KEY_VAR}")
    return None


def require_outside(folder: Path, key_path: Path | None) -> None:
    """A key found inside the bundle proves nothing: whoever forged it put it there."""
    if key_path is None or not folder.is_dir():
        return
    if key_path.resolve().is_relative_to(folder.resolve()):
        raise ConfigError(f"--public-key {key_path} is inside the bundle: verify with a key "
                          "obtained outside it")
