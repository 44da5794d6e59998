#!/usr/bin/env bash
# Load test of the webhook path: builds smsbridge and loadgen, starts a Slack
# sink and smsbridge on loopback with a fresh SQLite database, posts signed
# webhooks, and prints throughput and latency. Everything stays on 127.0.0.1.
#   scripts/loadtest.sh [N] [CONCURRENCY]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
C=${2:-32}
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
go build -o "$dir/smsbridge" ./cmd/smsbridge
go build -o "$dir/loadgen" ./cmd/loadgen
"$dir/loadgen" -slack-sink 127.0.0.1:19099 &
LISTEN_ADDR=127.0.0.1:18080 DATABASE_URL="$dir/load.db" \
TELNYX_API_KEY=unused TELNYX_PUBLIC_KEY="$("$dir/loadgen" -print-key -seed load)" \
SLACK_BOT_TOKEN=xoxb-load SLACK_SIGNING_SECRET=load SLACK_API_URL=http://127.0.0.1:19099/ \
SLACK_CHANNEL=CLOAD SMSBRIDGE_SLACK_RATE=100000 SMSBRIDGE_LOG_LEVEL=warn \
"$dir/smsbridge" 2>"$dir/smsbridge.log" &
for _ in $(seq 50); do curl -sf http://127.0.0.1:18080/readyz >/dev/null && break; sleep 0.1; done
"$dir/loadgen" -url http://127.0.0.1:18080/webhooks/telnyx -seed load -n "$N" -c "$C"
sleep 1
curl -s http://127.0.0.1:18080/metrics | grep '^smsbridge_events'
