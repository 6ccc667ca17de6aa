#!/usr/bin/env bash
# Time of `rdns serve --zones DIR` on an empty store: from the end of start-up ("zones loaded") to
# "imports checked" (RDNS_TRACE_STARTUP=1), and the CPU time (user + system, from /proc/PID/stat)
# the process used meanwhile. Used for the import figures in docs/BENCHMARKS.md.
#
#   bench/import-time.sh ZONES_DIR [RDNS_BINARY]
#
# Each run starts on a fresh data directory (deleted afterwards) and stops the server once the
# imports are checked. On a shared machine compare builds alternately (A B A B) and look at the CPU.
set -euo pipefail
zones="${1:?usage: bench/import-time.sh ZONES_DIR [RDNS_BINARY]}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${2:-$here/.build/rdns/rdns}"
[ -x "$bin" ] || "$here/rdns" version >/dev/null
data="$(mktemp -d)"
log="$(mktemp)"
RDNS_TRACE_STARTUP=1 "$bin" serve --data "$data" --zones "$zones" --dns 127.0.0.1:0 --http 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data" "$log"' EXIT
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
start=""
until grep -q "imports and key checked" "$log"; do
  kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }
  [ -z "$start" ] && grep -q "zones loaded" "$log" && start="$(ticks)"
  sleep 0.05
done
end="$(ticks)"
hz="$(getconf CLK_TCK)"
at() { grep "$1" "$log" | sed -E 's/.* at ([0-9.]+) s.*/\1/'; }
awk -v a="$(at 'zones loaded')" -v b="$(at 'imports and key checked')" -v s="$start" -v e="$end" -v hz="$hz" \
  -v load="$(cut -d' ' -f1 /proc/loadavg)" \
  'BEGIN { printf "import %.2f s wall, %.2f s CPU (load average %s)\n", b - a, (e - s) / hz, load }'
