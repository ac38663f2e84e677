-- 001_roles.sql — the six SOLVEREIGN cluster roles (DESIGN §3.1).
--
-- Roles are cluster-wide, so this file only documents them and creates the ones that are
-- missing: on every real cluster (and in the sandbox) the bootstrap, run by a superuser,
-- has already created them, and then this file does nothing and needs no CREATEROLE.
-- Creating a missing role needs CREATEROLE (and BYPASSRLS for solvereign_backup needs a
-- superuser), which the migrator deliberately lacks: on a half-bootstrapped cluster the file
-- fails loudly instead of guessing.
--
--   solvereign_owner     NOLOGIN   owns schemas, tables, sequences, views
--   solvereign_migrator  LOGIN     runs migrations; member of owner and definer
--   solvereign_api       LOGIN     the application; subject to RLS; owns nothing; NOBYPASSRLS
--   solvereign_platform  LOGIN     platform administration through role-based policies
--   solvereign_definer   NOLOGIN   meant to own every SECURITY DEFINER function
--   solvereign_backup    LOGIN     read-only, the one allowlisted BYPASSRLS role (pg_dump)
--
-- No password is ever set here: credentials are provisioned outside the migrations.
-- Deliberately NOT 'SET LOCAL ROLE solvereign_owner': this file creates no database objects.
-- No weakness is introduced here.

DO $roles$
DECLARE
    spec record;
BEGIN
    FOR spec IN
        SELECT * FROM (VALUES
            ('solvereign_owner',    'NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS'),
            ('solvereign_migrator', 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS'),
            ('solvereign_api',      'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS'),
            ('solvereign_platform', 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS'),
            ('solvereign_definer',  'NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS'),
            ('solvereign_backup',   'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION BYPASSRLS')
        ) AS s(rolname, attributes)
        ORDER BY rolname
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = spec.rolname) THEN
            RAISE NOTICE 'creating missing role %', spec.rolname;
            EXECUTE format('CREATE ROLE %I %s', spec.rolname, spec.attributes);
        END IF;
    END LOOP;

    -- The migrator works through membership (SET ROLE solvereign_owner, and later
    -- ALTER FUNCTION ... OWNER TO solvereign_definer). Grant only what is missing.
    FOR spec IN
        SELECT * FROM (VALUES ('solvereign_owner'), ('solvereign_definer')) AS s(rolname)
    LOOP
        IF NOT EXISTS (
            SELECT 1
            FROM pg_catalog.pg_auth_members m
            JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
            JOIN pg_catalog.pg_roles u ON u.oid = m.member
            WHERE g.rolname = spec.rolname AND u.rolname = 'solvereign_migrator'
        ) THEN
            RAISE NOTICE 'granting % to solvereign_migrator', spec.rolname;
            EXECUTE format('GRANT %I TO solvereign_migrator WITH INHERIT TRUE', spec.rolname);
        END IF;
    END LOOP;
END
$roles$;
