"""The post-rollback gate as the rollback's hook (runbook §9.2, checks/p4_postrollback).

After the swap and the redeploy, and before writes are enabled, `pytest checks -m
postrollback` judges the live database against the backup's manifest and the redeployed API.
Only PASS or WARN lets the rollback enable writes; a FAIL, or a gate that could not run,
stops it with writes still disabled. The verdict lands in `postrollback_result.json`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

from cutover.gate.run import run_phase

RESULT_FILE = "postrollback_result.json"
Log = Callable[[str], None]


def gate_hook(db_url: str, artifacts_dir: Path, *, api_url: Callable[[], str | None],
              environ: Mapping[str, str] | None = None,
              log: Log = print) -> Callable[[Path], bool]:
    """The hook: run the phase for `db_url` with the manifest it is called with. `api_url`
    is asked at call time, so it names the build the redeploy just started."""
    artifacts_dir = Path(artifacts_dir).resolve()  # the gate runs from the repository

    def run(manifest: Path) -> bool:
        result = artifacts_dir / RESULT_FILE
        extra = ["--backup-manifest", str(manifest), "--artifacts-dir", str(artifacts_dir)]
        if url := api_url():
            extra += ["--api-url", url]
        verdict, code = run_phase("postrollback", ["checks"], result, db_url=db_url,
                                  extra=extra, quiet=True, environ=environ)
        if verdict is None:
            log(f"the post-rollback gate could not run (pytest exit {code})")
            return False
        for line in summary(json.loads(result.read_text())):
            log(line)
        return verdict in ("PASS", "WARN")

    return run


def summary(doc: dict) -> list[str]:
    """The verdict and every check that did not pass, one line each."""
    lines = [f"post-rollback gate: {doc['verdict']} ({RESULT_FILE})"]
    for check in doc.get("checks", []):
        if check.get("status") not in ("PASS", "N/A"):
            message = (check.get("message") or "").splitlines()[0:1]
            lines.append(f"  {check['status']:<5} {check['check_id']}: "
                         f"{message[0] if message else ''}"[:300])
    return lines
