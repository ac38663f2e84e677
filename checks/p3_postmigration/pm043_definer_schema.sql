-- A definer function is only as safe as the least protected schema it resolves names in:
-- its own schema, every schema of its fixed search_path, and every schema its body names
-- (read from pg_depend for BEGIN ATOMIC bodies and from the source text otherwise). None
-- may be writable (CREATE) by PUBLIC or a runtime role; has_schema_privilege follows
-- membership, so a grant to a group the api role belongs to counts. A search_path entry
-- that names no schema is a slot anyone allowed to create that schema could fill.
WITH f AS (
    SELECT p.oid, p.oid::regprocedure::text AS fn, p.pronamespace, p.proconfig, p.prosrc, p.proowner
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
), path AS (
    SELECT f.oid, CASE WHEN e = '$user' THEN pg_get_userbyid(f.proowner) ELSE e END AS nspname
      FROM f CROSS JOIN LATERAL unnest(f.proconfig) c
           CROSS JOIN LATERAL regexp_split_to_table(substr(c, 13), ',') s
           CROSS JOIN LATERAL btrim(btrim(s), '"') e
     WHERE c LIKE 'search_path=%' AND e NOT IN ('pg_temp', 'pg_catalog', '')
), uses AS (
    SELECT f.oid, f.pronamespace AS nsp, 'own schema' AS how FROM f
    UNION
    SELECT path.oid, n.oid, 'search_path' FROM path JOIN pg_namespace n ON n.nspname = path.nspname
    UNION
    SELECT f.oid, n.oid, 'referenced in the body'
      FROM f JOIN /*include:_app_schemas*/ n
        ON f.prosrc ~* ('(^|[^a-z0-9_$."])"?' || regexp_replace(n.nspname, '([^a-zA-Z0-9_])', '\\\1', 'g') || '"?\s*\.')
    UNION
    SELECT f.oid, obj.relnamespace, 'referenced in the body'
      FROM f JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = f.oid
             AND d.refclassid = 'pg_class'::regclass
      JOIN pg_class obj ON obj.oid = d.refobjid
    UNION
    SELECT f.oid, obj.pronamespace, 'referenced in the body'
      FROM f JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = f.oid
             AND d.refclassid = 'pg_proc'::regclass
      JOIN pg_proc obj ON obj.oid = d.refobjid
), writable AS (
    SELECT u.oid, u.nsp, u.how, string_agg(CASE WHEN r = 'public' THEN 'PUBLIC' ELSE r END, ', ' ORDER BY r) AS who
      FROM uses u CROSS JOIN (VALUES ('public'), ('solvereign_api'), ('solvereign_platform')) v(r)
     WHERE (r = 'public' OR EXISTS (SELECT 1 FROM pg_roles x WHERE x.rolname = r))
       AND has_schema_privilege(r, u.nsp, 'CREATE')
     GROUP BY u.oid, u.nsp, u.how
)
SELECT f.fn AS object, 'schema ' || n.nspname || ' (' || w.how || ') allows CREATE for ' || w.who AS detail
  FROM writable w JOIN f ON f.oid = w.oid JOIN pg_namespace n ON n.oid = w.nsp
UNION ALL
SELECT f.fn, 'search_path names ' || quote_ident(path.nspname) || ', which is not a schema'
  FROM path JOIN f ON f.oid = path.oid
 WHERE path.nspname NOT IN (SELECT nspname FROM pg_namespace) AND path.nspname <> pg_get_userbyid(f.proowner)
 ORDER BY 1, 2
