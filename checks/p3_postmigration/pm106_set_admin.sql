-- PM-106: take platform admin from the probe user, or give it back, by id.
UPDATE core.users
   SET is_platform_admin = %(admin)s
 WHERE id = %(id)s
