#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL 15 server on 127.0.0.1, then stops it.
# Usage: scripts/with-postgres.sh COMMAND...   (DATABASE_URL is set for COMMAND)
set -euo pipefail
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[[ -x "$pgbin/initdb" ]] || { echo "with-postgres: PostgreSQL server binaries not found" >&2; exit 1; }

port=${PARLEY_TEST_PG_PORT:-55432}
dir=$(mktemp -d /tmp/parley-pg.XXXXXX)
runas=()
if [[ $(id -u) -eq 0 ]]; then
  # PostgreSQL refuses to run as root: use the postgres account Debian's package creates.
  id postgres >/dev/null 2>&1 || useradd --system --home "$dir" postgres
  chown postgres "$dir"
  runas=(runuser -u postgres --)
fi

cleanup() {
  "${runas[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${runas[@]}" "$pgbin/initdb" -D "$dir/data" -U parley --auth=trust -E UTF8 >/dev/null
"${runas[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=1000" start >/dev/null
"${runas[@]}" "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U parley parley
echo "with-postgres: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"

DATABASE_URL="postgres://parley@127.0.0.1:$port/parley" "$@"
