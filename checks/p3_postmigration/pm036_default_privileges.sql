-- Default privileges apply per creating role. Without a global entry, new functions are
-- EXECUTE-able and new types USAGE-able by PUBLIC (the built-in defaults).
SELECT pg_get_userbyid(d.defaclrole) || ' ' || d.defaclobjtype::text || coalesce(' in ' || n.nspname, '') AS object,
       'grants ' || string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) || ' to PUBLIC' AS detail
  FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
       CROSS JOIN LATERAL aclexplode(d.defaclacl) a
 WHERE a.grantee = 0 AND pg_get_userbyid(d.defaclrole) IN ('solvereign_owner', 'solvereign_definer')
 GROUP BY d.defaclrole, d.defaclobjtype, n.nspname
UNION ALL
SELECT r.rolname || ' ' || k.t, 'built-in default grants ' || k.priv || ' to PUBLIC'
  FROM pg_roles r CROSS JOIN (VALUES ('f', 'EXECUTE'), ('T', 'USAGE')) k(t, priv)
 WHERE r.rolname IN ('solvereign_owner', 'solvereign_definer')
   AND NOT EXISTS (SELECT 1 FROM pg_default_acl d
                    WHERE d.defaclrole = r.oid AND d.defaclnamespace = 0 AND d.defaclobjtype = k.t::"char")
 ORDER BY 1
