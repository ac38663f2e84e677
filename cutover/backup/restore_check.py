"""The backup's restore check (step 6 of cutover.backup.dump): the dump restored into a
scratch database exactly as the rollback restores it, and compared with the manifest."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg

from cutover.backup.archive import BackupRefused
from cutover.backup.manifest import Manifest, manifest_path
from cutover.backup.options import BackupRun
from cutover.errors import CutoverError
from cutover.pg.url import with_database
from cutover.rollback import restore
from cutover.rollback.verify import verify_database  # the rollback's own comparison


def _say(run: BackupRun, line: str) -> None:
    if run.log:
        run.log(line)


def restore_check(run: BackupRun, pg_restore: str, tmp: Path, doc: dict[str, Any]) -> dict:
    """Restore the dump into a scratch database as the rollback would and compare it with
    the manifest (module docstring, step 6); BackupRefused naming what failed."""
    admin_url = run.options.restore_check_url
    assert admin_url is not None
    manifest = Manifest(manifest_path(run.out_dir / doc["dump"]["file"]), doc)
    name = restore.check_name(doc["database"]["name"], doc["dump"]["sha256"])
    started = time.monotonic()
    with restore.admin_connection(admin_url) as admin:
        restore.drop_leftovers(admin, doc["database"]["name"], name, run.log or (lambda _: None),
                               infix=restore.CHECK_INFIX, what="backup")
        restore.create_work_database(admin, name, manifest)
        try:
            restore.apply_database_properties(admin, name, manifest)
            report = restore.run_pg_restore(pg_restore, tmp, with_database(admin_url, name),
                                            run.secrets, jobs=manifest.jobs)
            checks = verify_database(with_database(run.url, name), manifest, content=True,
                                     workers=run.options.workers, name="backup URL")
        except restore.RestoreFailed as exc:
            raise BackupRefused(f"the dump does not restore: {str(exc).split('; the live')[0]}"
                                "; the dump was discarded") from None
        except (CutoverError, psycopg.Error) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise BackupRefused(f"the restore check failed: {first}; the dump was discarded"
                                ) from None
        finally:
            restore.drop_database(admin, name)
    failed = [c for c in checks if not c.ok]
    if failed:
        raise BackupRefused("the restored dump differs from the database: " + "; ".join(
            f"{c.name} ({c.detail})" for c in failed) + "; the dump was discarded")
    run.timings["restore_check"] = time.monotonic() - started
    rows = sum(t.get("rows", 0) for t in doc["tables"].values() if t.get("kind") == "r")
    _say(run, f"  restore check: restored into {name} and equal to the manifest "
                  f"({rows} rows) in {run.timings['restore_check']:.2f}s; dropped")
    return {"database": name, "seconds": round(run.timings["restore_check"], 3),
            "restore_seconds": round(report.seconds, 3), "matviews": report.matviews,
            "checks": [c.name for c in checks]}
