-- Rows per tenant of one tenant table, its own rows only (ONLY: partitions are tables of
-- their own). {table} is a quoted, qualified identifier composed by the caller. A row with no
-- tenant (core.security_events allows one) counts as '(null)', as the dump reader counts it.
SELECT coalesce(tenant_id::text, '(null)'), count(*) FROM ONLY {table} GROUP BY 1 ORDER BY 1
