"""`cutover backup --format directory --jobs N` (issue 17.2): a folder written by parallel
pg_dump workers, one digest per file in the manifest, restored by `pg_restore --jobs`."""

from __future__ import annotations

import json
import subprocess

from cutover.backup.manifest import file_digests, tree_sha256
from tests.backup.conftest import cli, manifest_of, query, writes_disabled
from tests.backup.test_rollback import assert_back_to_backup, cut_over


def _directory_backup(db, jobs: str = "2"):
    proc = cli(db, "backup", "--out", str(db.workdir / "backups"), "--format", "directory",
               "--jobs", jobs)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    dumps = sorted((db.workdir / "backups").glob("*.dump"))
    assert len(dumps) == 1 and dumps[0].is_dir(), dumps
    return dumps[0], proc


def _row_counts(url: str) -> dict[str, int]:
    tables = query(url, "SELECT oid::regclass::text FROM pg_class WHERE relkind = 'r'"
                        " AND relnamespace::regnamespace::text IN ('core', 'roster', 'routing',"
                        " 'meta') ORDER BY 1")
    return {t: query(url, f"SELECT count(*) FROM {t}")[0][0] for (t,) in tables}


def test_directory_backup_and_rollback_restore_every_row(pre_db):
    before = _row_counts(pre_db.url("postgres"))
    dump, proc = _directory_backup(pre_db)
    assert "directory format" in proc.stdout
    doc = manifest_of(dump)["dump"]
    assert doc["format"] == "directory" and doc["jobs"] == 2 and doc["compress"] == 1
    assert doc["files"] == file_digests(dump) and "toc.dat" in doc["files"]
    assert doc["sha256"] == tree_sha256(doc["files"])
    # the documented shell recipe gives the same digest
    recipe = "(LC_ALL=C sha256sum -- * | LC_ALL=C sort -k2) | sha256sum"
    shell = subprocess.run(["sh", "-c", recipe], cwd=dump, capture_output=True, text=True,
                           check=True)
    assert shell.stdout.split()[0] == doc["sha256"]

    cut_over(pre_db)
    assert _row_counts(pre_db.url("postgres")) != before, "the cutover changed rows"
    rolled = cli(pre_db, "rollback", "--backup", str(dump))
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    assert "with 2 jobs" in rolled.stdout, "pg_restore ran with the backup's jobs"
    assert rolled.stdout.strip().splitlines()[-1] == "ROLLBACK STATUS: SUCCESS"
    assert _row_counts(pre_db.url("postgres")) == before
    assert_back_to_backup(pre_db, dump)


def test_a_tampered_file_in_the_directory_is_refused_by_name(pre_db):
    dump, _ = _directory_backup(pre_db)
    data_files = sorted(p for p in dump.iterdir() if p.name != "toc.dat")
    victim = data_files[len(data_files) // 2]
    blob = bytearray(victim.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    victim.write_bytes(bytes(blob))
    (dump / "9999.dat.gz").write_bytes(b"stray")
    proc = cli(pre_db, "rollback", "--backup", str(dump))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    err = proc.stderr
    assert "dump checksum" in err and f"{victim.name} (changed)" in err, err
    assert "9999.dat.gz (not in the backup)" in err, err
    assert "writes were not touched" in err and not writes_disabled(pre_db)
    assert query(pre_db.admin_url, "SELECT count(*) FROM pg_database WHERE datname LIKE %s",
                 (f"{pre_db.dbname}_restore_%",)) == [(0,)], "nothing was restored"


def test_a_missing_file_is_refused_by_name(pre_db):
    dump, _ = _directory_backup(pre_db, jobs="1")
    (dump / "toc.dat").unlink()
    proc = cli(pre_db, "rollback", "--backup", str(dump))
    assert proc.returncode == 1 and "toc.dat (missing)" in proc.stderr, proc.stderr


def test_jobs_with_the_custom_format_is_one_line_of_bad_input(pre_db):
    proc = cli(pre_db, "backup", "--out", str(pre_db.workdir / "backups"), "--jobs", "3")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--jobs 3 needs --format directory" in lines[0], lines
    assert not (pre_db.workdir / "backups").exists() or not any(
        (pre_db.workdir / "backups").iterdir()), "nothing was written"


def test_a_manifest_whose_files_do_not_match_its_digest_is_malformed(pre_db):
    dump, _ = _directory_backup(pre_db, jobs="1")
    path = dump.with_name(dump.name.replace(".dump", ".manifest.json"))
    doc = json.loads(path.read_text())
    doc["dump"]["files"]["toc.dat"] = "0" * 64
    path.write_text(json.dumps(doc))
    proc = cli(pre_db, "rollback", "--backup", str(dump))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "dump.sha256 is not the digest of dump.files" in proc.stderr
