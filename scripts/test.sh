#!/usr/bin/env bash
# Runs the whole suite twice: on SQLite, then on a throw-away PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
unset DATABASE_URL

echo "== test suite on SQLite"
swift test --skip-build

echo "== test suite on PostgreSQL"
scripts/with-postgres.sh swift test --skip-build
