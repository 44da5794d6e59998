#!/usr/bin/env bash
# Load test of the webhook path with several replicas on one PostgreSQL:
# builds smsbridge and loadgen, creates a fresh database on the server
# PGURL names, starts a Slack sink and REPLICAS smsbridge processes on
# loopback, sends signed webhooks to them in turn (as a round-robin balancer
# would), and prints throughput and latency, then the event counts.
#   PGURL=postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable \
#     scripts/loadtest-replicas.sh [N] [CONCURRENCY] [REPLICAS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
C=${2:-32}
R=${3:-3}
: "${PGURL:?set PGURL to a PostgreSQL server URL (a database is created on it and dropped after)}"
dir=$(mktemp -d)
db="smsb_load_$$"
psql -q "$PGURL" -c "CREATE DATABASE $db"
dburl=$(echo "$PGURL" | sed -E "s#/[^/?]*(\?|$)#/$db\1#")
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; psql -q "$PGURL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
go build -o "$dir/smsbridge" ./cmd/smsbridge
go build -o "$dir/loadgen" ./cmd/loadgen
"$dir/loadgen" -slack-sink 127.0.0.1:19099 &
urls=""
for i in $(seq 1 "$R"); do
  port=$((18080 + i))
  LISTEN_ADDR=127.0.0.1:$port DATABASE_URL="$dburl" SMSBRIDGE_INSTANCE_ID="load-$i" \
  TELNYX_API_KEY=unused TELNYX_PUBLIC_KEY="$("$dir/loadgen" -print-key -seed load)" \
  SLACK_BOT_TOKEN=xoxb-load SLACK_SIGNING_SECRET=load SLACK_API_URL=http://127.0.0.1:19099/ \
  SLACK_CHANNEL=CLOAD SMSBRIDGE_SLACK_RATE=100000 SMSBRIDGE_LOG_LEVEL=warn \
  "$dir/smsbridge" 2>"$dir/smsbridge-$i.log" &
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  urls="${urls:+$urls,}http://127.0.0.1:$port/webhooks/telnyx"
done
"$dir/loadgen" -url "$urls" -seed load -n "$N" -c "$C"
sleep 1
curl -s http://127.0.0.1:18081/metrics | grep '^smsbridge_events'
