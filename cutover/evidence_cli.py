"""`cutover evidence verify DIR` and `cutover evidence seal DIR` (DESIGN §6, §8)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cutover import evidence, settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `evidence verify` and `evidence seal`."""
    p = subparsers.add_parser("evidence", help="verify or seal an evidence bundle")
    sub = p.add_subparsers(dest="evidence_action", metavar="ACTION", required=True)
    v = sub.add_parser("verify", help="exit 0 intact; 1 and the changed files named")
    v.add_argument("dir", type=Path)
    v.set_defaults(func=_verify)
    s = sub.add_parser("seal", help="hash every artifact into a signed cutover_summary.json")
    s.add_argument("dir", type=Path)
    s.set_defaults(func=_seal)
    r = sub.add_parser("report", help="write DIR/report.html, a self-contained page")
    r.add_argument("dir", type=Path)
    r.set_defaults(func=_report)


def _secret() -> str:
    return settings.secret("SOLVEREIGN_HMAC_SECRET") or ""


def _verify(args: argparse.Namespace) -> int:
    result = evidence.verify(args.dir, _secret())
    for line in result.lines():
        print(line)
    for name in evidence.DERIVED:
        if (args.dir / name).exists():
            print(f"note: {name} is rendered from the bundle and not hashed; trust the JSON, "
                  f"or re-render it with `cutover evidence report {args.dir}`")
    if result.ok:
        print(f"evidence intact: {args.dir} ({len(evidence.load_summary(args.dir)['artifacts'])}"
              " artifacts, signature verified)")
        return 0
    print(f"EVIDENCE TAMPERED: {args.dir}")
    return 1


def _seal(args: argparse.Namespace) -> int:
    if not args.dir.is_dir():
        from cutover.errors import ConfigError

        raise ConfigError(f"evidence folder does not exist: {args.dir}")
    doc = evidence.seal(args.dir, _secret())
    print(f"sealed {args.dir}: {len(doc['artifacts'])} artifacts")
    return 0


def reseal_after_writing(folder: Path, written: list[str], **fields: object) -> None:
    """After a command wrote into a sealed bundle: re-seal it, or say why it was not."""
    if not (Path(folder) / evidence.SUMMARY).exists():
        return
    secret = settings.secret("SOLVEREIGN_HMAC_SECRET", required=False)
    if not secret:
        print(f"warning: {folder} not re-sealed (SOLVEREIGN_HMAC_SECRET is not set)")
        return
    problems = evidence.add_to_bundle(folder, secret, written, **fields)
    if problems:
        print(f"warning: {folder} not re-sealed, it does not verify: " + "; ".join(problems))
    else:
        print(f"re-sealed {folder} with {', '.join(written)}")


def _report(args: argparse.Namespace) -> int:
    from cutover import evidence_report

    evidence.load_summary(args.dir)  # a clear error for a folder that is not a bundle
    secret = settings.secret("SOLVEREIGN_HMAC_SECRET", required=False)
    print(f"wrote {evidence_report.write(args.dir, secret)}")
    return 0
