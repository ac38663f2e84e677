-- The security-relevant catalog state the hardening series is about, as sorted text rows
-- (no OIDs, no timestamps), so two reads compare equal exactly when nothing changed.
-- ACL(x) is replaced by tests/hardening/helpers.py with an ACL rendered as sorted
-- grantor>grantee:privilege[*] entries.
WITH ns AS (SELECT oid, nspname FROM pg_namespace
             WHERE nspname IN ('core', 'roster', 'routing', 'public'))
SELECT 'relation ' || format('%I.%I', ns.nspname, c.relname) || ' ' || c.relkind::text
       || ' owner=' || pg_get_userbyid(c.relowner)
       || ' rls=' || c.relrowsecurity || '/' || c.relforcerowsecurity
       || ' options=' || coalesce(array_to_string(c.reloptions, ','), '')
       || ' file=' || c.relfilenode
       || ' acl=' || ACL(c.relacl)
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
UNION ALL
SELECT 'column ' || format('%I.%I.%I', ns.nspname, c.relname, att.attname)
       || ' notnull=' || att.attnotnull || ' acl=' || ACL(att.attacl)
  FROM pg_attribute att
  JOIN pg_class c ON c.oid = att.attrelid
  JOIN ns ON ns.oid = c.relnamespace
 WHERE att.attnum > 0 AND NOT att.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm')
UNION ALL
SELECT 'policy ' || format('%I.%I %I', schemaname, tablename, policyname) || ' ' || permissive::text
       || ' ' || cmd || ' to=' || array_to_string(ARRAY(SELECT unnest(roles) ORDER BY 1), ',')
       || ' using=' || coalesce(qual, '-') || ' check=' || coalesce(with_check, '-')
  FROM pg_policies WHERE schemaname IN ('core', 'roster', 'routing')
UNION ALL
SELECT 'function ' || p.oid::regprocedure::text || ' owner=' || pg_get_userbyid(p.proowner)
       || ' definer=' || p.prosecdef
       || ' config=' || coalesce(array_to_string(p.proconfig, ','), '')
       || ' src=' || md5(p.prosrc) || ' acl=' || ACL(p.proacl)
  FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
UNION ALL
SELECT 'schema ' || n.nspname || ' owner=' || pg_get_userbyid(n.nspowner)
       || ' acl=' || ACL(n.nspacl)
  FROM pg_namespace n WHERE n.nspname IN ('core', 'roster', 'routing', 'public', 'meta')
UNION ALL
SELECT 'database acl=' || ACL(d.datacl) FROM pg_database d WHERE d.datname = current_database()
UNION ALL
SELECT 'default-acl ' || pg_get_userbyid(d.defaclrole) || ' ' || d.defaclobjtype::text || ' '
       || coalesce(n.nspname, '*') || ' ' || ACL(d.defaclacl)
  FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
UNION ALL
SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' '
       || pg_get_constraintdef(oid) || ' valid=' || convalidated
  FROM pg_constraint WHERE connamespace IN (SELECT oid FROM ns)
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE c.relnamespace IN (SELECT oid FROM ns)
UNION ALL
SELECT 'role ' || r.rolname || ' super=' || r.rolsuper || ' bypassrls=' || r.rolbypassrls
       || ' createrole=' || r.rolcreaterole || ' member_of='
       || coalesce((SELECT string_agg(g.rolname, ',' ORDER BY g.rolname)
                      FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                     WHERE m.member = r.oid), '')
  FROM pg_roles r WHERE r.rolname LIKE 'solvereign%'
ORDER BY 1
