#!/usr/bin/env bash
# What SQLite alone costs per imported small zone, with the store's own schema and statements and
# nothing of .NET around them (bench/sqlite-floor.c), and what each part costs: the savepoints,
# where their undo copy goes, the order of the zones. Used for the import figures in
# docs/BENCHMARKS.md. Needs gcc and the system's SQLite headers (libsqlite3-dev); the figures are
# the system's SQLite, not the copy the server bundles.
#
#   bench/sqlite-floor.sh STORE.db [ZONES] [ROUNDS]
#
# STORE.db is any store rdns made (its schema is copied; nothing is written to it). Each variant
# runs ROUNDS times (3), in turn, in a scratch directory. Then the spill-threshold check:
# replacing a 200,000-row table inside a savepoint with SQLite's statement-journal spill threshold
# at 64 KiB (its default), 128 KiB, 256 KiB, 4 MiB and -1 (never spill).
set -euo pipefail
store="${1:?usage: bench/sqlite-floor.sh STORE.db [ZONES] [ROUNDS]}"
zones="${2:-100000}"
rounds="${3:-3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sqlite3 "$store" .schema | grep -v '^CREATE TABLE sqlite_sequence' > "$work/schema.sql"
# The counters the schema's migrations seed (a store made by an older rdns may lack one).
for counter in zone_revision settings_revision; do
  grep -q "CREATE TABLE $counter " "$work/schema.sql" && echo "INSERT INTO $counter (value) VALUES (0);" >> "$work/schema.sql"
done
gcc -O2 -o "$work/sqlite-floor" "$here/sqlite-floor.c" -lsqlite3
cd "$work"
for _ in $(seq "$rounds"); do
  for variant in writer group no-savepoints temp-memory shuffled spill:4194304; do
    ./sqlite-floor schema.sql "$zones" "$variant"
  done
done
for spill in 65536 131072 262144 4194304 -1; do
  echo -n "spill threshold $spill, "
  ./sqlite-floor schema.sql 0 "replace:$spill" || true
done
