-- The structure half of the schema fingerprint a go/no-go binds to (the security half is
-- cutover/backup/fingerprint.sql): columns, constraints, indexes, triggers and rules of every
-- relation outside the system schemas. Names as the catalog spells them (quote_ident /
-- regclass), no OIDs, so the same schema gives the same lines on any server.
WITH ns AS (
    SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
)
SELECT line FROM (
    SELECT 'column ' || c.oid::pg_catalog.regclass::text || '.'
           || pg_catalog.quote_ident(a.attname) || ' '
           || pg_catalog.format_type(a.atttypid, a.atttypmod)
           || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
           || coalesce(' default ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid), '')
           || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
           || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END AS line
      FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
      JOIN ns ON ns.oid = c.relnamespace
      LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'constraint ' || co.conrelid::pg_catalog.regclass::text || ' '
           || pg_catalog.quote_ident(co.conname) || ' '
           || pg_catalog.pg_get_constraintdef(co.oid)
      FROM pg_catalog.pg_constraint co JOIN ns ON ns.oid = co.connamespace
     WHERE co.conrelid <> 0
    UNION ALL
    SELECT 'index ' || pg_catalog.pg_get_indexdef(i.indexrelid)
           || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END
      FROM pg_catalog.pg_index i
      JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
      JOIN ns ON ns.oid = c.relnamespace
    UNION ALL
    SELECT 'trigger ' || pg_catalog.pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
      FROM pg_catalog.pg_trigger t
      JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
      JOIN ns ON ns.oid = c.relnamespace
     WHERE NOT t.tgisinternal
    UNION ALL
    SELECT 'rule ' || pg_catalog.pg_get_ruledef(r.oid)
      FROM pg_catalog.pg_rewrite r
      JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
      JOIN ns ON ns.oid = c.relnamespace
     WHERE r.rulename <> '_RETURN'
    UNION ALL
    SELECT 'view ' || c.oid::pg_catalog.regclass::text || ' '
           || pg_catalog.md5(pg_catalog.pg_get_viewdef(c.oid))
      FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace
     WHERE c.relkind IN ('v', 'm')
    UNION ALL
    -- roles live in the cluster, not the database, yet decide what the runtime roles can
    -- do: an attribute or membership granted after the approval moves the judged state
    SELECT 'role ' || pg_catalog.quote_ident(r.rolname)
           || ' super=' || r.rolsuper::text || ' bypassrls=' || r.rolbypassrls::text
           || ' createrole=' || r.rolcreaterole::text || ' createdb=' || r.rolcreatedb::text
           || ' replication=' || r.rolreplication::text || ' login=' || r.rolcanlogin::text
           || ' inherit=' || r.rolinherit::text
      FROM pg_catalog.pg_roles r WHERE r.rolname !~ '^pg_'
    UNION ALL
    SELECT 'member ' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(m.member)) || ' in '
           || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(m.roleid))
           || ' admin=' || m.admin_option::text
      FROM pg_catalog.pg_auth_members m
) lines
ORDER BY line;
