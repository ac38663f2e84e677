-- One batch of bench rows (bench/bench_backup.py grows a seeded database to a size this way,
-- server-side): audit entries with a jsonb payload, spread over every tenant, ids from the
-- table's own sequence so the database stays as consistent as the seed left it.
WITH t AS (SELECT array_agg(id ORDER BY id) AS ids FROM core.tenants)
INSERT INTO core.audit_log (tenant_id, created_at, actor, action, object_type, object_id,
                            details)
SELECT t.ids[1 + mod(g, cardinality(t.ids))],
       timestamptz '2026-02-01 00:00:00+00' + g * interval '1 second',
       'api:bench', 'bench.grown', 'driver', 'DRV' || lpad(mod(g, 997)::text, 3, '0'),
       jsonb_build_object('batch', g, 'digest', md5(g::text),
                          'note', md5((g * 7)::text) || md5((g * 13)::text))
FROM t, generate_series(%(first)s::bigint, %(last)s::bigint) AS g
