-- Sequences feeding a column (OWNED BY, identity, or a nextval() default), with their state:
-- after a restore none may hand out an id its table already holds.
WITH feeds AS (
    SELECT d.objid AS seq, d.refobjid AS tbl, d.refobjsubid AS attnum
      FROM pg_catalog.pg_depend d
     WHERE d.classid = 'pg_catalog.pg_class'::regclass
       AND d.refclassid = 'pg_catalog.pg_class'::regclass
       AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
    UNION
    SELECT d.refobjid, ad.adrelid, ad.adnum
      FROM pg_catalog.pg_depend d
      JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
     WHERE d.classid = 'pg_catalog.pg_attrdef'::regclass
       AND d.refclassid = 'pg_catalog.pg_class'::regclass
)
SELECT f.seq::regclass::text AS sequence, f.tbl::regclass::text AS table_name,
       a.attname AS column_name, pg_catalog.pg_sequence_last_value(f.seq) AS last_value,
       s.seqstart AS start_value, s.seqincrement AS increment
  FROM feeds f
  JOIN pg_catalog.pg_sequence s ON s.seqrelid = f.seq
  JOIN pg_catalog.pg_class t ON t.oid = f.tbl AND t.relkind IN ('r', 'p') AND NOT t.relispartition
  JOIN pg_catalog.pg_attribute a ON a.attrelid = f.tbl AND a.attnum = f.attnum
 ORDER BY 1, 2, 3;
