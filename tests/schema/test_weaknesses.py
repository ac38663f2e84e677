"""Every deliberate pre-cutover weakness is registered, declared and really present after 024."""

from __future__ import annotations

import re

import psycopg
import pytest

from sandbox.seed import api_key_digest, generate, load

from .conftest import MIGRATIONS, PgCluster, migration_files

ROW = re.compile(r"^\| (W\d\d) \|(.*)\|\s*$")
HEADER = re.compile(r"^-- WEAKNESS (W\d\d): ")
FIX = re.compile(r"\(fix: (025[a-f]?)\)")
ACL = "aclexplode(coalesce({acl}, acldefault('{kind}', {owner})))"

#: one catalog probe per weakness; each returns true while the weakness is present
PROBES: dict[str, str] = {
    "W01": f"""SELECT EXISTS (SELECT 1 FROM pg_namespace n, {ACL.format(acl='n.nspacl', kind='n',
               owner='n.nspowner')} a
               WHERE n.nspname = 'public' AND a.grantee = 0 AND a.privilege_type = 'CREATE')""",
    "W02": f"""SELECT EXISTS (SELECT 1 FROM pg_database d, {ACL.format(acl='d.datacl', kind='d',
               owner='d.datdba')} a
               WHERE d.datname = current_database() AND a.grantee = 0
                 AND a.privilege_type = 'TEMPORARY')""",
    "W03": "SELECT NOT relrowsecurity FROM pg_class WHERE oid = 'core.tenants'::regclass",
    "W04": f"""SELECT EXISTS (SELECT 1 FROM pg_class c, {ACL.format(acl='c.relacl', kind='r',
               owner='c.relowner')} a
               WHERE c.oid = 'core.sites'::regclass AND a.grantee = 0
                 AND a.privilege_type = 'SELECT')""",
    "W05": """SELECT array_agg(c.oid::regclass::text ORDER BY c.oid::regclass::text)
                     = '{core.api_keys,roster.assignments,roster.plans,routing.routes}'
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname IN ('core', 'roster', 'routing')
                AND c.relrowsecurity AND NOT c.relforcerowsecurity""",
    "W06": f"""SELECT EXISTS (SELECT 1 FROM pg_class c, {ACL.format(acl='c.relacl', kind='s',
               owner='c.relowner')} a
               WHERE c.oid = 'core.security_events_id_seq'::regclass AND a.grantee = 0
                 AND a.privilege_type = 'USAGE')""",
    "W07": """SELECT count(*) = 3 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = 'core.audit_log'::regclass AND NOT c.relrowsecurity
                AND has_table_privilege('solvereign_api', c.oid, 'SELECT')""",
    "W08": """SELECT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = 'roster'
               AND tablename = 'absences' AND qual ~* 'IS NULL\\)? OR')""",
    "W09": f"""SELECT EXISTS (SELECT 1 FROM pg_default_acl d, {ACL.format(acl='d.defaclacl',
               kind='r', owner='d.defaclrole')} a
               WHERE d.defaclrole = 'solvereign_owner'::regrole
                 AND d.defaclnamespace = 'routing'::regnamespace
                 AND d.defaclobjtype = 'r' AND a.grantee = 0 AND a.privilege_type = 'SELECT')""",
    "W10": """SELECT count(*) = 2 FROM pg_constraint k
              WHERE k.conrelid = 'routing.vehicles'::regclass AND k.contype IN ('p', 'u')
                AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = k.conrelid
                                AND a.attnum = ANY (k.conkey) AND a.attname = 'tenant_id')""",
    "W11": """SELECT EXISTS (SELECT 1 FROM pg_constraint k
               WHERE k.conrelid = 'routing.routes'::regclass AND k.contype = 'f'
                 AND k.confrelid = 'routing.vehicles'::regclass AND cardinality(k.conkey) = 1)""",
    "W12": "SELECT NOT relrowsecurity FROM pg_class WHERE oid = 'routing.route_stops'::regclass",
    "W13": """SELECT count(*) = 3 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname IN ('core', 'roster', 'routing') AND p.prosecdef
                AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) AS s
                                WHERE s LIKE 'search_path=%')""",
    "W14": """SELECT prosrc !~* 'is_active' FROM pg_proc
              WHERE oid = 'core.resolve_api_key(text)'::regprocedure""",
    "W15": """SELECT count(*) = 3 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname IN ('core', 'roster', 'routing') AND p.prosecdef
                AND p.proowner = 'solvereign_owner'::regrole""",
    "W16": f"""SELECT count(DISTINCT p.oid) = 3 FROM pg_proc p
              JOIN pg_namespace n ON n.oid = p.pronamespace,
              {ACL.format(acl='p.proacl', kind='f', owner='p.proowner')} a
              WHERE n.nspname IN ('core', 'roster', 'routing') AND p.prosecdef
                AND a.grantee = 0 AND a.privilege_type = 'EXECUTE'""",
    "W17": """SELECT NOT coalesce('security_invoker=true' = ANY (reloptions), false)
              FROM pg_class WHERE oid = 'roster.v_plan_assignments'::regclass""",
    "W18": """SELECT relkind = 'm' AND has_table_privilege('solvereign_api', oid, 'SELECT')
              FROM pg_class WHERE oid = 'routing.mv_route_daily'::regclass""",
    "W19": """SELECT count(*) = 13 FROM pg_policies
              WHERE policyname IN ('platform_read', 'platform_admin')
                AND roles = '{public}' AND qual LIKE '%CURRENT_USER%solvereign_platform%'""",
    "W20": """SELECT bool_and(has_table_privilege('solvereign_api', c.oid,
                                                 'TRUNCATE, REFERENCES, TRIGGER'))
              FROM pg_class c
              WHERE c.oid IN ('core.sites'::regclass, 'core.api_keys'::regclass,
                              'roster.drivers'::regclass, 'roster.shifts'::regclass,
                              'routing.routes'::regclass)""",
    "W21": """SELECT bool_and(has_sequence_privilege('solvereign_api', c.oid, 'UPDATE'))
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname IN ('core', 'roster', 'routing') AND c.relkind = 'S'""",
    "W22": """SELECT has_table_privilege('solvereign_platform', 'roster.drivers',
                                      'SELECT WITH GRANT OPTION')""",
}


def _registry() -> dict[str, list[str]]:
    """WEAKNESSES.md rows: id -> [object, what, why, introduced in, fix]."""
    rows = {}
    for line in (MIGRATIONS / "WEAKNESSES.md").read_text().splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split(" | ")]
    return rows


def _declared() -> dict[str, dict[str, set[str]]]:
    """WEAKNESS header lines: id -> {"files": {...}, "fixes": {...}}."""
    found: dict[str, dict[str, set[str]]] = {}
    for path in migration_files():
        current = None
        for line in path.read_text().splitlines():
            if not line.startswith("--"):
                break
            match = HEADER.match(line)
            if match:
                current = found.setdefault(match.group(1), {"files": set(), "fixes": set()})
                current["files"].add(path.name[:3])
            if current is not None and (fix := FIX.search(line)):
                current["fixes"].add(fix.group(1))
                current = None
    return found


def test_registry_matches_headers() -> None:
    registry, declared = _registry(), _declared()
    assert sorted(registry) == [f"W{n:02d}" for n in range(1, len(registry) + 1)]
    assert set(registry) == set(declared)
    for wid, cells in registry.items():
        introduced = {part.strip() for part in cells[3].split(",")}
        assert introduced == declared[wid]["files"], wid
        assert declared[wid]["fixes"] == {cells[4]}, wid
        assert cells[4] in {"025", "025a", "025b", "025c", "025d", "025e", "025f"}, wid


def test_every_weakness_has_a_probe() -> None:
    assert set(PROBES) == set(_registry())


@pytest.mark.parametrize("wid", sorted(PROBES))
def test_weakness_present(schema_cluster: PgCluster, migrated_db: str, wid: str) -> None:
    with schema_cluster.connect(dbname=migrated_db) as conn:
        row = conn.execute(PROBES[wid]).fetchone()
    assert row is not None and row[0] is True, f"{wid} not present: {PROBES[wid]}"


def _api(schema_cluster: PgCluster, db: str) -> psycopg.Connection:
    return schema_cluster.connect("solvereign_api", db, autocommit=False)


def test_weaknesses_are_exploitable(schema_cluster: PgCluster, fresh_db: str,
                                    seed_secret: bytes) -> None:
    """On seeded data, as the api role: the weaknesses leak what the catalogue says."""
    data = generate(94, hmac_secret=seed_secret)
    with schema_cluster.connect(dbname=fresh_db) as conn:
        load(conn, data)

    def tenants_seen(conn: psycopg.Connection, relation: str) -> int:
        query = f"SELECT count(DISTINCT tenant_id) FROM {relation}"
        return conn.execute(query).fetchone()[0]

    with _api(schema_cluster, fresh_db) as conn:
        conn.execute("SELECT set_config('app.tenant_id', 'graz_test', true)")
        assert tenants_seen(conn, "roster.drivers") == 1  # a correct table, for contrast
        assert tenants_seen(conn, "core.audit_log") == 1
        assert conn.execute("SELECT count(*) FROM core.tenants").fetchone()[0] == 4  # W03
        assert tenants_seen(conn, "core.audit_log_2026") == 4  # W07
        assert tenants_seen(conn, "routing.route_stops") == 4  # W12
        assert tenants_seen(conn, "roster.v_plan_assignments") == 4  # W17
        assert tenants_seen(conn, "routing.mv_route_daily") == 4  # W18
        conn.rollback()
        # after a SET in an earlier transaction the setting reads '' (not NULL): W08 is
        # closed again in this session, which is how tests that only RESET miss it
        assert tenants_seen(conn, "roster.absences") == 0
        conn.rollback()
    with _api(schema_cluster, fresh_db) as conn:
        assert tenants_seen(conn, "roster.drivers") == 0  # never set: nothing
        assert tenants_seen(conn, "roster.absences") == 4  # W08: never set sees everything
        conn.rollback()
        inactive_key = data.api_key("salzburg_legacy")
        row = conn.execute("SELECT tenant_id FROM core.resolve_api_key(%s)",
                           (api_key_digest(seed_secret, inactive_key),)).fetchone()
        assert row == ("salzburg_legacy",)  # W14: suspended tenant still authenticates
        conn.execute("TRUNCATE roster.absences")  # W20: ignores RLS, empties every tenant
        conn.rollback()
        # W01 + W13 + W15: a function planted in public runs inside the definer function
        # with the owner's rights
        conn.execute("SET LOCAL search_path = public, pg_catalog")
        conn.execute("""
            CREATE FUNCTION public.upper(text) RETURNS text LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_catalog.set_config('probe.ran_as', current_user::text, true);
                RETURN pg_catalog.upper($1);
            END $$""")
        conn.execute("SELECT core.log_security_event('probe', 'info')")
        ran_as = conn.execute("SELECT current_setting('probe.ran_as')").fetchone()[0]
        conn.rollback()
    with schema_cluster.connect(dbname=fresh_db) as conn:
        assert conn.execute("SELECT count(*) FROM roster.absences").fetchone()[0] > 0
    assert ran_as == "solvereign_owner"
