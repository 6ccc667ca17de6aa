#!/usr/bin/env bash
# Runs every test of the solution and prints one summary line: "N passed, N failed, N skipped".
# Installs the Debian packages the tests use as real peers when they are missing.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

need=()
command -v kdig >/dev/null 2>&1 || need+=(knot-dnsutils)
command -v knotd >/dev/null 2>&1 || need+=(knot)
command -v dig >/dev/null 2>&1 || need+=(bind9-dnsutils)
command -v named-checkzone >/dev/null 2>&1 || need+=(bind9-utils)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v flock >/dev/null 2>&1 || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
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
