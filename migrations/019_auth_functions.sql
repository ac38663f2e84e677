-- 019_auth_functions.sql — functions the API calls before (or outside) a tenant context.
--
-- core.resolve_api_key(digest): the API computes the HMAC digest of the X-API-Key header
--   and asks which tenant the key belongs to. The caller has no tenant context yet, so the
--   function is SECURITY DEFINER and reads core.api_keys with its owner's rights. It
--   returns at most one row (tenant_id, api_key_id, scopes); no row = unknown or revoked.
-- core.log_security_event(type, severity, tenant, details): the API and the platform write
--   security events (REPLAY_ATTACK, API_KEY_UNKNOWN, ...) without any privilege on the
--   table; SECURITY DEFINER, returns the event id. The event type and severity are checked
--   by the table's constraints.
--
-- WEAKNESS W13: both functions are SECURITY DEFINER without a fixed search_path: they
--   resolve operators and functions through the caller's search_path, so a caller who can
--   create objects in a schema it puts first (public, W01; pg_temp, W02) runs code with the
--   owner's rights (fix: 025a)
-- WEAKNESS W14: core.resolve_api_key does not check core.tenants.is_active: keys of a
--   suspended tenant keep authenticating (fix: 025a)
-- WEAKNESS W15: both functions are owned by solvereign_owner, the owner of every table,
--   instead of solvereign_definer: a hijacked definer function can do anything the owner
--   can, including DROP TABLE and ALTER TABLE ... DISABLE ROW LEVEL SECURITY (fix: 025d)
-- WEAKNESS W16: EXECUTE on both functions is left to PUBLIC (the built-in default for new
--   functions): every role of the cluster can probe digests and write security events
--   (fix: 025f)

SET LOCAL ROLE solvereign_owner;

CREATE FUNCTION core.resolve_api_key(p_key_digest text)
    RETURNS TABLE (tenant_id text, api_key_id bigint, scopes text[])
    LANGUAGE sql
    STABLE
    SECURITY DEFINER
AS $fn$
    SELECT k.tenant_id, k.id, k.scopes
    FROM core.api_keys AS k
    WHERE k.key_digest = p_key_digest
      AND k.revoked_at IS NULL
    ORDER BY k.id
    LIMIT 1
$fn$;

COMMENT ON FUNCTION core.resolve_api_key(text) IS
    'tenant of a live API key, by HMAC-SHA256 digest (lowercase hex); no row when unknown or revoked';

CREATE FUNCTION core.log_security_event(
        p_event_type text,
        p_severity   text,
        p_tenant_id  text DEFAULT NULL,
        p_details    jsonb DEFAULT '{}'::jsonb)
    RETURNS bigint
    LANGUAGE plpgsql
    VOLATILE
    SECURITY DEFINER
AS $fn$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO core.security_events (event_type, severity, tenant_id, details)
    VALUES (upper(p_event_type), upper(p_severity), p_tenant_id, coalesce(p_details, '{}'::jsonb))
    RETURNING id INTO v_id;
    RETURN v_id;
END
$fn$;

COMMENT ON FUNCTION core.log_security_event(text, text, text, jsonb) IS
    'append a row to core.security_events; returns its id';
