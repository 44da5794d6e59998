#!/usr/bin/env bash
# Load test of the webhook path with several replicas on one PostgreSQL:
# builds smsbridge and loadgen, creates a fresh database on the server
# PGURL names, starts a Slack sink and REPLICAS smsbridge processes on
# loopback, sends signed webhooks to them in turn (as a round-robin balancer
# would), and prints throughput and latency, where the CPU went during the
# run (each replica, PostgreSQL serving this database, the Slack sink, and
# the machine in all), then the event counts and how many events the
# workers finished meanwhile.
#   PGURL=postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable \
#     scripts/loadtest-replicas.sh [N] [CONCURRENCY] [REPLICAS]
# PROFILE=1 also takes a CPU profile of each replica for PROFILE_SECONDS
# (default 5) from the start of the load (SMSBRIDGE_PPROF_ADDR) and prints
# its top functions; the profiles stay in the directory it names.
# WORKERS sets SMSBRIDGE_WORKERS of each replica (default the service's).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
C=${2:-32}
R=${3:-3}
: "${PGURL:?set PGURL to a PostgreSQL server URL (a database is created on it and dropped after)}"
dir=$(mktemp -d)
[ -z "${PROFILE:-}" ] || KEEP=1
db="smsb_load_$$"
psql -q "$PGURL" -c "CREATE DATABASE $db"
dburl=$(echo "$PGURL" | sed -E "s#/[^/?]*(\?|$)#/$db\1#")
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; psql -q "$PGURL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
go build -o "$dir/smsbridge" ./cmd/smsbridge
go build -o "$dir/loadgen" ./cmd/loadgen
"$dir/loadgen" -slack-sink 127.0.0.1:19099 &
sink=$!
urls=""
pids=()
for i in $(seq 1 "$R"); do
  port=$((18080 + i))
  env LISTEN_ADDR=127.0.0.1:$port DATABASE_URL="$dburl" SMSBRIDGE_INSTANCE_ID="load-$i" \
  TELNYX_API_KEY=unused TELNYX_PUBLIC_KEY="$("$dir/loadgen" -print-key -seed load)" \
  SLACK_BOT_TOKEN=xoxb-load SLACK_SIGNING_SECRET=load SLACK_API_URL=http://127.0.0.1:19099/ \
  SLACK_CHANNEL=CLOAD SMSBRIDGE_SLACK_RATE=100000 SMSBRIDGE_LOG_LEVEL=warn \
  ${WORKERS:+SMSBRIDGE_WORKERS=$WORKERS} ${PROFILE:+SMSBRIDGE_PPROF_ADDR=127.0.0.1:$((16060 + i))} \
  "$dir/smsbridge" 2>"$dir/smsbridge-$i.log" &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  urls="${urls:+$urls,}http://127.0.0.1:$port/webhooks/telnyx"
done
pgstat() { psql -qtA -F' ' "$dburl" -c "SELECT (SELECT count(*) FROM events WHERE status = 'done'), sessions, xact_commit FROM pg_stat_database WHERE datname = current_database()"; }
read -r done_before sessions_before xacts_before < <(pgstat)
machine() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
scripts/cpu-ticks.sh "$db" "${pids[@]}" "sink:$sink" >"$dir/ticks-before"
read -r busy0 all0 < <(machine)
profilers=()
if [ -n "${PROFILE:-}" ]; then
  for i in $(seq 1 "$R"); do
    curl -s -o "$dir/cpu-$i.pprof" "http://127.0.0.1:$((16060 + i))/debug/pprof/profile?seconds=${PROFILE_SECONDS:-5}" &
    profilers+=($!)
  done
fi
"$dir/loadgen" -url "$urls" -seed load -n "$N" -c "$C"
read -r busy1 all1 < <(machine)
scripts/cpu-ticks.sh "$db" "${pids[@]}" "sink:$sink" >"$dir/ticks-after"
read -r done_after sessions_after xacts_after < <(pgstat)
echo "--- CPU during the load (seconds of one core)"
awk -v r="${pids[*]}" '
  BEGIN { n = split(r, p, " "); for (i = 1; i <= n; i++) name[p[i]] = "replica " i }
  NR == FNR { before[$1] = $2; next }
  { d = $2 - before[$1]; k = $1 ~ /^pg:/ ? "postgres" : $1 ~ /^sink:/ ? "slack sink" : name[$1]; cpu[k] += d }
  END { for (k in cpu) printf "%-12s %6.2f s\n", k, cpu[k] / 100 }' "$dir/ticks-before" "$dir/ticks-after" | sort
awk -v b="$((busy1 - busy0))" -v a="$((all1 - all0))" 'BEGIN { printf "machine      %6.2f s busy of %.2f s (both cores)\n", b / 100, a / 100 }'
echo "events finished by the workers during the load: $((done_after - done_before))"
echo "PostgreSQL during the load: $((sessions_after - sessions_before)) connections opened, $((xacts_after - xacts_before)) transactions committed"
echo "(a backend that exited during the load is missing from the postgres line: its CPU is not counted)"
if [ -n "${PROFILE:-}" ]; then
  wait "${profilers[@]}" || true
  for i in $(seq 1 "$R"); do
    echo "--- replica $i: CPU profile ($dir/cpu-$i.pprof)"
    go tool pprof -top -nodecount=30 "$dir/smsbridge" "$dir/cpu-$i.pprof" 2>/dev/null | sed -n '1,40p'
  done
fi
sleep 1
curl -s http://127.0.0.1:18081/metrics | grep '^smsbridge_events'
