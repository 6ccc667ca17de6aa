#!/usr/bin/env bash
# One build of rdns beside another on the same imported store, one after the other: start to the
# first answer, CPU per query under dnsperf, RSS and PSS after use (bench/pss.sh), size on disk.
# Used for "Native AOT beside ReadyToRun" in docs/BENCHMARKS.md.
#
#   bench/native.sh DATA_DIR QUERIES_FILE NAME=BINARY [NAME=BINARY ...]
#
# DATA_DIR is a store already imported (rdns serve --data DIR --zones ZONES); QUERIES_FILE a
# dnsperf input (bench/out/data-*/queries.txt). Each binary's directory is its whole build.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${1:?usage: bench/native.sh DATA_DIR QUERIES_FILE NAME=BINARY ...}"
queries="${2:?queries file}"
shift 2
seconds="${SECONDS_PER_RUN:-10}"
port=25354
http=28081
first_query="$(head -1 "$queries")"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M') UTC"
printf '| build | start to first answer | CPU per query | RSS after use | PSS after use | on disk (binary / directory) |\n|---|---|---|---|---|---|\n'
for pair in "$@"; do
  name="${pair%%=*}"
  bin="${pair#*=}"
  log="$(mktemp)"
  begin=$(date +%s%N)
  "$bin" serve --data "$data" --dns "127.0.0.1:$port" --http "127.0.0.1:$http" --rrl-rate 0 >"$log" 2>&1 &
  pid=$!
  until dig +tries=1 +time=1 -p "$port" @127.0.0.1 $first_query 2>/dev/null | grep -q 'status: NOERROR'; do
    kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.02
  done
  start_ms=$(( ($(date +%s%N) - begin) / 1000000 ))
  for _ in $(seq 1 200); do grep -q "HTTP API listening" "$log" && break; sleep 0.1; done
  key=$(cat "$data/admin.key")
  for _ in 1 2 3; do
    for path in "/v1/zones?limit=5" /v1/audit /metrics / /openapi/v1.json; do
      curl -s -o /dev/null -H "Authorization: Bearer $key" "http://127.0.0.1:$http$path" || true
    done
  done
  ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
  t0=$(ticks)
  done_queries=$(dnsperf -s 127.0.0.1 -p "$port" -d "$queries" -c 4 -T 1 -l "$seconds" -Q 30000 2>/dev/null | awk '/Queries completed:/{print $3}')
  t1=$(ticks)
  hz=$(getconf CLK_TCK)
  cpu_us=$(awk -v t="$((t1 - t0))" -v hz="$hz" -v q="$done_queries" 'BEGIN{printf "%.1f", t / hz * 1e6 / q}')
  sleep 3
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$pid/status")
  pss=$(awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup")
  kill $pid
  wait $pid 2>/dev/null || true
  rm -f "$log"
  dir="$(dirname "$bin")"
  printf '| %s | %d ms | %s µs (%s queries) | %d MB | %d MB | %s / %s |\n' "$name" "$start_ms" "$cpu_us" "$done_queries" $((rss / 1024)) $((pss / 1024)) \
    "$(du -sh --apparent-size "$bin" | cut -f1)" "$(du -sh --apparent-size "$dir" | cut -f1)"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
