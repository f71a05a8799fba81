#!/usr/bin/env bash
# Runs the whole suite on SQLite, then every database-backed suite again on a throw-away
# PostgreSQL server. The engine suites (audio, speech, intelligence, domain) never open a
# database, so running them a second time would only repeat identical work.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
unset DATABASE_URL

echo "== whole test suite on SQLite"
swift test --skip-build

echo "== database-backed suites on PostgreSQL"
scripts/with-postgres.sh swift test --skip-build --filter 'ParleyServerTests|ParleyStoreTests'
