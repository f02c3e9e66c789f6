-- Make the event log append-only for the application's role. Run as the tables' owner
-- (e.g. `tsunagu db harden --app-role tsunagu_app`), after the tables exist.
--   {schema}   the schema of the event tables (default: public)
--   {events}   the events table (tsunagu_events)
--   {app_role} the role the API, projection runner and relay log in as
--
-- The app role may SELECT and INSERT events. It is also granted table-level UPDATE, only because
-- the eventsourcing library takes an EXCLUSIVE table lock to keep commit order equal to
-- notification order, and PostgreSQL requires UPDATE, DELETE or TRUNCATE for that lock mode;
-- the trigger below rejects every UPDATE, DELETE and TRUNCATE, whoever issues it, so that
-- privilege cannot change a record. DELETE and TRUNCATE are not granted at all.

CREATE OR REPLACE FUNCTION {schema}.tsunagu_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the Tsunagu event log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER IF EXISTS tsunagu_append_only_rows ON {schema}.{events};
CREATE TRIGGER tsunagu_append_only_rows BEFORE UPDATE OR DELETE ON {schema}.{events}
  FOR EACH ROW EXECUTE FUNCTION {schema}.tsunagu_reject_change();
DROP TRIGGER IF EXISTS tsunagu_append_only_truncate ON {schema}.{events};
CREATE TRIGGER tsunagu_append_only_truncate BEFORE TRUNCATE ON {schema}.{events}
  FOR EACH STATEMENT EXECUTE FUNCTION {schema}.tsunagu_reject_change();

REVOKE ALL ON {schema}.{events} FROM {app_role};
GRANT USAGE ON SCHEMA {schema} TO {app_role};
GRANT SELECT, INSERT, UPDATE ON {schema}.{events} TO {app_role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app_role};

-- Read models, the relay's tracking and the referral inbox are derived or operational: the app role
-- maintains them, including tables the owner creates later (default privileges).
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {schema} TO {app_role};
ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO {app_role};
ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {app_role};
REVOKE DELETE, TRUNCATE ON {schema}.{events} FROM {app_role};
