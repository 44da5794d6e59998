#!/usr/bin/env bash
# Ingest with years of history stored, /metrics scraped every second: builds
# smsbridge and loadgen, fills a fresh SQLite database with MESSAGES
# messages (and one finished event each; `loadgen -fill-db`), starts a Slack
# sink and smsbridge on it on loopback, then posts N signed webhooks while a
# loop GETs /metrics once a second, and prints the ingest figures and how
# long each scrape took. MESSAGES=0 runs the same on an empty database (the
# figure to compare with). HISTORY_DB=path uses (and keeps) a database
# already filled, instead of filling one in a temporary directory.
#   scripts/loadtest-history.sh [N] [CONCURRENCY] [MESSAGES]
#   scripts/loadtest-history.sh 20000 32 10000000   # about 6 GB of disk
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
C=${2:-32}
M=${3:-10000000}
PORT=${PORT:-18082}
SINK=${SINK:-19097}
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
go build -o "$dir/smsbridge" ./cmd/smsbridge
go build -o "$dir/loadgen" ./cmd/loadgen
db=${HISTORY_DB:-$dir/history.db}
if [ -z "${HISTORY_DB:-}" ] && [ "$M" -gt 0 ]; then
  echo "--- filling $M messages"
  time "$dir/loadgen" -fill-db "$db" -fill-messages "$M"
fi
"$dir/loadgen" -slack-sink "127.0.0.1:$SINK" &
LISTEN_ADDR="127.0.0.1:$PORT" DATABASE_URL="$db" \
TELNYX_API_KEY=unused TELNYX_PUBLIC_KEY="$("$dir/loadgen" -print-key -seed load)" \
SLACK_BOT_TOKEN=xoxb-load SLACK_SIGNING_SECRET=load SLACK_API_URL="http://127.0.0.1:$SINK/" \
SLACK_CHANNEL=CLOAD SMSBRIDGE_SLACK_RATE=100000 SMSBRIDGE_LOG_LEVEL=warn \
"$dir/smsbridge" 2>"$dir/smsbridge.log" &
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "smsbridge did not get ready"; cat "$dir/smsbridge.log"; exit 1; }
( while :; do
    curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/metrics" >>"$dir/scrapes"
    sleep 1
  done ) &
scraper=$!
echo "--- ingest, /metrics scraped every second"
"$dir/loadgen" -url "http://127.0.0.1:$PORT/webhooks/telnyx" -seed load -n "$N" -c "$C"
kill "$scraper"; wait "$scraper" 2>/dev/null || true
sort -n "$dir/scrapes" | awk '{t[NR]=$1*1000; if ($1 >= 0.005) over++} END {if (NR) printf "/metrics during ingest: %d scrapes, p50 %.1f ms, p90 %.1f ms, max %.1f ms, %d of 5 ms or more\n", NR, t[int((NR+1)/2)], t[int(NR*0.9+0.5)], t[NR], over}'
sleep 1
curl -s "http://127.0.0.1:$PORT/metrics" | grep '^smsbridge_events'
