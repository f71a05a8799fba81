#!/usr/bin/env bash
# Runs the whole suite on SQLite, then every database-backed suite again on a throw-away
# PostgreSQL server. The engine suites (audio, speech, intelligence, domain) never open a
# database, so running them a second time would only repeat identical work. The heavy suites
# (campaigns carry dozens of simulated phone calls, with synthesis and recognition for both
# sides; the console test drives a real Chromium; the Twilio test streams its calls in real time; the field visit is
# heard live while its chunks arrive) run on their own after the rest, instead of
# starving the suites beside them on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
unset DATABASE_URL
# The call suites and the browser test all lean on the one embedded recogniser: beside the campaign
# suite's dozens of calls, the Twilio test's real-time callee loses lines and the browser test's own
# campaign waits behind theirs, so each runs on its own.
calls='CampaignTests'
twilio='TwilioCallTests'
browser='ConsoleBrowserTests'
field='FieldVisitFlowTests|FieldConversationTests'
heavy="$calls|$twilio|$browser|$field"

echo "== whole test suite on SQLite"
swift test --skip-build --skip "$heavy"
swift test --skip-build --filter "$calls"
swift test --skip-build --filter "$twilio"
swift test --skip-build --filter "$browser"
swift test --skip-build --filter "$field"

echo "== database-backed suites on PostgreSQL"
scripts/with-postgres.sh bash -c "swift test --skip-build --filter 'ParleyServerTests|ParleyStoreTests' --skip '$heavy' && swift test --skip-build --filter '$calls' && swift test --skip-build --filter '$twilio' && swift test --skip-build --filter '$browser' && swift test --skip-build --filter '$field'"
