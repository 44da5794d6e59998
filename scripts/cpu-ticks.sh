#!/usr/bin/env bash
# Prints "pid ticks" (user+system CPU, in clock ticks of 1/100 s) for each
# pid given, and for each PostgreSQL process that serves database DB or is
# one of the server's own (writer, WAL, checkpointer, autovacuum); used by
# the load scripts to say where the CPU went during a run.
#   scripts/cpu-ticks.sh DB [PID…]
db=$1; shift
pids=("$@")
for p in $(pgrep -u postgres 2>/dev/null); do
  cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
  case "$cmd" in
    *" $db "*|*writer*|*checkpointer*|*autovacuum*|*walwriter*|*"stats collector"*|*"logical replication"*) pids+=("pg:$p") ;;
  esac
done
for p in "${pids[@]}"; do
  n=${p#*:}
  # fields after the command name, which is in parentheses: utime is the
  # 12th, stime the 13th.
  stat=$(cat "/proc/$n/stat" 2>/dev/null) || continue
  echo "$p $(echo "${stat##*) }" | awk '{print $12 + $13}')"
done
