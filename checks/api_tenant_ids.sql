-- Real tenant ids for PM-103's "not proven" retry of a route with a {tenant_id} parameter
-- (core.tenants is part of the target's contract, docs/database.md). Active tenants first.
SELECT id
  FROM core.tenants
 ORDER BY is_active DESC, id
 LIMIT 3
