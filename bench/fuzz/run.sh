#!/usr/bin/env bash
# Coverage-guided fuzzing of Rdns with SharpFuzz and AFL++; see bench/fuzz/README.md.
#
#   bench/fuzz/run.sh TARGET [SECONDS] [EXECS]   fuzz one target (packet, zonefile, tsig, json, update)
#   bench/fuzz/run.sh all [SECONDS] [EXECS]      every target, one after the other
#   bench/fuzz/run.sh replay TARGET FILE|DIR...  run inputs through a target without AFL
#   bench/fuzz/run.sh tmin TARGET FILE           minimize a crashing input with afl-tmin
#   bench/fuzz/run.sh selftest                   check that afl-fuzz sees inputs and crashes at all
#
# SECONDS (default 1800) bounds each target's run; EXECS (default 10000000) ends it sooner once
# that many inputs have run. Findings go to bench/out/fuzz/findings/TARGET (crashes/, hangs/,
# queue/, fuzzer_stats); a summary of each run to bench/out/fuzz/results.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$repo/bench/out/fuzz"
targets=(packet zonefile tsig json update)

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
is_target() { local t; for t in "${targets[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }

ensure_afl() {
  command -v afl-fuzz >/dev/null 2>&1 && return 0
  echo "run.sh: installing afl++" >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends afl++ >&2
}

# A plain build for replaying: no instrumentation, so it runs anywhere without AFL.
build_plain() {
  dotnet build "$here/Rdns.Fuzz/Rdns.Fuzz.csproj" -c Release -o "$out/plain" --nologo -v quiet -clp:NoSummary >&2
}

# Publish, then instrument every Rdns assembly (the harness itself needs no coverage). SharpFuzz
# rewrites assemblies in place and refuses ones it already rewrote, so each build starts clean.
build_instrumented() {
  (cd "$here" && dotnet tool restore >/dev/null)
  rm -rf "$out/instrumented"
  dotnet publish "$here/Rdns.Fuzz/Rdns.Fuzz.csproj" -c Release -o "$out/instrumented" --nologo -v quiet -clp:NoSummary >&2
  local dll
  for dll in "$out/instrumented"/Rdns.*.dll; do
    case "$(basename "$dll")" in Rdns.Fuzz.dll) continue ;; esac
    (cd "$here" && dotnet tool run sharpfuzz "$dll" >/dev/null)
  done
}

stat_of() { sed -n "s/^$1 *: *//p" "$2" | head -1; }

fuzz() {
  local target=$1 seconds=$2 execs=$3
  local findings="$out/findings/$target"
  rm -rf "$findings"
  mkdir -p "$out/findings"
  echo "run.sh: fuzzing $target for at most ${seconds}s or $execs executions" >&2
  # SharpFuzz's fork server is .NET, not an AFL-compiled binary (AFL_SKIP_BIN_CHECK); the first
  # execution builds the target's zones and keys (AFL_FORKSRV_INIT_TMOUT); a shared or virtual
  # machine has no CPU to bind to and no governor to check (AFL_NO_AFFINITY, AFL_SKIP_CPUFREQ).
  # A crash in a .NET process is an exception SharpFuzz reports, not a core dump.
  # Tokens of the target's input language (record types, directives, JSON members) that
  # mutation alone finds slowly.
  local dict=()
  [ -f "$here/dict/$target.dict" ] && dict=(-x "$here/dict/$target.dict")
  local started=$SECONDS
  AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  AFL_FORKSRV_INIT_TMOUT=120000 AFL_NO_UI=1 AFL_QUIET=1 \
    afl-fuzz -i "$here/corpus/$target" -o "$findings" -t 2000 -m none -V "$seconds" -E "$execs" "${dict[@]}" \
      -- dotnet "$out/instrumented/Rdns.Fuzz.dll" "$target" >"$out/$target.log" 2>&1 || {
        echo "run.sh: afl-fuzz failed for $target; the end of its log:" >&2; tail -30 "$out/$target.log" >&2; return 1; }
  report "$target" "$findings/default/fuzzer_stats" $((SECONDS - started))
}

report() {
  local target=$1 stats=$2 wall=$3
  local execs rate edges total cvg corpus crashes hangs
  execs=$(stat_of execs_done "$stats")
  rate=$(stat_of execs_per_sec "$stats" | cut -d. -f1)
  edges=$(stat_of edges_found "$stats"); total=$(stat_of total_edges "$stats"); cvg=$(stat_of bitmap_cvg "$stats")
  corpus=$(stat_of corpus_count "$stats")
  crashes=$(stat_of saved_crashes "$stats"); hangs=$(stat_of saved_hangs "$stats")
  local line="| $target | $execs | $rate | $edges | $cvg | $corpus | $crashes | $hangs | ${wall}s |"
  echo "target: $target  executions: $execs  execs/s: $rate  edges: $edges (map $cvg of $total)  corpus: $corpus  crashes: $crashes  hangs: $hangs  wall: ${wall}s"
  if [ ! -f "$out/results.md" ]; then
    echo "| target | executions | execs/s | edges | map coverage | corpus | crashes | hangs | wall time |" >"$out/results.md"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|" >>"$out/results.md"
  fi
  echo "$line" >>"$out/results.md"
  local f
  for f in "$(dirname "$stats")"/crashes/id* "$(dirname "$stats")"/hangs/id*; do
    [ -e "$f" ] && echo "  finding: $f (replay: bench/fuzz/run.sh replay $target '$f')"
  done
  return 0
}

[ $# -ge 1 ] || usage
mkdir -p "$out"
case "$1" in
  replay)
    [ $# -ge 3 ] && is_target "$2" || usage
    build_plain
    dotnet "$out/plain/Rdns.Fuzz.dll" replay "${@:2}"
    ;;
  tmin)
    [ $# -eq 3 ] && is_target "$2" || usage
    ensure_afl; build_instrumented
    AFL_SKIP_BIN_CHECK=1 AFL_FORKSRV_INIT_TMOUT=120000 \
      afl-tmin -i "$3" -o "$3.min" -t 5000 -m none -- dotnet "$out/instrumented/Rdns.Fuzz.dll" "$2"
    echo "run.sh: minimized input in $3.min" >&2
    ;;
  selftest)
    ensure_afl; build_instrumented
    rm -rf "$out/selftest"; mkdir -p "$out/selftest/in"
    printf 'fine' >"$out/selftest/in/fine"; printf 'crash' >"$out/selftest/in/crash"
    AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_FORKSRV_INIT_TMOUT=120000 AFL_NO_UI=1 \
      afl-fuzz -i "$out/selftest/in" -o "$out/selftest/out" -t 2000 -m none -V 5 \
      -- dotnet "$out/instrumented/Rdns.Fuzz.dll" selftest >"$out/selftest.log" 2>&1 || true
    # afl-fuzz reports a seed that throws during its dry run, and skips it.
    if grep -q "orig:crash' results in a crash" "$out/selftest.log"; then
      echo "run.sh: selftest passed: inputs reach the target and its exceptions reach afl-fuzz" >&2
    else
      echo "run.sh: selftest FAILED: afl-fuzz did not see the crashing seed; see $out/selftest.log" >&2; exit 1
    fi
    ;;
  all)
    ensure_afl; build_instrumented
    for t in "${targets[@]}"; do fuzz "$t" "${2:-1800}" "${3:-10000000}"; done
    ;;
  *)
    is_target "$1" || usage
    ensure_afl; build_instrumented
    fuzz "$1" "${2:-1800}" "${3:-10000000}"
    ;;
esac
