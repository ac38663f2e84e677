-- Every table a dump must contain: ordinary and partitioned tables and materialized views of
-- the application's schemas, not temporary, not members of an extension (CREATE EXTENSION
-- recreates those). Biggest first, so parallel checksum workers finish together.
SELECT c.oid::regclass::text AS name, c.relkind::text AS kind, n.nspname AS schema,
       c.relname, c.relispopulated AS populated,
       pg_catalog.pg_relation_size(c.oid) AS bytes,
       -- value-hashable: every column a built-in base type (no enum, whose hash is its OID,
       -- which a restore changes; no domain or composite)
       coalesce((SELECT bool_and(t.typtype = 'b'
                                 AND t.typnamespace = 'pg_catalog'::regnamespace)
                   FROM pg_catalog.pg_attribute a
                   JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), true)
           AS hashable
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'm')
   AND c.relpersistence <> 't'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                    WHERE e.classid = 'pg_catalog.pg_class'::regclass
                      AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY bytes DESC, name;
