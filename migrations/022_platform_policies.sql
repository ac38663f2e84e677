-- 022_platform_policies.sql — cross-tenant visibility for platform administration.
--
-- The platform role must see all tenants (support, onboarding, key management) without
-- BYPASSRLS and without owning anything. It was done by adding one extra permissive policy
-- per row-secured table that compares current_user with the platform role's name; the
-- policies carry no TO clause, so they are granted to PUBLIC. The platform role reads every
-- row-secured tenant table, and administers sites and API keys of any tenant.
--
-- WEAKNESS W19: the policies platform_read / platform_admin are granted TO PUBLIC and
--   authorise by the text of current_user: they are evaluated for every role; any role that
--   is or can become 'solvereign_platform' (SET ROLE by any member, a SECURITY DEFINER
--   function owned by it, a role re-created under that name) sees every tenant, and nothing
--   ties the check to role membership or to session_user (fix: 025c)

SET LOCAL ROLE solvereign_owner;

-- administered by the platform: read and write
CREATE POLICY platform_admin ON core.sites
    FOR ALL USING (current_user = 'solvereign_platform') WITH CHECK (current_user = 'solvereign_platform');
CREATE POLICY platform_admin ON core.api_keys
    FOR ALL USING (current_user = 'solvereign_platform') WITH CHECK (current_user = 'solvereign_platform');

-- visible to the platform: read only
CREATE POLICY platform_read ON core.audit_log            FOR SELECT USING (current_user = 'solvereign_platform');
CREATE POLICY platform_read ON core.request_nonces       FOR SELECT USING (current_user = 'solvereign_platform');
CREATE POLICY platform_read ON roster.drivers            FOR SELECT USING (current_user = 'solvereign_platform');
CREATE POLICY platform_read ON roster.shifts             FOR SELECT USING (current_user = 'solvereign_platform');
CREATE POLICY platform_read ON roster.absences           FOR SELECT USING (current_user = 'solvereign_platform');
CREATE POLICY platform_read ON roster.unavailability     FOR SELECT USING (current_user = 'solvereign_platform');
CREATE POLICY platform_read ON roster.duty_history       FOR SELECT USING (current_user = 'solvereign_platform');
CREATE POLICY platform_read ON roster.plans              FOR SELECT USING (current_user = 'solvereign_platform');
CREATE POLICY platform_read ON roster.assignments        FOR SELECT USING (current_user = 'solvereign_platform');
CREATE POLICY platform_read ON routing.vehicles          FOR SELECT USING (current_user = 'solvereign_platform');
CREATE POLICY platform_read ON routing.routes            FOR SELECT USING (current_user = 'solvereign_platform');
