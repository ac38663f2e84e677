-- The identity a rollback must match (system_identifier + database name) and the database's
-- own properties, which live outside a dump restored without --create: owner, encoding and
-- locale, connection limit, comment. to_jsonb(pg_database) keeps this query working across
-- server versions that rename columns (daticulocale became datlocale in PostgreSQL 17).
SELECT (SELECT system_identifier FROM pg_catalog.pg_control_system())::text AS system_identifier,
       pg_catalog.current_database() AS name,
       pg_catalog.current_setting('server_version') AS server_version,
       pg_catalog.current_setting('server_version_num')::int AS server_version_num,
       pg_catalog.pg_get_userbyid(d.datdba) AS owner,
       pg_catalog.pg_encoding_to_char(d.encoding) AS encoding,
       pg_catalog.to_jsonb(d) - 'datacl' - 'datfrozenxid' - 'datminmxid' AS props,
       pg_catalog.shobj_description(d.oid, 'pg_database') AS comment
  FROM pg_catalog.pg_database d
 WHERE d.datname = pg_catalog.current_database();
