#!/usr/bin/env bash
# What the 30 s resync costs a server that takes writes: one PTR set through the API 10 s after it
# listens, then, every second for SECONDS, the CPU the process used in that second and its PSS,
# printed when the second cost 40 ms or more (or every 30th second), with the resync rounds the
# server logged (`Rdns.Control.Zones.ZoneFollower` at Debug). The first round after the write
# compares what was written; the tenth round compares every zone. Used for "A resync in
# O(change)" in docs/BENCHMARKS.md.
#
#   bench/resync.sh DATA_DIR [RDNS_BINARY] [SECONDS]     # DATA_DIR: a store already imported; a copy is served
set -euo pipefail
data="${1:?usage: bench/resync.sh DATA_DIR [RDNS_BINARY] [SECONDS]}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${2:-$here/.build/rdns/rdns}"
seconds="${3:-320}"
[ -x "$bin" ] || "$here/rdns" version >/dev/null
. "$here/bench/serve.sh"
copy_store "$data"
# The category's name has dots, which no shell variable may: set it through env(1), which execs the server.
printf '#!/bin/sh\nexec env "Logging__LogLevel__Rdns.Control.Zones.ZoneFollower=Debug" "%s" "$@"\n' "$bin" >"$copy/serve-debug"
chmod +x "$copy/serve-debug"
serve_until_listening "$copy/serve-debug" "$copy" 25391 28091 "$log"
sleep 10
key=$(cat "$copy/admin.key")
zone=$(curl -s -H "Authorization: Bearer $key" "http://127.0.0.1:28091/v1/zones?limit=1" | sed -n 's/.*"name":"\([^"]*\)".*/\1/p')
# The first zone's first address: a.b.c.in-addr.arpa. -> c.b.a.7 (an IPv4 /24 zone).
address="$(echo "$zone" | awk -F. '{ print $3 "." $2 "." $1 ".7" }')"
code=$(curl -s -o /dev/null -w "%{http_code}" -X PUT -H "Authorization: Bearer $key" -H "Content-Type: application/json" \
  -d '{"ptrdname":"resync-probe.example.com"}' "http://127.0.0.1:28091/v1/ptr/$address")
echo "PUT /v1/ptr/$address: $code"
tick=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
previous=$(ticks)
for s in $(seq 1 "$seconds"); do
  sleep 1
  now=$(ticks)
  used=$(( (now - previous) * 1000 / tick ))
  previous=$now
  if [ "$used" -ge 40 ] || [ $((s % 30)) = 0 ]; then
    echo "$s s: ${used} ms CPU, PSS $(awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup") kB"
  fi
done
grep -o 'Resynchronized with the store.*' "$log" || echo "(no resync round logged)"
