"""`cutover evidence verify|seal|keygen|report` (docs/artifacts.md, README.md).

verify: exit 0 intact; 1 naming every changed, added, removed or non-regular file, or a
signature that is not the given key's; 2 bad input (no bundle, no or bad public key).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cutover import argtypes
from cutover.errors import ConfigError
from cutover.evidence import bundle, keys, report


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `evidence verify`, `seal`, `keygen` and `report`."""
    p = subparsers.add_parser("evidence", help="verify, seal or sign an evidence bundle")
    sub = p.add_subparsers(dest="evidence_action", metavar="ACTION", required=True)
    v = sub.add_parser("verify", help="exit 0 intact; 1 and the changed files named")
    v.add_argument("dir", type=Path, help="the evidence bundle")
    v.add_argument("--public-key", type=Path, metavar="FILE",
                   help=f"Ed25519 public key (SPKI PEM; default ${keys.PUBLIC_KEY_VAR})")
    v.set_defaults(func=_verify)
    s = sub.add_parser("seal", help="hash every artifact into cutover_summary.json and sign "
                                    f"it (${keys.SIGNING_KEY_VAR})")
    s.add_argument("dir", type=Path, help="the folder to seal")
    s.set_defaults(func=_seal)
    k = sub.add_parser("keygen", help="write a new Ed25519 pair for signing evidence")
    k.add_argument("--out", type=argtypes.output_dir, required=True, metavar="DIR",
                   help="folder for the new key files (an existing key file is never "
                        "overwritten)")
    k.set_defaults(func=_keygen)
    r = sub.add_parser("report", help="write DIR/report.html, a self-contained page")
    r.add_argument("dir", type=Path, help="the evidence bundle")
    r.add_argument("--public-key", type=Path, metavar="FILE",
                   help="loaded and checked, but the page states no verification of its "
                        "own: `evidence verify` decides (default: "
                        f"${keys.PUBLIC_KEY_VAR})")
    r.set_defaults(func=_report)


def _verify(args: argparse.Namespace) -> int:
    keys.require_outside(args.dir, args.public_key)
    bundle.load_summary(args.dir)  # a clear error for a folder that is not a bundle
    key = keys.verifying_key(args.public_key)
    result = bundle.verify(args.dir, key)
    for line in result.lines():
        print(line)
    for name in result.uncovered:
        print(f"note: {name} was rendered after the bundle was sealed and is not signed; "
              f"trust the JSON, or re-render it with `cutover evidence report {args.dir}`")
    if result.ok:
        print(f"evidence intact: {args.dir} ({len(bundle.load_summary(args.dir)['artifacts'])}"
              f" artifacts, signature verified, key {key.keyid[:16]})")
        return 0
    print(f"EVIDENCE TAMPERED: {args.dir}")
    return 1


def _seal(args: argparse.Namespace) -> int:
    if not args.dir.is_dir():
        raise ConfigError(f"evidence folder does not exist: {args.dir}")
    doc = bundle.seal(args.dir, keys.signing_key())
    print(f"sealed {args.dir}: {len(doc['artifacts'])} artifacts, signed "
          f"(key {doc['signature']['keyid'][:16]})")
    return 0


def _keygen(args: argparse.Namespace) -> int:
    key_path, pub_path = keys.generate(args.out)
    print(f"wrote {key_path} (private, mode 0600: set {keys.SIGNING_KEY_VAR} to it "
          "where bundles are sealed)")
    print(f"wrote {pub_path} (public: give it to approvers, "
          f"`cutover evidence verify DIR --public-key {pub_path}`)")
    return 0


def _report(args: argparse.Namespace) -> int:
    keys.require_outside(args.dir, args.public_key)
    bundle.load_summary(args.dir)  # a clear error for a folder that is not a bundle
    key = keys.verifying_key(args.public_key, required=False)
    print(f"wrote {report.write(args.dir, key)}")
    return 0
