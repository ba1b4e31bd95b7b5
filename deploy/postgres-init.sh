#!/bin/sh
# Runs once, when the postgres volume is first initialised (docker-entrypoint-initdb.d): the hub's own
# role, which owns the database and migrates the hub schema, and a read-only role for the records store.
# Passwords come from the compose secrets, never from this file or the environment.
set -eu
hub_password="$(cat /run/secrets/hub_db_password)"
reader_password="$(cat /run/secrets/reader_db_password)"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v hub_password="$hub_password" -v reader_password="$reader_password" <<'SQL'
CREATE ROLE pifu_hub LOGIN PASSWORD :'hub_password';
ALTER DATABASE pifu OWNER TO pifu_hub;
GRANT CREATE ON DATABASE pifu TO pifu_hub;
-- The records store (here a schema beside the hub's; in production the school owner's own database):
-- the hub reads it through pifu_reader, which can only ever read.
CREATE ROLE pifu_reader LOGIN PASSWORD :'reader_password';
ALTER ROLE pifu_reader SET default_transaction_read_only = on;
CREATE SCHEMA IF NOT EXISTS records AUTHORIZATION pifu_hub;
GRANT CONNECT ON DATABASE pifu TO pifu_reader;
GRANT USAGE ON SCHEMA records TO pifu_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE pifu_hub IN SCHEMA records GRANT SELECT ON TABLES TO pifu_reader;
-- This deployment's records store is the reference one, for trials: marked as synthetic, so
-- `pifu-hub-dev seed` may fill it (docs/deployment.md). A real one is the school owner's own database.
SET ROLE pifu_hub;
CREATE TABLE records.synthetic_store (
  made_at timestamptz NOT NULL DEFAULT now(),
  note text NOT NULL DEFAULT 'the compose deployment''s reference records store: synthetic persons only');
RESET ROLE;
SQL
