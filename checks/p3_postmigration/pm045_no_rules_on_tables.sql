-- A rule's action runs with the rights of the table's owner: a rule on a table of an
-- application schema can copy or rewrite tenant rows where the caller could not. Views keep
-- their one _RETURN rule (that is what a view is; PM-050 holds them to security_invoker);
-- any other rule, on a table or a view, is a finding.
SELECT format('%I.%I', n.nspname, c.relname) || ' rule ' || r.rulename AS object,
       CASE r.ev_type WHEN '1' THEN 'ON SELECT' WHEN '2' THEN 'ON UPDATE' WHEN '3' THEN 'ON INSERT'
                      WHEN '4' THEN 'ON DELETE' END
       || CASE WHEN r.is_instead THEN ' DO INSTEAD' ELSE ' DO ALSO' END
       || CASE WHEN c.oid IN (SELECT oid FROM /*include:_tenant_tables*/ t) THEN ' on a tenant table'
               WHEN c.relkind IN ('v', 'm') THEN ' on a view' ELSE ' on a table' END
       || ', runs as ' || pg_get_userbyid(c.relowner) AS detail
  FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
  JOIN /*include:_app_schemas*/ n ON n.oid = c.relnamespace
 WHERE NOT (c.relkind IN ('v', 'm') AND r.rulename = '_RETURN')
 ORDER BY 1
