#!/usr/bin/env bash
# Measures authenticated GET /api/v1/auth/me on a release build with SQLite, using wrk on
# the same machine. The rate limiter stays in the request path with a limit wrk cannot reach.
# Usage: Benchmarks/auth-me.sh [seconds] [connections] [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
duration=${1:-15}; connections=${2:-64}; threads=${3:-2}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product parley >/dev/null

data=$(mktemp -d /tmp/parley-bench.XXXXXX)
port=18471
PARLEY_DATA_DIR=$data PARLEY_PORT=$port PARLEY_JWT_SECRET=bench-secret-bench-secret-bench-secret \
  PARLEY_RATE_LIMIT_GENERAL=1000000000 PARLEY_ENV=production LOG_LEVEL=error \
  .build/release/parley serve >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"benchmark123","first_name":"Bench","last_name":"Mark"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

echo "wrk -t$threads -c$connections -d${duration}s GET /api/v1/auth/me (release, SQLite, $(nproc) cores shared with wrk)"
wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/auth/me"
