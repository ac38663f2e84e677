"""`cutover rehearse`: the whole runbook against a fresh sandbox, step by step.

preflight -> drills (roster gate, sick-call: before the freeze, their inputs read around
them) -> freeze (proven) -> backup -> prod_cutover (025..025f, verify, ACL scan, security
gate and smoke side by side, and beside them the schema fingerprint and the drills
confirmed against the migrated database, or run again there) -> approval (auto-approved
in the sandbox, and marked so) -> enable (proven) -> last-known-good -> rollback drill
(restore the backup, prove every row and the pre-cutover head are back). Everything lands
in one artifacts/prod_cutover_<timestamp>/ bundle whose signed summary records each phase
and the measured writes-disabled window; report.html renders it. Why the drills may run
before the freeze: cutover.runbook.drills.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from cutover import release
from cutover.approval import lkg
from cutover.approval import record as approval
from cutover.approval.drills import judged_inputs_problems
from cutover.backup.dump import BackupOptions, take_backup
from cutover.errors import CutoverError
from cutover.evidence import bundle as evidence
from cutover.evidence import keys
from cutover.freeze.writes import switch_writes, window_seconds
from cutover.gate.run import run_phase
from cutover.roster.drill import sick_call
from cutover.runbook import drills as drill_inputs
from cutover.runbook.cutover_steps import BEFORE_GATES, GATES, Together, run_steps
from cutover.runbook.platform import Platform, PlatformProvider
from cutover.runbook.steps import Run, StepFailed, now, timed

APPROVER = "{kind} rehearsal (auto-approved, no human)"
ABSENT = ["DRV001", "DRV002", "DRV003"]
ROSTER_TENANT = "wien_pilot"


class Rehearsal:
    """State of one rehearsal: the sandbox, its settings and the bundle being written."""

    def __init__(self, bundle: Path, root: Path, rc_tag: str, provider: PlatformProvider,
                 key_env: dict[str, str] | None = None, profile: str = "superuser") -> None:
        self.bundle, self.root, self.rc_tag = bundle, root, rc_tag
        self.provider, self.profile = provider, profile
        self.key_env = key_env or {}
        self.platform: Platform | None = None
        self.env: dict[str, str] = {}
        self.run: Run | None = None
        self.backup: Path | None = None
        self.window: dict[str, str] = {}
        self.judged_inputs: dict | None = None  # what the drills before the freeze read
        self.aftermath: dict = {}  # the aftermath drill's timings, for the summary

    def sandbox_up(self, _run: Run | None = None) -> None:
        self.platform = self.provider.up(self.root, profile=self.profile,
                                         log=lambda line: print(f"    {line}"))
        self.env = {**os.environ, **self.platform.environment(),
                    "SOLVEREIGN_LKG_FILE": str(self.root / "last-known-good.json"),
                    **self.key_env}
        self.run = Run(artifacts=self.bundle, db_url=self.platform.url("solvereign_migrator"),
                       api_url=self.platform.api_url, rc_tag=self.rc_tag, environ=self.env,
                       # the platform's own (a staging target's is staging)
                       env_name=self.env.get("SOLVEREIGN_ENV") or "development")
        print(f"    {self.platform.kind} at {self.root}, API {self.platform.api_url}")

    def platform_kind(self) -> str:
        """The evidence says what was rehearsed on: a sandbox, or a target given by URL."""
        return self.platform.kind if self.platform is not None else "sandbox"

    def preflight(self, run: Run) -> None:
        verdict, code = run_phase("preflight", ["checks"], run.artifacts /
                                  "preflight_result.json", db_url=run.db_url,
                                  env_name=run.env_name, quiet=True, environ=self.env,
                                  extra=["--artifacts-dir", str(run.artifacts),
                                         "--api-url", run.api_url or ""])
        print(f"    preflight: {verdict}")
        if verdict != "PASS":
            raise StepFailed(f"preflight {verdict or f'did not run (exit {code})'}")

    def freeze(self, run: Run) -> None:
        record = switch_writes(True, env=self.env, api_url=run.api_url,
                               artifacts_dir=run.artifacts, log=lambda s: print(f"    {s}"))
        self.window["from"] = record.flag_set_at

    def backup_step(self, run: Run) -> None:
        result = take_backup(self.platform.url("solvereign_backup"), self.root / "backups",
                             BackupOptions(restore_check_url=self.env["SOLVEREIGN_ADMIN_DB_URL"]),
                             log=lambda s: print(f"    {s}"),
                             secrets=self.platform.secrets())
        self.backup = result.dump
        run.write("backup_manifest.json", result.bundle_doc())

    def fingerprint(self, run: Run) -> None:
        from cutover.runbook.fingerprint import schema_fingerprint

        run.write("schema_fingerprint.json", schema_fingerprint(run.db_url))

    def drills_before_freeze(self, run: Run) -> None:
        """The drills, with their database inputs read before and after them: inputs that
        moved meanwhile (writes are on) or that the drills' artifacts do not name leave
        nothing to confirm, and the drills run again inside the window."""
        before = drill_inputs.inputs(run.db_url, ROSTER_TENANT)
        self.drills(run)
        after = drill_inputs.inputs(run.db_url, ROSTER_TENANT)
        problems = judged_inputs_problems(
            after, run.read("roster_dry_run.json"), run.read("ops_drill_sick_call.json"))
        if before != after:
            problems.append("the week or its stored plan changed while the drills ran")
        for line in problems:
            print(f"    drills will run again in the window: {line}")
        self.judged_inputs = None if problems else after

    def drills_confirmation(self, run: Run) -> None:
        """In the window, after the migrations: the migrated database must yield the very
        inputs the drills judged (cutover.runbook.drills), else the drills run again."""
        if self.judged_inputs is None:
            self.drills(run)
            return
        doc = drill_inputs.confirmation(run.db_url, self.judged_inputs)
        if doc["verdict"] != "PASS":
            print(f"    the migrated database yields other drill inputs "
                  f"({', '.join(doc['differs'])}): running the drills again")
            self.drills(run)
            doc["rerun_in_window"] = True
        else:
            print(f"    instance {doc['after_migrations']['instance_sha256'][:12]} and stored "
                  "plan unchanged by the migrations: the drills' verdicts stand")
        run.write(drill_inputs.ARTIFACT, doc)

    def drills(self, run: Run) -> None:
        verdict, _ = run_phase("postmigration and roster", ["checks"],
                               run.artifacts / "roster_gate_result.json", db_url=run.db_url,
                               quiet=True, environ=self.env,
                               extra=["--artifacts-dir", str(run.artifacts)])
        drill = sick_call(run.db_url, ROSTER_TENANT, ABSENT, seed=94)
        run.write("ops_drill_sick_call.json", drill)
        print(f"    roster gate {verdict}; sick-call drill {drill['verdict']}")
        if verdict != "PASS" or drill["verdict"] == "FAIL":
            raise StepFailed(f"drills: roster gate {verdict}, sick-call {drill['verdict']}")

    def approve(self, run: Run) -> None:
        evidence.seal(run.artifacts, run.signing_key, rc_tag=self.rc_tag, verdict="PENDING")
        record = approval.approve(run.artifacts, APPROVER.format(kind=self.platform_kind()),
                                  run.signing_key, auto=True,
                                  db_url=run.db_url)
        print(f"    approved by {record.approver} (auto_approved={record.auto_approved})")

    def enable(self, run: Run) -> None:
        approved = approval.require_approval(run.artifacts, run.signing_key)
        approval.require_live_target(approved.get("target"), run.db_url)  # as `cutover enable`
        record = switch_writes(False, env=self.env, api_url=run.api_url,
                               artifacts_dir=run.artifacts, log=lambda s: print(f"    {s}"))
        self.window["to"] = record.flag_set_at
        problems = evidence.add_to_bundle(run.artifacts, run.signing_key, ["enable_record.json"])
        if problems:
            raise StepFailed("the approved bundle changed: " + "; ".join(problems))

    def last_known_good(self, run: Run) -> None:
        path, _ = lkg.record_from_bundle(run.artifacts, run.signing_key,
                                         Path(self.env["SOLVEREIGN_LKG_FILE"]),
                                         db_url=run.db_url)
        print(f"    written to {path}")

    def aftermath_drill(self, run: Run) -> None:
        """After enable: REPLAY_ATTACK, the watch rolls back by itself (cutover.runbook.aftermath)
        to a backup of the enabled release."""
        from cutover.runbook.aftermath import run_drill

        # its own backup, taken now: the rollback drill after it restores the pre-cutover
        # one, and a rollback recognises a backup already swapped in (by its sha256)
        backup = take_backup(self.platform.url("solvereign_backup"), self.root / "backups",
                             BackupOptions(restore_check_url=self.env["SOLVEREIGN_ADMIN_DB_URL"]),
                             log=lambda s: print(f"    {s}"),
                             secrets=self.platform.secrets()).dump
        record = run_drill(run.artifacts, self.env, backup)
        # the rollback's redeploy (`cutover sandbox redeploy`) restarted the API in another
        # process: its new pid is in the saved state, which the rollback drill restarts
        self.platform.reload()
        run.write("aftermath_drill.json", record)
        self.aftermath = record["timings"]
        if record["verdict"] != "PASS":
            raise StepFailed("aftermath drill: " + "; ".join(record["problems"]))

    def rollback_drill(self, run: Run) -> None:
        from cutover.rollback.gate import gate_hook
        from cutover.rollback.procedure import Hooks, rollback

        api: list[str] = [self.env.get("SOLVEREIGN_API_URL", "")]

        def redeploy() -> str:
            api[0] = self.platform.restart_api()
            return api[0]

        hooks = Hooks(disable_writes=lambda: switch_writes(True, env=self.env, verify=False,
                                                           log=lambda s: None),
                      enable_writes=lambda: switch_writes(False, env=self.env, verify=False,
                                                          log=lambda s: None),
                      redeploy=redeploy,
                      post_rollback_gate=gate_hook(run.db_url, run.artifacts,
                                                   api_url=lambda: api[0] or None,
                                                   environ=self.env,
                                                   log=lambda s: print(f"    {s}")))
        result = rollback(run.db_url, self.env["SOLVEREIGN_ADMIN_DB_URL"], self.backup,
                          hooks=hooks, log=lambda s: print(f"    {s}"),
                          secrets=self.platform.secrets(),
                          # as `cutover rollback`: rows are compared as the backup role
                          verify_url=self.env.get("SOLVEREIGN_BACKUP_DB_URL"))
        failed = [c for c in result.checks if not c.ok]
        run.write("rollback_drill.json", {
            "backup": str(self.backup), "kept_as": result.kept_as,
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in result.checks],
            "timings": result.timings, "verdict": "FAIL" if failed else "PASS"})
        if failed:
            raise StepFailed("rollback drill: " + "; ".join(c.name for c in failed))


def rehearse(artifacts_dir: Path, data_dir: Path | None = None, *,
             provider: PlatformProvider, keep: bool = False,
             rc_tag: str | None = None, rollback_drill: bool = True,
             release_sha: str | None = None,
             release_manifest: Path | None = None,
             profile: str = "superuser") -> tuple[bool, Path]:
    """Every step in order; the bundle is sealed and rendered whatever happens. The soak
    runs the rollback drill on its last iteration only."""
    ident = release.resolve(release_sha, rc_tag, release_manifest)  # bad input: before acting
    with _release(ident):
        return _rehearse(artifacts_dir, data_dir, provider, keep=keep,
                         rc_tag=ident.rc_tag or "sandbox-rehearsal",
                         rollback_drill=rollback_drill, profile=profile)


@contextlib.contextmanager
def _release(ident: release.Release) -> Iterator[None]:
    """The release the approval and last-known-good record, for the rehearsal's duration:
    the one given, else (a wheel with no release named, no git) this installed build."""
    sha = ident.sha or release.package_digest()
    source = ident.source if ident.sha else "no release given: this installed build's digest"
    print(f"    release {sha[:12]} ({source})")
    before = os.environ.get(release.SHA_VAR)
    os.environ[release.SHA_VAR] = sha
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(release.SHA_VAR, None)
        else:
            os.environ[release.SHA_VAR] = before


def _rehearse(artifacts_dir: Path, data_dir: Path | None, provider: PlatformProvider, *,
              keep: bool, rc_tag: str,
              rollback_drill: bool, profile: str = "superuser") -> tuple[bool, Path]:
    """The steps (see rehearse)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    bundle = (artifacts_dir / f"prod_cutover_{stamp}").resolve()
    bundle.mkdir(parents=True, exist_ok=True)
    root = (data_dir or Path(tempfile.mkdtemp(prefix="solvereign-rehearsal-"))).resolve()
    r = Rehearsal(bundle, root, rc_tag, provider, _signing_keys(bundle), profile=profile)
    phases: dict[str, dict] = {}
    ok = True
    try:
        # the sandbox step creates the Run every later step writes through
        timed(Run(bundle, ""), "sandbox_up", r.sandbox_up, phases)
        # the window is freeze .. enable: only what must judge the frozen or migrated
        # database sits inside it (docs/operations.md, "The writes-disabled window")
        run_steps(r.run, [("preflight", r.preflight), ("drills", r.drills_before_freeze),
                          ("freeze", r.freeze), ("backup", r.backup_step),
                          # prod_cutover's steps (its readiness refusals included); beside
                          # its gates, the other read-only judgements of the migrated database
                          *BEFORE_GATES,
                          Together((*GATES, ("schema_fingerprint", r.fingerprint),
                                    ("drills_confirmation", r.drills_confirmation))),
                          ("approval", r.approve), ("enable", r.enable),
                          ("last_known_good", r.last_known_good),
                          *([("aftermath_drill", r.aftermath_drill),
                             ("rollback_drill", r.rollback_drill)] if rollback_drill else [])],
                  phases)
    except CutoverError as exc:
        print(f"    FAIL: {exc}")
        ok = False
    finally:
        _finish(r, phases, ok, keep)
    print(f"REHEARSAL: {'PASS' if ok else 'FAIL'} — bundle {bundle}")
    return ok, bundle


def _signing_keys(bundle: Path) -> dict[str, str]:
    """The evidence key to sign with: the configured one, else a throwaway pair made
    beside the bundle (never inside it), named so the bundle can be verified later."""
    if os.environ.get(keys.SIGNING_KEY_VAR):  # wins over the sandbox's own pair
        return {k: os.environ.get(k, "") for k in (keys.SIGNING_KEY_VAR,
                                                   keys.PUBLIC_KEY_VAR)}
    stamp = bundle.name.removeprefix("prod_cutover_")  # not a prod_cutover_* folder itself
    key, pub = keys.generate(bundle.parent / f"evidence_keys_{stamp}")
    print(f"    no {keys.SIGNING_KEY_VAR}: signing with a throwaway pair; verify "
          f"with `cutover evidence verify {bundle} --public-key {pub}`")
    return {keys.SIGNING_KEY_VAR: str(key), keys.PUBLIC_KEY_VAR: str(pub)}


def _finish(r: Rehearsal, phases: dict, ok: bool, keep: bool) -> None:
    """Seal the bundle with the window measured, render the report, stop the sandbox."""
    window = dict(r.window)
    if "from" in window:
        window["seconds"] = window_seconds(window["from"], window.get("to") or now())
    key = keys.signing_key({**r.env, **r.key_env}, required=False)
    if key is not None:
        evidence.seal(r.bundle, key, verdict="PASS" if ok else "FAIL", rc_tag=r.rc_tag,
                      phases=phases, writes_disabled=window,
                      sandbox=r.platform_kind() == "sandbox", aftermath=r.aftermath,
                      approval_note=f"auto-approved in the {r.platform_kind()} rehearsal",
                      report=True)
        verified = evidence.verify(r.bundle, key)
        print(f"==> evidence: {len(evidence.load_summary(r.bundle)['artifacts'])} artifacts, "
              f"{'verified' if verified.ok else 'NOT VERIFIED'}; writes disabled "
              f"{window.get('seconds', '?')} s; report {r.bundle / 'report.html'}")
        print(json.dumps({k: v["seconds"] for k, v in phases.items()}))
    if not keep:
        r.provider.down(r.root)
