-- Rows per tenant of one tenant table, its own rows only (ONLY: partitions are tables of
-- their own). {table} is a quoted, qualified identifier composed by the caller.
SELECT tenant_id::text, count(*) FROM ONLY {table} GROUP BY 1 ORDER BY 1
