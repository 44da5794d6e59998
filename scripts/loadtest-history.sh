#!/usr/bin/env bash
# Ingest with years of history stored, against an empty database, while
# /metrics is scraped every second: builds smsbridge and loadgen, fills a
# SQLite database with MESSAGES messages, 3 s apart, and the finished events
# SMSBRIDGE_KEEP_PAYLOADS keeps of them (the last 7 days'; Telnyx ids are
# UUIDs, as Telnyx's are; `loadgen -fill-db`), then ROUNDS times runs the same
# ingest on a fresh empty database and on the filled one, one after the
# other so both see the same machine: a Slack sink and smsbridge on
# loopback, N signed webhooks from CONCURRENCY senders while a loop GETs
# /metrics once a second, then the time the workers take to post what was
# ingested (the next run starts once nothing is pending). Each run prints
# the ingest figures and how long each scrape took; the last line is each
# database's throughput per round and the ratio.
# HISTORY_DB=path uses (and keeps) a database already filled instead of
# filling one in a temporary directory (it gains N messages a round).
#   scripts/loadtest-history.sh [N] [CONCURRENCY] [MESSAGES] [ROUNDS]
#   scripts/loadtest-history.sh 60000 32 10000000 3   # 4 GB of disk, about 35 min
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-60000}
C=${2:-32}
M=${3:-10000000}
ROUNDS=${4:-3}
PORT=${PORT:-18082}
SINK=${SINK:-19097}
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
go build -o "$dir/smsbridge" ./cmd/smsbridge
go build -o "$dir/loadgen" ./cmd/loadgen
db=${HISTORY_DB:-$dir/history.db}
if [ -z "${HISTORY_DB:-}" ]; then
  echo "--- filling $M messages"
  time "$dir/loadgen" -fill-db "$db" -fill-messages "$M"
fi

"$dir/loadgen" -slack-sink "127.0.0.1:$SINK" &
pubkey=$("$dir/loadgen" -print-key -seed load)

# run DB LABEL: one ingest of N webhooks on DB; appends "LABEL throughput" to $dir/results.
run() {
  LISTEN_ADDR="127.0.0.1:$PORT" DATABASE_URL="$1" \
  TELNYX_API_KEY=unused TELNYX_PUBLIC_KEY="$pubkey" \
  SLACK_BOT_TOKEN=xoxb-load SLACK_SIGNING_SECRET=load SLACK_API_URL="http://127.0.0.1:$SINK/" \
  SLACK_CHANNEL=CLOAD SMSBRIDGE_SLACK_RATE=100000 SMSBRIDGE_LOG_LEVEL=warn \
  "$dir/smsbridge" 2>>"$dir/smsbridge.log" &
  local svc=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "smsbridge did not get ready"; cat "$dir/smsbridge.log"; exit 1; }
  rm -f "$dir/scrapes"
  ( while :; do
      curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/metrics" >>"$dir/scrapes"
      sleep 1
    done ) &
  local scraper=$!
  "$dir/loadgen" -url "http://127.0.0.1:$PORT/webhooks/telnyx" -seed load -n "$N" -c "$C" | tee "$dir/out"
  kill "$scraper"; wait "$scraper" 2>/dev/null || true
  sort -n "$dir/scrapes" | awk '{t[NR]=$1*1000; if ($1 >= 0.005) over++} END {if (NR) printf "/metrics during ingest: %d scrapes, p50 %.1f ms, p90 %.1f ms, max %.1f ms, %d of 5 ms or more\n", NR, t[int((NR+1)/2)], t[int(NR*0.9+0.5)], t[NR], over}'
  local t0 pending="?"
  t0=$(date +%s)
  for _ in $(seq 1200); do
    pending=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^smsbridge_events\{status="pending"\}/ {print $2}')
    [ "$pending" = 0 ] && break
    sleep 0.5
  done
  echo "posted what was ingested in $(($(date +%s) - t0)) s (pending events: $pending)"
  echo "$2 $(awk '/^throughput/ {print $2}' "$dir/out")" >>"$dir/results"
  kill "$svc"; wait "$svc" 2>/dev/null || true
}

for r in $(seq "$ROUNDS"); do
  echo "--- round $r: empty database"
  run "$dir/empty-$r.db" empty
  echo "--- round $r: $db"
  run "$db" history
done
awk '$1 == "empty" {e[++ne] = $2} $1 == "history" {h[++nh] = $2}
  END {for (i = 1; i <= ne; i++) printf "round %d: empty %d/s, history %d/s (%.0f%%)\n", i, e[i], h[i], 100 * h[i] / e[i]}' "$dir/results"
