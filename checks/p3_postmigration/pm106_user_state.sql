-- PM-106: the revoke-probe user's id and current rights (by e-mail, case-insensitive).
SELECT id, disabled_at IS NULL AS active, is_platform_admin
  FROM core.users
 WHERE lower(email) = lower(%(email)s)
 ORDER BY id
