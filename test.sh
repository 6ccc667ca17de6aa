#!/usr/bin/env bash
# Runs every test of the solution and prints one summary line: "N passed, N failed, N skipped".
# Installs the Debian packages the tests use as real peers when they are missing.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

need=()
command -v kdig >/dev/null 2>&1 || need+=(knot-dnsutils)
command -v knotd >/dev/null 2>&1 || need+=(knot)
command -v dig >/dev/null 2>&1 && command -v dnstap-read >/dev/null 2>&1 || need+=(bind9-dnsutils)
command -v fstrm_capture >/dev/null 2>&1 || need+=(fstrm-bin)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v named-checkconf >/dev/null 2>&1 || need+=(bind9-utils)
command -v nsd-checkconf >/dev/null 2>&1 || [ -x /usr/sbin/nsd-checkconf ] || need+=(nsd)
command -v named-checkzone >/dev/null 2>&1 || need+=(bind9-utils)
command -v named >/dev/null 2>&1 || [ -x /usr/sbin/named ] || need+=(bind9)
command -v pdns_server >/dev/null 2>&1 || [ -x /usr/sbin/pdns_server ] || need+=(pdns-server)
[ -f /usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql ] || need+=(pdns-backend-sqlite3)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v flock >/dev/null 2>&1 || need+=(util-linux)
command -v nsupdate >/dev/null 2>&1 || need+=(bind9-dnsutils)
command -v knsupdate >/dev/null 2>&1 || need+=(knot-dnsutils)
command -v kea-dhcp4 >/dev/null 2>&1 || [ -x /usr/sbin/kea-dhcp4 ] || need+=(kea-dhcp4-server)
command -v kea-dhcp-ddns >/dev/null 2>&1 || [ -x /usr/sbin/kea-dhcp-ddns ] || need+=(kea-dhcp-ddns-server)
command -v udhcpc >/dev/null 2>&1 || [ -x /usr/sbin/udhcpc ] || need+=(udhcpc)
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || need+=(iproute2)
# A validating resolver for the DNSSEC tests.
command -v unbound >/dev/null 2>&1 || [ -x /usr/sbin/unbound ] || need+=(unbound)
# ./rdns builds the server with Native AOT: clang links it, against zlib.
command -v clang >/dev/null 2>&1 || need+=(clang)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
# The console's browser tests drive Debian's chromium through Playwright (which cannot download browsers here).
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  mapfile -t need < <(printf "%s\n" "${need[@]}" | sort -u)
  echo "test.sh: installing ${need[*]}" >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 || {
    echo "test.sh: could not install ${need[*]}" >&2; }
fi

# The interop tests run the real ./rdns; build it once up front rather than inside a test.
./rdns --version >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

results="$here/.build/test-results"
rm -rf "$results"; mkdir -p "$results"
projects=$(find test -name '*.Tests.csproj' | sort)
nprojects=$(echo "$projects" | wc -l)

dotnet build Rdns.slnx -c Release --nologo -v quiet -clp:NoSummary || { echo "0 passed, 1 failed"; exit 1; }

# The store tests need a real PostgreSQL server. Unless RDNS_TEST_POSTGRES already names one, a
# throwaway cluster is started here (trust auth, loopback only, data in a temporary folder) and
# stopped on exit whatever happens. If it cannot start, the variable stays unset and the PostgreSQL
# tests fail rather than skip.
pg_root=""
pg_bin=""
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"
  elif [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"
  else sudo -u postgres "$@"; fi
}
stop_postgres() {
  [ -n "$pg_root" ] || return 0
  as_postgres "$pg_bin/pg_ctl" -D "$pg_root/data" stop -m fast >/dev/null 2>&1 || true
  if [ "$(id -u)" = 0 ] || [ "$(id -un)" = postgres ]; then rm -rf "$pg_root"; else sudo rm -rf "$pg_root"; fi
  pg_root=""
}
start_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || { echo "test.sh: no PostgreSQL server binaries under /usr/lib/postgresql" >&2; return 1; }
  pg_root=$(mktemp -d "${TMPDIR:-/tmp}/rdns-pg.XXXXXX")
  chmod 755 "$pg_root"
  if [ "$(id -un)" != postgres ]; then
    if [ "$(id -u)" = 0 ]; then chown postgres: "$pg_root"; else sudo chown postgres: "$pg_root"; fi
  fi
  if ! as_postgres "$pg_bin/initdb" -D "$pg_root/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
      >"$pg_root/initdb.log" 2>&1; then
    cat "$pg_root/initdb.log" >&2; return 1
  fi
  # Other checkouts may run their tests at the same time: take the first port that binds.
  local port
  for port in $(seq 55432 55481); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    if as_postgres "$pg_bin/pg_ctl" -D "$pg_root/data" -l "$pg_root/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_root -c max_connections=200" start >/dev/null 2>&1; then
      export RDNS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
      echo "test.sh: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
      return 0
    fi
  done
  cat "$pg_root/server.log" >&2 2>/dev/null
  return 1
}
trap stop_postgres EXIT
trap 'exit 130' INT TERM
if [ -z "${RDNS_TEST_POSTGRES:-}" ]; then
  start_postgres || echo "test.sh: could not start PostgreSQL; its tests will fail" >&2
fi

# Test projects run side by side, each with its own results folder and log, shown in order after.
pids=()
for proj in $projects; do
  name=$(basename "$proj" .csproj)
  mkdir -p "$results/$name"
  dotnet test "$proj" -c Release --no-build --nologo --logger trx --results-directory "$results/$name" "$@" \
    >"$results/$name.log" 2>&1 &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
for proj in $projects; do cat "$results/$(basename "$proj" .csproj).log"; done

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  line=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$line" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
# A test project that did not build or whose host crashed leaves no results: count it as a failure.
if [ "$files" -lt "$nprojects" ]; then
  failed=$((failed + nprojects - files))
fi
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
