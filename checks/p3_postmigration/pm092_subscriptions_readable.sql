-- Whether the gate role may read the subscription columns PM-092 judges.
SELECT current_user::text,
       has_column_privilege('pg_catalog.pg_subscription', 'subname', 'SELECT')
       AND has_column_privilege('pg_catalog.pg_subscription', 'subowner', 'SELECT')
       AND has_column_privilege('pg_catalog.pg_subscription', 'subdbid', 'SELECT')
