#!/usr/bin/env bash
# The burst benchmark (issue 12): N texts (default 1,000) over CONVS
# conversations (default 200) into one channel of a fake Slack that takes
# one post a second per channel with no burst and answers over-rate calls
# 429 with Retry-After. Builds smsbridge and loadgen; `loadgen -burst` runs
# the fake, REPLICAS smsbridge processes on one database (SQLite for one
# replica unless PGURL is set; PostgreSQL, a fresh database on PGURL's
# server, for several), sends the texts, waits until every one is visible
# and checks that none is lost, doubled or out of order. It prints the
# time to the last text, the posts used per text and the 429s, and exits
# non-zero when the target (last text within 1.2 times the floor of one
# post per conversation, no 429, nothing lost, doubled or out of order) is
# missed. Everything stays on 127.0.0.1.
#   scripts/burst.sh [N] [CONVS] [REPLICAS]
#   PGURL=postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable scripts/burst.sh 1000 200 3
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
CONVS=${2:-200}
R=${3:-1}
dir=$(mktemp -d)
db=""
if [ -n "${PGURL:-}" ]; then
  db="smsb_burst_$$"
  psql -q "$PGURL" -c "CREATE DATABASE $db"
  dburl=$(echo "$PGURL" | sed -E "s#/[^/?]*(\?|$)#/$db\1#")
elif [ "$R" -gt 1 ]; then
  echo "several replicas share one PostgreSQL: set PGURL" >&2
  exit 2
else
  dburl="$dir/burst.db"
fi
trap '[ -z "$db" ] || psql -q "$PGURL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
go build -o "$dir/smsbridge" ./cmd/smsbridge
go build -o "$dir/loadgen" ./cmd/loadgen
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$dir/loadgen" -burst -service "$dir/smsbridge" -database "$dburl" -replicas "$R" \
  -n "$N" -convs "$CONVS" -c "${SENDERS:-8}" -logs "$dir" -seed burst && status=0 || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$status" -eq 0 ] || { echo "replica logs: $dir (kept)"; KEEP=1; }
exit "$status"
