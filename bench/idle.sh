#!/usr/bin/env bash
# What a server costs when nobody uses it: CPU seconds and PSS over SECONDS left alone, from 10 s
# after it listens (past start-up's trims). Used for "a resync that does nothing while nothing
# changes" in docs/BENCHMARKS.md; environment variables are passed to the server.
#
#   bench/idle.sh DATA_DIR [RDNS_BINARY] [SECONDS]     # DATA_DIR: a store already imported; a copy is served
#   IDLE_EVERY=10 bench/idle.sh DATA_DIR BIN 80           # and PSS every 10 s
set -euo pipefail
data="${1:?usage: bench/idle.sh DATA_DIR [RDNS_BINARY] [SECONDS]}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${2:-$here/.build/rdns/rdns}"
seconds="${3:-120}"
[ -x "$bin" ] || "$here/rdns" version >/dev/null
. "$here/bench/serve.sh"
copy_store "$data"
serve_until_listening "$bin" "$copy" 25392 28092 "$log"
sleep 10
tick=$(getconf CLK_TCK)
cpu() { awk -v t="$tick" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$pid/stat"; }
pss() { awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup"; }
c0=$(cpu); p0=$(pss)
if [ -n "${IDLE_EVERY:-}" ]; then
  # PSS along the way, every IDLE_EVERY seconds (the 30 s resync rounds show in it).
  for t in $(seq "$IDLE_EVERY" "$IDLE_EVERY" "$seconds"); do sleep "$IDLE_EVERY"; echo "  $t s: $(pss) kB"; done
else
  sleep "$seconds"
fi
c1=$(cpu); p1=$(pss)
echo "CPU over $seconds s left alone: $(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }') s; PSS $p0 -> $p1 kB"
