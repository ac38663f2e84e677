-- A view runs as its owner unless security_invoker: over a tenant table, as the owner.
SELECT format('%I.%I', n.nspname, c.relname) AS object, 'security_invoker not set' AS detail
  FROM pg_class c JOIN /*include:_app_schemas*/ n ON n.oid = c.relnamespace
 WHERE c.relkind = 'v'
   AND NOT EXISTS (SELECT 1 FROM unnest(c.reloptions) o
                    WHERE o IN ('security_invoker=true', 'security_invoker=on', 'security_invoker=1'))
 ORDER BY 1
