"""The cutover proper (runbook §3.2–§4): refuse unless ready, migrate, verify, gate, smoke.

`prod_cutover.sh` runs these in order; it never enables writes itself. The security gate
and the smoke gate run side by side, so writes stay disabled for one of them instead of both
in turn. They are not both read-only: the smoke gate's auth probes make the API write by
design (request nonces, REPLAY_ATTACK and failed sign-in events in core.security_events,
while writes are frozen), and the security gate's PM-003 compares every table's rows with the
backup. So the group is pinned: before it starts, a snapshot of the data as the migrations
left it is exported and held, and PM-003 reads that snapshot (SOLVEREIGN_DATA_SNAPSHOT)
instead of whatever the probes beside it have written since.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import psycopg

from cutover.approval import binding
from cutover.configstore import WRITES_DISABLED_KEY, flag_label, open_store, read_writes_state
from cutover.errors import TargetError
from cutover.evidence import bundle
from cutover.gate.run import run_phase
from cutover.migrate.files import default_directory
from cutover.migrate.ledger import head as ledger_head
from cutover.migrate.runner import RunnerOptions, migrate
from cutover.pg.pinned import connect_pinned
from cutover.pg.url import endpoint
from cutover.runbook.artifacts import migration_log_text
from cutover.runbook.steps import Run, StepFailed, timed

SECURITY_GATE = "postmigration and (security or acl)"
DATA_SNAPSHOT = "SOLVEREIGN_DATA_SNAPSHOT"  # read by PM-003 (checks/p3_postmigration)
BACKUP_URL = "SOLVEREIGN_BACKUP_DB_URL"
SMOKE = "postmigration and (health or auth)"
PREFLIGHT_MAX_AGE = timedelta(hours=12)  # the runbook runs preflight the same evening


def require_preflight(run: Run) -> None:
    """The cutover starts only after this run's preflight passed."""
    doc = run.read("preflight_result.json")
    if not doc:
        raise StepFailed(f"no preflight_result.json in {run.artifacts}: run "
                         "scripts/prod_preflight_check.py with this --artifacts-dir first")
    if doc.get("verdict") != "PASS":
        raise StepFailed(f"preflight verdict is {doc.get('verdict')}, not PASS: refusing")
    _same_target(run, doc)
    run.log(f"    preflight PASS (run {doc.get('run_id')}, {doc.get('finished_at')})")


def _same_target(run: Run, doc: dict) -> None:
    """A PASS for another database, another environment or another day is not this run's."""
    judged = doc.get("target") or {}
    here = endpoint(run.db_url)
    if judged.get("endpoint") != here:
        raise StepFailed(f"preflight passed for {judged.get('endpoint', 'an unnamed target')}, "
                         f"not for {here}: run it against this target")
    if judged.get("env") != run.env_name:
        raise StepFailed(f"preflight passed for env {judged.get('env')}, not {run.env_name}")
    try:
        age = datetime.now(UTC) - datetime.fromisoformat(str(doc.get("finished_at")))
    except ValueError:
        raise StepFailed("preflight_result.json has no valid finished_at") from None
    if age > PREFLIGHT_MAX_AGE:
        raise StepFailed(f"preflight passed {age.total_seconds() / 3600:.1f} h ago (more than "
                         f"{PREFLIGHT_MAX_AGE.total_seconds() / 3600:.0f} h): run it again")


def require_freeze(run: Run) -> None:
    """Writes must be frozen and proven, and still frozen now."""
    doc = run.read("freeze_record.json")
    if not (doc.get("writes_disabled") is True and doc.get("verified") is True):
        raise StepFailed("writes are not proven frozen (no verified freeze_record.json): "
                         "run `cutover freeze --artifacts-dir DIR` first")
    with open_store(run.environ, retry_total=0) as store:
        state = read_writes_state(store, flag_label(run.environ))
    if not state.disabled:
        raise StepFailed(f"{WRITES_DISABLED_KEY} is false in the store now: "
                         "writes were re-enabled since the freeze")
    if state.problem:  # fail closed: the application refuses writes, but say so
        run.log(f"    warning: {state.problem}")
    run.log(f"    writes frozen since {doc.get('proven_at')}, flag still true")


def apply_migrations(run: Run) -> None:
    """Apply every pending file (025..025f); resume from the ledger after a failure."""
    lines: list[str] = []

    def log(line: str) -> None:
        lines.append(line)
        run.log(f"    {line}")

    doc: dict = {"applied": [], "log": lines}
    with connect_pinned(run.db_url, "cutover-migration-log") as conn:
        doc["from_head"] = ledger_head(conn)  # must be the backup's head (approval checks)
    try:
        done = migrate(run.db_url, default_directory(), RunnerOptions(), log=log)
        doc["applied"] = [{"name": a.name, "duration_ms": a.duration_ms,
                           "attempts": a.attempts} for a in done]
        doc["verdict"] = "PASS"
    except Exception as exc:  # recorded in the artifact, then one line for the operator
        doc["verdict"], doc["error"] = "FAIL", str(exc)
        raise StepFailed(f"migration failed: {exc}") from None
    finally:
        with connect_pinned(run.db_url, "cutover-migration-log") as conn:
            doc["head"] = ledger_head(conn)
            doc["target"] = binding.read(conn).as_dict()  # what the later steps must judge
        run.write("migration_log.json", doc)
        bundle.write_atomic(run.artifacts / "migration_log.txt",
                              migration_log_text(doc).encode())  # §10's name, readable
    if not doc["applied"]:
        run.log(f"    nothing to apply: the ledger is already at {doc['head']}")


def verify_hardening(run: Run) -> None:
    """The authoritative function: every row must PASS.

    Called by its qualified name on a pinned session (search_path, timeouts: a database
    whose owner set `search_path = evil, public` cannot hand us its own function, and a
    held lock fails the step in bounded time); the artifact names the database it judged,
    read before and after the call.
    """
    try:
        with connect_pinned(run.db_url, "cutover-verify-hardening") as conn:
            before = binding.read(conn)
            cur = conn.execute("SELECT * FROM public.verify_final_hardening()")
            cols = [d.name for d in cur.description or []]
            rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
            after = binding.read(conn)
    except psycopg.Error as exc:
        run.write("verify_hardening.json", {"rows": [], "verdict": "FAIL",
                                            "error": str(exc).strip().splitlines()[0]})
        raise StepFailed("verify_final_hardening() could not be read: "
                         f"{str(exc).strip().splitlines()[0]}") from None
    failing = [r for r in rows if r.get("status") != "PASS"]
    run.write("verify_hardening.json", {"rows": rows, "target": before.as_dict(),
                                        "target_after": after.as_dict(),
                                        "verdict": "FAIL" if failing or not rows else "PASS"})
    if failing or not rows:
        names = ", ".join(str(r.get("check_name")) for r in failing) or "no rows"
        raise StepFailed(f"verify_final_hardening() FAIL: {names}")
    run.log(f"    all {len(rows)} rows PASS")


def _gate(run: Run, marker: str, artifact: str, **settings: str) -> None:
    extra = ["--artifacts-dir", str(run.artifacts)]
    if run.api_url:
        extra += ["--api-url", run.api_url]
    if run.rc_tag:
        extra += ["--rc-tag", run.rc_tag]
    verdict, code = run_phase(marker, ["checks"], run.artifacts / artifact, db_url=run.db_url,
                              env_name=run.env_name, extra=extra, quiet=True,
                              environ={**run.environ, **settings})
    if verdict is None:
        raise StepFailed(f"the gate ({marker}) did not run (pytest exit {code})")
    failing = [f"{c['check_id']}: {c['message']}" for c in run.read(artifact).get("checks", [])
               if c["status"] == "FAIL"]
    run.log(f"    {marker}: {verdict}")
    for line in failing:
        run.log(f"      FAIL {line}")
    if verdict == "FAIL":
        reasons = failing or _unverified(run, artifact)
        raise StepFailed(f"{artifact}: FAIL ({'; '.join(reasons)[:500]})")


def _unverified(run: Run, artifact: str) -> list[str]:
    """Why a gate with no failing check still failed: it verified nothing."""
    reasons = sorted({c["message"] for c in run.read(artifact).get("checks", [])})
    return [f"no check verified anything: {r}" for r in reasons[:3]]


def security_gate(run: Run) -> None:
    """The postmigration security and ACL checks (also writes acl_scan_report.json)."""
    _gate(run, SECURITY_GATE, "security_gate_result.json")


def smoke_tests(run: Run) -> None:
    """Health and auth separation through the API (writes their artifacts). The cutover runs
    frozen, so the health check must see writes_enabled=false: an API that ignores the flag
    fails here, before anyone approves."""
    _gate(run, SMOKE, "smoke_result.json", SOLVEREIGN_EXPECT_WRITES_ENABLED="false")


Step = tuple[str, Callable[[Run], None]]


@dataclass(frozen=True)
class Together:
    """Steps run side by side, each timed under its own name, on the data as it was when
    the group started (`pinned_data`)."""

    steps: tuple[Step, ...]


@contextlib.contextmanager
def pinned_data(run: Run) -> Iterator[Run]:
    """The run, with SOLVEREIGN_DATA_SNAPSHOT naming a snapshot of the database exported now
    and held until the block ends (the backup role's session: it reads every row). Without a
    backup URL, or when it cannot connect, the run is unchanged: PM-003 then skips or names
    the connection failure itself."""
    url = run.environ.get(BACKUP_URL)
    if not url:
        yield run
        return
    conn = None
    try:
        conn = connect_pinned(url, "cutover-data-snapshot")
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_catalog.pg_export_snapshot()").fetchone()[0]
    except (TargetError, psycopg.Error) as exc:
        if conn is not None:
            conn.close()
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        run.log(f"    data snapshot not held ({reason}); PM-003 reads the live data")
        yield run
        return
    with conn:
        yield replace(run, environ={**run.environ, DATA_SNAPSHOT: snapshot})


def _together(run: Run, group: Together, phases: dict[str, dict]) -> None:
    """Every step of the group to its end; then the first failure, in the group's order."""
    with pinned_data(run) as pinned:
        _side_by_side(pinned, group, phases)


def _side_by_side(run: Run, group: Together, phases: dict[str, dict]) -> None:
    failures: dict[str, BaseException] = {}

    def one(name: str, step: Callable[[Run], None]) -> None:
        try:
            timed(run, name, step, phases)
        except BaseException as exc:  # re-raised in the caller's thread
            failures[name] = exc

    threads = [threading.Thread(target=one, args=step, daemon=True) for step in group.steps]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for name, _step in group.steps:
        if name in failures:
            raise failures[name]


def run_steps(run: Run, steps: Sequence[Step | Together], phases: dict[str, dict]) -> None:
    """Each step in order (a Together group side by side), stopping at the first failure."""
    for item in steps:
        if isinstance(item, Together):
            _together(run, item, phases)
        else:
            timed(run, item[0], item[1], phases)


BEFORE_GATES: list[Step] = [
    ("preflight_check", require_preflight),
    ("freeze_check", require_freeze),
    ("migrate", apply_migrations),
    ("verify_hardening", verify_hardening),
]
GATES: tuple[Step, ...] = (("security_gate", security_gate), ("smoke_tests", smoke_tests))
CUTOVER: list[Step | Together] = [*BEFORE_GATES, Together(GATES)]
