-- deploy/prod/roles.sql: least-privilege PostgreSQL roles for RISS (run once as a superuser,
-- before the first `riss db migrate`, and again after every migration: it is idempotent).
--   psql -v owner_pw=... -v app_pw=... -v read_pw=... -v repl_pw=... -v db=riss -f roles.sql
-- riss_owner  owns the database, its schemas and tables; `riss db migrate` runs as it. Nothing
--             else does: its password lives on the operator's machine, not on rissd hosts.
-- riss_app    rissd and the riss jobs: reads and writes rows; cannot CREATE, DROP, ALTER or
--             TRUNCATE anything (not the owner) and cannot UPDATE or DELETE audit rows.
-- riss_read   public nodes on a replica (verify, register, JWKS, status lists, log proofs):
--             SELECT only (a replica refuses writes anyway; this also holds on the primary).
-- replicator  Patroni's streaming replication and pg_basebackup.
\set ON_ERROR_STOP on
SELECT format('CREATE ROLE riss_owner LOGIN PASSWORD %L', :'owner_pw')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'riss_owner') \gexec
SELECT format('CREATE ROLE riss_app LOGIN PASSWORD %L', :'app_pw')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'riss_app') \gexec
SELECT format('CREATE ROLE riss_read LOGIN PASSWORD %L', :'read_pw')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'riss_read') \gexec
SELECT format('CREATE ROLE replicator LOGIN REPLICATION PASSWORD %L', :'repl_pw')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicator') \gexec
ALTER ROLE riss_owner NOSUPERUSER NOCREATEDB NOCREATEROLE;
ALTER ROLE riss_app NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION CONNECTION LIMIT 400;
ALTER ROLE riss_read NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
-- Every session of the public role is read-only even if pointed at the primary by mistake.
ALTER ROLE riss_read SET default_transaction_read_only = on;
SELECT format('CREATE DATABASE %I OWNER riss_owner ENCODING ''UTF8'' LC_COLLATE ''C.UTF-8'' LC_CTYPE ''C.UTF-8'' TEMPLATE template0', :'db')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO riss_app, riss_read', :'db') \gexec
\connect :db
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- Objects the owner creates later (new migrations) get the same grants automatically.
ALTER DEFAULT PRIVILEGES FOR ROLE riss_owner GRANT USAGE ON SCHEMAS TO riss_app, riss_read;
ALTER DEFAULT PRIVILEGES FOR ROLE riss_owner GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO riss_app;
ALTER DEFAULT PRIVILEGES FOR ROLE riss_owner GRANT SELECT ON TABLES TO riss_read;
ALTER DEFAULT PRIVILEGES FOR ROLE riss_owner GRANT USAGE, SELECT ON SEQUENCES TO riss_app;
ALTER DEFAULT PRIVILEGES FOR ROLE riss_owner GRANT EXECUTE ON FUNCTIONS TO riss_app, riss_read;
-- Objects that exist now (after a migration that predates the defaults, rerun this file).
SELECT format('GRANT USAGE ON SCHEMA %I TO riss_app, riss_read', nspname)
  FROM pg_namespace WHERE nspowner = 'riss_owner'::regrole \gexec
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO riss_app', nspname)
  FROM pg_namespace WHERE nspowner = 'riss_owner'::regrole OR nspname = 'public' \gexec
SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO riss_read', nspname)
  FROM pg_namespace WHERE nspowner = 'riss_owner'::regrole OR nspname = 'public' \gexec
SELECT format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO riss_app', nspname)
  FROM pg_namespace WHERE nspowner = 'riss_owner'::regrole OR nspname = 'public' \gexec
-- The audit trail is append-only for everyone: rissd may only INSERT and SELECT there (the
-- triggers of migrations 0001/0002 refuse UPDATE, DELETE and TRUNCATE even to the owner).
SELECT 'REVOKE UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA audit FROM riss_app'
 WHERE EXISTS (SELECT FROM pg_namespace WHERE nspname = 'audit') \gexec
-- The migration record is the owner's alone.
-- The registry's own trails are append-only for rissd too (ha3, issue 16): the status
-- history of each registrant and the transparency log's leaves and checkpoints (the code
-- only inserts; a checkpoint insert is ON CONFLICT DO NOTHING, which needs no UPDATE).
SELECT format('REVOKE UPDATE, DELETE, TRUNCATE ON %s FROM riss_app', t)
  FROM unnest(ARRAY['registry.status_history', 'registry.tlog_leaves', 'registry.tlog_checkpoints']) AS t
 WHERE to_regclass(t) IS NOT NULL \gexec
SELECT 'REVOKE INSERT, UPDATE, DELETE ON public.schema_migrations FROM riss_app'
 WHERE to_regclass('public.schema_migrations') IS NOT NULL \gexec
