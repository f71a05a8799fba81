#!/usr/bin/env bash
# Runs the whole suite on SQLite, then every database-backed suite again on a throw-away
# PostgreSQL server. The engine suites (audio, speech, intelligence, domain) never open a
# database, so running them a second time would only repeat identical work. The heavy suites
# (campaigns carry dozens of simulated phone calls, with synthesis and recognition for both
# sides; the console test drives a real Chromium; the Twilio test streams its calls in real time) run on their own after the rest, instead of
# starving the suites beside them on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
unset DATABASE_URL
# Calls (campaigns and Twilio) share the embedded recogniser; the browser test's own campaign waits
# behind theirs, so it runs after them rather than beside them.
calls='CampaignTests|TwilioCallTests'
browser='ConsoleBrowserTests'
heavy="$calls|$browser"

echo "== whole test suite on SQLite"
swift test --skip-build --skip "$heavy"
swift test --skip-build --filter "$calls"
swift test --skip-build --filter "$browser"

echo "== database-backed suites on PostgreSQL"
scripts/with-postgres.sh bash -c "swift test --skip-build --filter 'ParleyServerTests|ParleyStoreTests' --skip '$heavy' && swift test --skip-build --filter '$calls' && swift test --skip-build --filter '$browser'"
