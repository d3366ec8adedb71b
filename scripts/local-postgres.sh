#!/usr/bin/env bash
# Makes sure a PostgreSQL for trainhub is reachable and prints nothing but failures.
# With DATABASE_URL set, that database is used as it is. Without it, the machine's local
# cluster is started and the role and databases trainhub uses are created (idempotent).
set -euo pipefail

: "${TRAINHUB_PG_ROLE:=trainhub}"
: "${TRAINHUB_PG_PASSWORD:=trainhub}"
DATABASES=("${@:-trainhub}")

if [ -n "${DATABASE_URL:-}" ]; then
  exit 0
fi

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "local-postgres: PostgreSQL is not installed (no pg_lsclusters). Install postgresql (Debian: apt-get install postgresql) or set DATABASE_URL." >&2
  exit 1
fi

cluster=$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2" "$4}')
if [ -z "$cluster" ]; then
  echo "local-postgres: no PostgreSQL cluster exists on this machine (pg_lsclusters is empty). Create one with pg_createcluster or set DATABASE_URL." >&2
  exit 1
fi
read -r version name status <<<"$cluster"
if [ "$status" != "online" ]; then
  pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start
fi

as_postgres() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi
}

for _ in $(seq 1 50); do
  as_postgres pg_isready -q && break
  sleep 0.2
done
as_postgres pg_isready -q || { echo "local-postgres: cluster $version/$name did not become ready" >&2; exit 1; }

as_postgres psql -qtAX -v ON_ERROR_STOP=1 <<SQL
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$TRAINHUB_PG_ROLE', '$TRAINHUB_PG_PASSWORD')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$TRAINHUB_PG_ROLE') \gexec
SQL
for db in "${DATABASES[@]}"; do
  as_postgres psql -qtAX -v ON_ERROR_STOP=1 <<SQL
SELECT format('CREATE DATABASE %I OWNER %I', '$db', '$TRAINHUB_PG_ROLE')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$db') \gexec
SQL
done
