-- PM-106: undo what an interrupted earlier run left behind. The probe disables its user
-- with the marker disabled_at = 'epoch' (no operator disables anyone in 1970), so a user
-- carrying it was disabled by the gate and never restored: re-enable it.
UPDATE core.users
   SET disabled_at = NULL
 WHERE lower(email) = lower(%(email)s)
   AND disabled_at = 'epoch'::timestamptz
