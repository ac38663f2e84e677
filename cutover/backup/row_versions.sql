-- Row versions of one table stamped by the suspect transactions: {column} is xmin (the
-- versions they created, read in a fresh snapshot) or xmax (the versions they deleted,
-- updated away or locked, read in the witness snapshot, where those rows are still
-- visible). {xids} is a constant array of 32-bit xids (what a tuple header holds), hashed.
SELECT count(*) FROM ONLY {table} AS t WHERE t.{column}::text::bigint = ANY ({xids})
