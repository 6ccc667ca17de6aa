#!/usr/bin/env bash
# CPU per signed query: Rdns's online signing beside Knot's onlinesign module, same zone (a /16 of
# 65,536 PTRs), same queries (each PTR in turn, DO set), one run, alternating nothing else.
#   cold: the first pass over every name (Rdns makes and caches each signature)
#   warm: later passes (Rdns answers from its signature cache; Knot's onlinesign signs every answer)
# The server's CPU seconds (utime+stime of /proc/PID/stat) per answered query. Also the signature
# cache's size after the run (Rdns log at exit is not needed: GET /metrics is not used; the cache's
# bound is Dnssec:SignatureCacheMegabytes).
# Usage: bench/dnssec.sh [--seconds N]   (about 2 minutes with the default 10)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=10
[ "${1:-}" = "--seconds" ] && seconds="$2"
command -v knotd >/dev/null && command -v dnsperf >/dev/null || { echo "needs knotd and dnsperf (apt-get install knot dnsperf)" >&2; exit 1; }
"$here/rdns" version >/dev/null
work="$(mktemp -d /tmp/rdns-bench-dnssec-XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
zone=10.10.in-addr.arpa.
mkdir -p "$work/zones" "$work/knot" "$work/rdns"
awk -v z="$zone" 'BEGIN {
  printf "$ORIGIN %s\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 7200 900 1209600 300\n@ NS ns1.example.net.\n", z
  for (i = 0; i < 65536; i++) printf "%d.%d PTR host-%d.example.net.\n", i % 256, int(i / 256), i
}' > "$work/zones/${zone}zone"
awk -v z="$zone" 'BEGIN { for (i = 0; i < 65536; i++) printf "%d.%d.%s PTR\n", i % 256, int(i / 256), z }' > "$work/queries.txt"

cpu() { awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat"; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
measure() { # name pid port runs-or-seconds mode
  local before after out completed
  before=$(cpu "$2")
  if [ "$5" = cold ]; then out=$(dnsperf -D -s 127.0.0.1 -p "$3" -d "$work/queries.txt" -c 4 -T 1 -n 1 2>&1)
  else out=$(dnsperf -D -s 127.0.0.1 -p "$3" -d "$work/queries.txt" -c 4 -T 1 -l "$4" 2>&1); fi
  after=$(cpu "$2")
  completed=$(echo "$out" | awk '/Queries completed:/ { print $3 }')
  printf "%-6s %-5s %8s queries  %6.2f µs CPU per query  (%s)\n" "$1" "$5" "$completed" \
    "$(echo "($after - $before) * 1000000 / $completed" | bc -l)" "$(echo "$out" | awk '/Queries per second:/ { print $4 " qps" }')"
}

# Knot DNS with onlinesign (ECDSA P-256, the module's default).
kport=$(port)
cat > "$work/knot/knot.conf" <<CONF
server:
    listen: 127.0.0.1@$kport
    rundir: "$work/knot"
database:
    storage: "$work/knot"
template:
  - id: default
    storage: "$work/zones"
    module: mod-onlinesign
zone:
  - domain: $zone
    file: "${zone}zone"
CONF
knotd -c "$work/knot/knot.conf" > "$work/knot/log" 2>&1 &
kpid=$!
for _ in $(seq 100); do kdig @127.0.0.1 -p "$kport" +dnssec +short SOA "$zone" 2>/dev/null | grep -q SOA && break; sleep 0.2; done
kdig @127.0.0.1 -p "$kport" +dnssec 1.1.$zone PTR | grep -q RRSIG || { echo "knot does not sign" >&2; cat "$work/knot/log" >&2; exit 1; }

# Rdns, the zone signed with its default (ECDSA P-256 CSK, compact denial).
rport=$(port); hport=$(port)
"$here/.build/rdns/rdns" serve --data "$work/rdns" --dns "127.0.0.1:$rport" --http "127.0.0.1:$hport" --zones "$work/zones" > "$work/rdns/log" 2>&1 &
rpid=$!
for _ in $(seq 300); do [ -s "$work/rdns/admin.key" ] && curl -sf "http://127.0.0.1:$hport/healthz" >/dev/null && break; sleep 0.2; done
curl -sf -H "Authorization: Bearer $(cat "$work/rdns/admin.key")" -H 'content-type: application/json' \
  -X POST "http://127.0.0.1:$hport/v1/zones/$zone/dnssec" -d '{"algorithm":13}' >/dev/null
kdig @127.0.0.1 -p "$rport" +dnssec 1.1.$zone PTR | grep -q RRSIG || { echo "rdns does not sign" >&2; exit 1; }

echo "CPU per signed query (dnsperf -D -c 4 -T 1; 65,536 PTRs, each once per pass):"
measure knot "$kpid" "$kport" 1 cold
measure knot "$kpid" "$kport" "$seconds" warm
measure rdns "$rpid" "$rport" 1 cold
measure rdns "$rpid" "$rport" "$seconds" warm
printf "rdns   resident set after the run: %s MiB\n" "$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$rpid/status")"
