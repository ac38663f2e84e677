"""The runbook's steps as functions over one folder of evidence.

Each step reads what earlier steps left in the artifacts folder and writes its own
artifact there (docs/artifacts.md); nothing passes between steps in memory, so a step can be
re-run, resumed or audited on its own. A step raises StepFailed with one line that
says what is wrong.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cutover.errors import ConfigError, CutoverError
from cutover.evidence import bundle, keys
from cutover.evidence.keys import EvidenceKey


class StepFailed(CutoverError):
    """A runbook step found a problem: the run stops with FAIL (exit 1)."""

    exit_code = 1


@dataclass
class Run:
    """One run of (part of) the runbook against one target, writing into one folder."""

    artifacts: Path
    db_url: str
    api_url: str | None = None
    env_name: str = "development"
    rc_tag: str | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    log: Callable[[str], None] = print

    @property
    def signing_key(self) -> EvidenceKey:
        """The evidence key (SOLVEREIGN_EVIDENCE_SIGNING_KEY), never the API's HMAC secret:
        whoever runs the API must not be able to sign evidence."""
        try:
            return keys.signing_key(self.environ)  # type: ignore[return-value]
        except ConfigError as exc:
            raise StepFailed(f"the bundle cannot be signed: {exc}") from None

    def read(self, name: str) -> dict:
        """An artifact written by an earlier step, or {} when absent."""
        path = self.artifacts / name
        return json.loads(path.read_text()) if path.exists() else {}

    def write(self, name: str, doc: dict) -> None:
        bundle.write_json(self.artifacts / name, doc)


def now() -> str:
    return datetime.now(UTC).isoformat()


def timed(run: Run, name: str, step: Callable[[Run], None],
          phases: dict[str, dict]) -> None:
    """Run one step, recording its start, end and outcome in `phases`."""
    run.log(f"==> {name}")
    started, t0 = now(), time.monotonic()
    outcome = "PASS"
    try:
        step(run)
    except CutoverError:
        outcome = "FAIL"
        raise
    finally:
        phases[name] = {"started": started, "finished": now(),
                        "seconds": round(time.monotonic() - t0, 3), "outcome": outcome}
