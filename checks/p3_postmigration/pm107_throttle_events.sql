-- PM-107: the PLATFORM_LOGIN_THROTTLED events the probe's sign-ins raised (its e-mail is
-- unique per run), newest last.
SELECT id, created_at, severity, details
  FROM core.security_events
 WHERE event_type = 'PLATFORM_LOGIN_THROTTLED'
   AND created_at >= %(since)s
   AND details ->> 'email' = %(email)s
 ORDER BY id
