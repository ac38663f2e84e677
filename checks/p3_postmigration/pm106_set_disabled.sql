-- PM-106: disable (marker 'epoch', see pm106_heal.sql) or re-enable the probe user by id.
UPDATE core.users
   SET disabled_at = CASE WHEN %(disable)s THEN 'epoch'::timestamptz END
 WHERE id = %(id)s
